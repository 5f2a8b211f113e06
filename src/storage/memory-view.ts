import type { MemoryCacheView } from './cache-types'
import { isInProcessTier, type Tier } from './tier'

/** `cache.memoryCache`: a read-only view of the in-process tier among `tiers` (empty when there is none). */
export function memoryViewOf(tiers: readonly Tier[]): MemoryCacheView {
  const memory = tiers.find(isInProcessTier)
  return Object.freeze({
    get size() {
      return memory?.size ?? 0
    },
    keys: () => memory?.keys() ?? [].values(),
    has: (key: string) => memory?.peek(key) !== undefined,
  })
}
