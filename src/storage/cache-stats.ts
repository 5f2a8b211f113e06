import type { CacheEvents, LeasePhase } from './cache-events'
import type { CacheStats } from './cache-types'
import type { Tier, TierStats } from './tier'

/** What one tier reports to `Cache.stats()`: its own sizes and the cache's counts for it. */
export type TierReport = CacheStats['tiers'][number]

/** Counts the events of a cache per tier: the figures of `Cache.stats()` that the tiers do not know. */
export class StatsRecorder implements CacheEvents {
  readonly #hits: number[]
  readonly #misses: number[]
  readonly #errors: number[]
  #sets = 0
  #deletes = 0
  readonly #leases: Record<LeasePhase, number> = {
    acquired: 0,
    waited: 0,
    takeover: 0,
    'max-wait': 0,
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

  lease(_key: string, phase: LeasePhase): void {
    this.#leases[phase]++
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
export function summarizeStats(perTier: TierReport[]): Omit<CacheStats, 'leases'> {
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
