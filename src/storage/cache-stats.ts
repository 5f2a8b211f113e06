import type { CacheEvents } from './cache-events'
import type { CacheStats } from './cache-types'
import type { Tier, TierStats } from './tier'

/** What `StatsRecorder.freshness` counts (see `CacheEvents`). */
export interface StaleCounts {
  staleServed: Record<'revalidate' | 'error' | 'timeout', number>
  refreshes: Record<'start' | 'done' | 'fail', number>
  timeouts: Record<'soft' | 'hard', number>
}

/** What one tier reports to `Cache.stats()`: its own sizes and the cache's counts for it. */
export type TierReport = CacheStats['tiers'][number]

/** Counts the events of a cache per tier: the figures of `Cache.stats()` that the tiers do not know. */
export class StatsRecorder implements CacheEvents {
  readonly #hits: number[]
  readonly #misses: number[]
  readonly #errors: number[]
  #sets = 0
  #deletes = 0
  readonly #freshness = {
    staleServed: { revalidate: 0, error: 0, timeout: 0 },
    refreshes: { start: 0, done: 0, fail: 0 },
    timeouts: { soft: 0, hard: 0 },
  }

  constructor(tierCount: number) {
    this.#hits = new Array<number>(tierCount).fill(0)
    this.#misses = new Array<number>(tierCount).fill(0)
    this.#errors = new Array<number>(tierCount).fill(0)
  }

  hit(tier: number): void {
    this.#hits[tier]!++
  }

  miss(tier: number): void {
    this.#misses[tier]!++
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

  staleServed(_tier: number, _key: string, reason: 'revalidate' | 'error' | 'timeout'): void {
    this.#freshness.staleServed[reason]++
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
export function summarizeStats(perTier: TierReport[]): CacheStats {
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
    tiers: perTier,
  }
}
