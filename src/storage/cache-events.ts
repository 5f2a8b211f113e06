import type { StorageError } from '../core/exceptions'
import type { BusChange as SentChange } from './bus'
import type { FunctionRecord } from './function-stats'

/** What a bus message changed: keys, a pattern (undefined: every key), tags, or, after a reconnect, the memory tiers. */
export type BusChange = SentChange | { readonly reconnected: true }

/**
 * What happens inside a `Cache`, as events. The modules behind `Cache` report here and nowhere else, and
 * `stats()` is built from them (see `StatsRecorder`), so a new tier or feature cannot forget to count.
 * A tier is named by its position in the cache's tiers (fastest first), which costs nothing on the hit
 * path; a sink that publishes the events (`DiagnosticsEvents`, on `node:diagnostics_channel`) looks it up.
 * `fn` is the cached function a call came from, when the caller knows it (withCache does); sinks that
 * need it otherwise find it by key. Sinks must not throw: they are called from the hit path and from
 * promise reactions.
 */
export interface CacheEvents {
  /** `key` was found in tier `tier`. */
  hit(tier: number, key: string, fn?: FunctionRecord): void
  /** A lookup reached tier `tier` and did not find `key` there. */
  miss(tier: number, key: string, fn?: FunctionRecord): void
  /** `key` was written to the tiers (by `set` or by storing a computed value). */
  set(key: string): void
  /** `key` was removed from the tiers, or, when undefined, the keys a `clear` matched. */
  delete(key: string | undefined): void
  /** Tier `tier` failed; `error` names the tier, the action and the key. */
  error(tier: number, error: StorageError): void
  /** A caller joined the computation (or lookup) under way for `key` in this process. */
  joined(key: string, fn: FunctionRecord | undefined): void
  /**
   * Runs `run`, the computation of `key` (`refresh`: one asked for by `refresh()` rather than by a miss),
   * and returns what it returns, the same promise included: sinks may trace it around the call.
   */
  compute<T>(
    key: string,
    fn: FunctionRecord | undefined,
    refresh: boolean,
    run: () => T | Promise<T>,
  ): T | Promise<T>
  /**
   * The computation of `fn` (a cached function's) settled, `ms` after it started; `failed` when it threw or
   * rejected. Told by the load path from a reaction it has anyway, so that timing costs no reaction of its own.
   */
  computed(key: string, fn: FunctionRecord, ms: number, failed: boolean): void
  /** A bus message was sent to the other caches, or received from one. */
  bus(direction: 'sent' | 'received', change: BusChange): void
  /**
   * A stale value of `key`, found in tier `tier`, was served: while a background refresh runs
   * (`'revalidate'`), because the computation failed (`'error'`, `staleIfError`), or because it took too
   * long (`'timeout'`).
   */
  staleServed(
    tier: number,
    key: string,
    reason: 'revalidate' | 'error' | 'timeout',
    fn?: FunctionRecord,
  ): void
  /** A background refresh of `key` (stale-while-revalidate, eager refresh) started, stored its result, or failed. */
  refresh(key: string, phase: 'start' | 'done' | 'fail', error?: unknown): void
  /** A computation of `key` passed its `timeout` (`'soft'`) or its `hardTimeout` (`'hard'`). */
  timeout(key: string, kind: 'soft' | 'hard'): void
  /**
   * A fleet lease on `key` (see lease.ts): this process took it (`acquired`), found another holder's and
   * waits (`waited`), replaced a stale one whose holder stopped renewing it (`takeover`), or gave up waiting
   * after `maxWait` and computes itself (`max-wait`).
   */
  lease(key: string, phase: LeasePhase): void
}

/** What happened to a fleet lease: see `CacheEvents.lease`. */
export type LeasePhase = 'acquired' | 'waited' | 'takeover' | 'max-wait'

/**
 * Passes every event to each of `sinks`, in order; a computation runs inside every sink's `compute`, the
 * first sink's outermost. With two sinks (a Cache's), the hit path's events call them directly rather
 * than in a loop: it is the hottest code, and a memory hit costs some 200 ns in all.
 */
export function fanOutEvents(sinks: readonly CacheEvents[]): CacheEvents {
  const [first, second] = sinks
  const hitPath: Pick<CacheEvents, 'hit' | 'miss'> =
    sinks.length === 2 && first !== undefined && second !== undefined
      ? {
          hit: (tier, key, fn) => {
            first.hit(tier, key, fn)
            second.hit(tier, key, fn)
          },
          miss: (tier, key, fn) => {
            first.miss(tier, key, fn)
            second.miss(tier, key, fn)
          },
        }
      : {
          hit: (tier, key, fn) => sinks.forEach((sink) => sink.hit(tier, key, fn)),
          miss: (tier, key, fn) => sinks.forEach((sink) => sink.miss(tier, key, fn)),
        }
  return {
    ...hitPath,
    set: (key) => sinks.forEach((sink) => sink.set(key)),
    delete: (key) => sinks.forEach((sink) => sink.delete(key)),
    error: (tier, error) => sinks.forEach((sink) => sink.error(tier, error)),
    joined: (key, fn) => sinks.forEach((sink) => sink.joined(key, fn)),
    compute:
      sinks.length === 2 && first !== undefined && second !== undefined
        ? (key, fn, refresh, run) =>
            first.compute(key, fn, refresh, () => second.compute(key, fn, refresh, run))
        : (key, fn, refresh, run) =>
            sinks.reduceRight<typeof run>(
              (inner, sink) => () => sink.compute(key, fn, refresh, inner),
              run,
            )(),
    computed: (key, fn, ms, failed) => sinks.forEach((sink) => sink.computed(key, fn, ms, failed)),
    bus: (direction, change) => sinks.forEach((sink) => sink.bus(direction, change)),
    staleServed: (tier, key, reason, fn) =>
      sinks.forEach((sink) => sink.staleServed(tier, key, reason, fn)),
    refresh: (key, phase, error) => sinks.forEach((sink) => sink.refresh(key, phase, error)),
    timeout: (key, kind) => sinks.forEach((sink) => sink.timeout(key, kind)),
    lease: (key, phase) => sinks.forEach((sink) => sink.lease(key, phase)),
  }
}
