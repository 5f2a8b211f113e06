import type { CacheStats } from './cache-types'

/** What one tier reports to `Cache.stats()`: its own sizes and the cache's counts for it. */
export type TierReport = CacheStats['tiers'][number]

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
