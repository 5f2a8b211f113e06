import type { CacheEvents, LeasePhase } from './cache-events'
import type { CacheStats } from './cache-types'
import type { FunctionRecord, FunctionTable } from './function-stats'
import type { Tier, TierStats } from './tier'
import type { TierStack } from './tier-stack'

type OwnerOf = (key: string) => FunctionRecord | undefined

/** What `StatsRecorder.freshness` counts (see `CacheEvents`). */
export type StaleCounts = CacheStats['freshness']

/** What one tier reports to `Cache.stats()`: its own sizes and the cache's counts for it. */
export type TierReport = CacheStats['tiers'][number]

/**
 * Counts the events of a cache: per tier, the figures of `Cache.stats()` that the tiers do not know, and per
 * cached function, its calls, joins, runs and their time (see FunctionRecord).
 */
export class StatsRecorder implements CacheEvents {
  readonly #hits: number[]
  readonly #misses: number[]
  readonly #errors: number[]
  /** The function computing a key now: a slower tier's hit during its flight is one of its calls. */
  readonly #computing: OwnerOf
  /** The function a key belongs to, as far as can be told (the one computing it, or by its prefix). */
  readonly #ownerOf: OwnerOf
  #sets = 0
  #deletes = 0
  readonly #leases: Record<LeasePhase, number> = {
    acquired: 0,
    waited: 0,
    takeover: 0,
    'max-wait': 0,
  }
  readonly #freshness = {
    staleServed: { revalidate: 0, error: 0, timeout: 0 },
    refreshes: { start: 0, done: 0, fail: 0 },
    timeouts: { soft: 0, hard: 0 },
  }

  constructor(tierCount: number, owners: { computing?: OwnerOf; ownerOf?: OwnerOf } = {}) {
    this.#hits = new Array<number>(tierCount).fill(0)
    this.#misses = new Array<number>(tierCount).fill(0)
    this.#errors = new Array<number>(tierCount).fill(0)
    this.#computing = owners.computing ?? (() => undefined)
    this.#ownerOf = owners.ownerOf ?? this.#computing
  }

  hit(tier: number, key: string, fn?: FunctionRecord): void {
    this.#hits[tier]!++
    if (fn !== undefined) fn.hits[tier]!++
    // The first tier's hits come from the hit path, which names its function when it has one; a lookup
    // outside a flight (cache.get, fn.peek) is no call of the function.
    else if (tier > 0) {
      const owner = this.#computing(key)
      if (owner !== undefined) owner.hits[tier]!++
    }
  }

  miss(tier: number): void {
    this.#misses[tier]!++
  }

  joined(key: string, fn: FunctionRecord | undefined): void {
    if (fn !== undefined) fn.joins++
  }

  compute<T>(
    _key: string,
    fn: FunctionRecord | undefined,
    refresh: boolean,
    run: () => T | Promise<T>,
  ): T | Promise<T> {
    if (fn !== undefined) {
      fn.computations++
      if (!refresh) fn.misses++
    }
    return run()
  }

  computed(_key: string, fn: FunctionRecord, ms: number, failed: boolean): void {
    if (failed) fn.errors++
    else fn.ran(ms)
  }

  bus(): void {}

  lease(key: string, phase: LeasePhase): void {
    this.#leases[phase]++
    // A call that waited for another process's computation shares it: a join across the fleet.
    if (phase !== 'waited') return
    const owner = this.#ownerOf(key)
    if (owner !== undefined) owner.fleetJoins++
  }

  set(): void {
    this.#sets++
  }

  delete(): void {
    this.#deletes++
  }

  error(tier: number): void {
    this.#errors[tier]!++
  }

  staleServed(
    _tier: number,
    key: string,
    reason: 'revalidate' | 'error' | 'timeout',
    fn?: FunctionRecord,
  ): void {
    this.#freshness.staleServed[reason]++
    const owner = fn ?? this.#ownerOf(key)
    if (owner !== undefined) owner.staleServed++
  }

  refresh(_key: string, phase: 'start' | 'done' | 'fail'): void {
    this.#freshness.refreshes[phase]++
  }

  timeout(_key: string, kind: 'soft' | 'hard'): void {
    this.#freshness.timeouts[kind]++
  }

  /** Stale values served (by reason), background refreshes (by phase) and timeouts (by kind), so far. */
  get freshness(): StaleCounts {
    const { staleServed, refreshes, timeouts } = this.#freshness
    return {
      staleServed: { ...staleServed },
      refreshes: { ...refreshes },
      timeouts: { ...timeouts },
    }
  }

  /** Lease events counted so far, by phase (a copy). */
  get leases(): Record<LeasePhase, number> {
    return { ...this.#leases }
  }

  /** Writes and removals counted so far (not part of `stats()`, whose shape is documented). */
  get writes(): { sets: number; deletes: number } {
    return { sets: this.#sets, deletes: this.#deletes }
  }

  /** The report of tier `index`, given the sizes it gave. */
  report(tier: Tier, index: number, sizes: TierStats): TierReport {
    return {
      name: tier.name,
      ...sizes,
      hits: this.#hits[index]!,
      misses: this.#misses[index]!,
      errors: this.#errors[index]!,
    }
  }
}

/** The figures of `Cache.stats()` from each tier's report: memory and file sizes by name, counts summed. */
export function summarizeStats(
  perTier: TierReport[],
  functions: CacheStats['functions'] = {},
): Omit<CacheStats, 'leases' | 'freshness'> {
  const byName = (name: string) => perTier.find((t) => t.name === name)
  const sum = (pick: (t: TierReport) => number) => perTier.reduce((total, t) => total + pick(t), 0)
  const perName = (pick: (t: TierReport) => number) =>
    Object.fromEntries(perTier.map((t) => [t.name, pick(t)]))
  return {
    memoryEntries: byName('memory')?.entries ?? 0,
    memoryBytes: byName('memory')?.bytes ?? 0,
    fileEntries: byName('file')?.entries ?? 0,
    fileBytes: byName('file')?.bytes ?? 0,
    hits: perName((t) => t.hits),
    misses: perName((t) => t.misses),
    evictions: sum((t) => t.evictions),
    errors: sum((t) => t.errors),
    functions,
    tiers: perTier,
  }
}

/**
 * `Cache.stats()`: each tier's sizes (a tier that fails to give them counts as empty) with this cache's
 * counters for it, summed up, with the cached functions' records and the lease counts.
 */
export async function collectStats(
  stack: TierStack,
  recorder: StatsRecorder,
  functions: FunctionTable,
): Promise<CacheStats> {
  const none = { entries: 0, bytes: 0, evictions: 0 }
  const perTier = await Promise.all(
    stack.tiers.map(async (tier, i) => {
      const sizes = await stack
        .guard(i, 'read stats of', undefined, () => tier.stats())
        .catch(() => none)
      return recorder.report(tier, i, sizes)
    }),
  )
  return {
    ...summarizeStats(perTier, functions.report(stack.tiers.map((t) => t.name))),
    leases: recorder.leases,
    freshness: recorder.freshness,
  }
}
