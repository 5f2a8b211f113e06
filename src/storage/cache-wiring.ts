import type { Clock } from '../core/clock'
import type { StorageError } from '../core/exceptions'
import { warnOnce } from '../core/warn-once'
import { withoutRepeats } from '../core/repeated-failure'
import { BusLink } from './bus-link'
import { checkCacheOptions } from './cache-options'
import { fanOutEvents } from './cache-events'
import { StatsRecorder } from './cache-stats'
import type { CacheOptions } from './cache-types'
import { DiagnosticsEvents } from './diagnostics'
import { FlightRegistry } from './flights'
import { FunctionTable } from './function-stats'
import { Invalidation } from './invalidation'
import { fleetLeases } from './lease'
import { LifetimePolicy } from './lifetimes'
import { LoadHandler } from './load'
import { RefreshPolicy, type RefreshDeps } from './refresh'
import { TierStack } from './tier-stack'
import { WriteTracker } from './write-tracker'

/** The modules behind a Cache (see docs/architecture.md), wired together from its checked options. */
export interface CacheParts {
  clock: Clock
  lifetimes: LifetimePolicy
  onError: (error: StorageError) => void
  stats: StatsRecorder
  functions: FunctionTable
  stack: TierStack
  invalidation: Invalidation
  loader: LoadHandler
  refresh: RefreshPolicy
  bus: BusLink | undefined
  cleanupMs: number
}

/** What the wiring needs of the Cache it builds. */
export interface CacheHooks {
  /** The load past the freshness policy (the Cache's own, which tells the bus of a refresh). */
  load: RefreshDeps['load']
  /** A lease's holder stored `key`: the Cache tells the fleet, through its bus when it has one. */
  leaseStored: (key: string) => void
}

/** Checks `options` (throwing a TypeError naming a bad one) and builds the parts of a Cache. */
export function wireCache(options: CacheOptions, hooks: CacheHooks): CacheParts {
  const { tiers, clock, onError, cleanupMs, freshness } = checkCacheOptions(options)
  const lifetimes = new LifetimePolicy(options.ttl, options.memoryTtl, freshness)
  // The first failure of an outage is reported, not every call's (src/core/repeated-failure.ts).
  const report = withoutRepeats(onError ?? warnOnce())
  const [writes, flights] = [new WriteTracker(), new FlightRegistry()]
  const functions = new FunctionTable(tiers.length)
  // A key's function: the one computing it now (any key), else the one whose default keys it has.
  const ownerOf = (key: string) => flights.ownerOf(key) ?? functions.byKey(key)
  const names = tiers.map((tier) => tier.name)
  const stats = new StatsRecorder(tiers.length, {
    computing: flights.ownerOf.bind(flights),
    ownerOf,
  })
  const events = fanOutEvents([
    stats,
    new DiagnosticsEvents(names, { redactKeys: options.redactKeys, ownerOf }),
  ])
  const stack = new TierStack(tiers, { clock, lifetimes, writes, events, report })
  const invalidation = new Invalidation(stack, flights, writes, events)
  const leases = fleetLeases(options, tiers, events, report, hooks.leaseStored)
  if (leases) invalidation.listen((target) => leases.wake(target))
  const loader = new LoadHandler({
    stack,
    flights,
    invalidation,
    lifetimes,
    events,
    clock,
    onError: report,
    leases,
  })
  const [base, load] = [freshness, hooks.load]
  const refresh = new RefreshPolicy({
    stack,
    flights,
    clock,
    events,
    base,
    onError: report,
    load,
  })
  invalidation.listen((target) => refresh.forget('key' in target ? target.key : undefined))
  const { bus } = options
  const link = bus === undefined ? undefined : new BusLink(bus, invalidation, report, events)
  const parts = { clock, lifetimes, onError: report, stats, functions, stack, invalidation }
  return { ...parts, loader, refresh, bus: link, cleanupMs }
}
