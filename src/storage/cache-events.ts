import type { StorageError } from '../core/exceptions'

/**
 * What happens inside a `Cache`, as events. The modules behind `Cache` report here and nowhere else, and
 * `stats()` is built from them (see `StatsRecorder`), so a new tier or feature cannot forget to count.
 * A tier is named by its position in the cache's tiers (fastest first), which costs nothing on the hit
 * path; a sink that publishes the events (on `node:diagnostics_channel`, for instance) can look the tier up.
 * Sinks must not throw: they are called from the hit path and from promise reactions.
 */
export interface CacheEvents {
  /** `key` was found in tier `tier`. */
  hit(tier: number, key: string): void
  /** A lookup reached tier `tier` and did not find `key` there. */
  miss(tier: number, key: string): void
  /** `key` was written to the tiers (by `set` or by storing a computed value). */
  set(key: string): void
  /** `key` was removed from the tiers, or, when undefined, the keys a `clear` matched. */
  delete(key: string | undefined): void
  /** Tier `tier` failed; `error` names the tier, the action and the key. */
  error(tier: number, error: StorageError): void
  /**
   * A stale value of `key`, found in tier `tier`, was served: while a background refresh runs
   * (`'revalidate'`), because the computation failed (`'error'`, `staleIfError`), or because it took too
   * long (`'timeout'`).
   */
  staleServed(tier: number, key: string, reason: 'revalidate' | 'error' | 'timeout'): void
  /** A background refresh of `key` (stale-while-revalidate, eager refresh) started, stored its result, or failed. */
  refresh(key: string, phase: 'start' | 'done' | 'fail', error?: unknown): void
  /** A computation of `key` passed its `timeout` (`'soft'`) or its `hardTimeout` (`'hard'`). */
  timeout(key: string, kind: 'soft' | 'hard'): void
}

/** Passes every event to each of `sinks`, in order. */
export function fanOutEvents(sinks: readonly CacheEvents[]): CacheEvents {
  return {
    hit: (tier, key) => sinks.forEach((sink) => sink.hit(tier, key)),
    miss: (tier, key) => sinks.forEach((sink) => sink.miss(tier, key)),
    set: (key) => sinks.forEach((sink) => sink.set(key)),
    delete: (key) => sinks.forEach((sink) => sink.delete(key)),
    error: (tier, error) => sinks.forEach((sink) => sink.error(tier, error)),
    staleServed: (tier, key, reason) =>
      sinks.forEach((sink) => sink.staleServed(tier, key, reason)),
    refresh: (key, phase, error) => sinks.forEach((sink) => sink.refresh(key, phase, error)),
    timeout: (key, kind) => sinks.forEach((sink) => sink.timeout(key, kind)),
  }
}
