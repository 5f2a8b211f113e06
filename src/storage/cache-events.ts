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
   * A fleet lease on `key` (see lease.ts): this process took it (`acquired`), found another holder's and
   * waits (`waited`), replaced a stale one whose holder stopped renewing it (`takeover`), or gave up waiting
   * after `maxWait` and computes itself (`max-wait`).
   */
  lease(key: string, phase: LeasePhase): void
}

/** What happened to a fleet lease: see `CacheEvents.lease`. */
export type LeasePhase = 'acquired' | 'waited' | 'takeover' | 'max-wait'

/** Passes every event to each of `sinks`, in order. */
export function fanOutEvents(sinks: readonly CacheEvents[]): CacheEvents {
  return {
    hit: (tier, key) => sinks.forEach((sink) => sink.hit(tier, key)),
    miss: (tier, key) => sinks.forEach((sink) => sink.miss(tier, key)),
    set: (key) => sinks.forEach((sink) => sink.set(key)),
    delete: (key) => sinks.forEach((sink) => sink.delete(key)),
    error: (tier, error) => sinks.forEach((sink) => sink.error(tier, error)),
    lease: (key, phase) => sinks.forEach((sink) => sink.lease(key, phase)),
  }
}
