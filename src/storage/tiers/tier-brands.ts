import { brand, hasBrand } from '../../core/process-state'
import type { FileTier } from './file'
import type { MemoryTier } from './memory'

/**
 * Marks on the built-in tiers' prototypes. A Cache from one copy of tiercache (ESM or CJS build) may be given
 * tiers made by the other, where `instanceof` is false: these checks hold across copies.
 */
export const MEMORY_TIER = brand('memory-tier')
export const FILE_TIER = brand('file-tier')

export function isMemoryTier(tier: unknown): tier is MemoryTier {
  return hasBrand(tier, MEMORY_TIER)
}

export function isFileTier(tier: unknown): tier is FileTier {
  return hasBrand(tier, FILE_TIER)
}
