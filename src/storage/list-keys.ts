import { CacheError } from '../core/exceptions'
import { isInProcessTier, type KeyPredicate, type Tier } from './tier'
import type { TierStack } from './tier-stack'

/**
 * `cache.keys()`: every tier's keys, each once, streamed. What "each once" costs:
 * - the in-process tiers' keys are listed first, from a snapshot kept in a Set while the listing runs
 *   (memory the in-process tier already spends on its own keys), so a key held in memory and below is skipped
 *   below for the price of a Set lookup;
 * - a key found in a lower tier is skipped when a persistent tier above it holds it, which costs one read of
 *   that tier per key and tier above (none for the usual [memory, file] or [memory, redis]; one `get` of the
 *   file tier per Redis key for [memory, file, redis]).
 * Nothing else is held: the lower tiers are streamed. A key written while the listing runs may or may not be
 * listed; one removed meanwhile may still be. A tier failure ends the listing with its StorageError.
 */
export async function* listKeys(
  stack: TierStack,
  match: KeyPredicate | undefined,
): AsyncGenerator<string> {
  const tiers = stack.tiers
  const mute = tiers.find((tier) => typeof tier.keys !== 'function')
  if (mute !== undefined)
    throw new CacheError(
      `cache.keys() needs every tier to list its keys; the "${mute.name}" tier has no keys() method`,
    )
  // A snapshot, taken before the first key is handed out: the caller may touch the LRU between two keys.
  const inMemory = new Set<string>()
  for (const tier of tiers)
    if (isInProcessTier(tier)) for (const key of tier.keys(match)) inMemory.add(key)
  yield* inMemory
  for (const [index, tier] of tiers.entries()) {
    if (isInProcessTier(tier)) continue
    for await (const key of guarded(stack, index, tier, match)) {
      if (inMemory.has(key)) continue
      if (!(await heldAbove(stack, index, key))) yield key
    }
  }
}

/** Whether a persistent tier above `index` holds `key` (it was listed there already). */
async function heldAbove(stack: TierStack, index: number, key: string): Promise<boolean> {
  for (let above = 0; above < index; above++) {
    const tier = stack.tiers[above]!
    if (isInProcessTier(tier)) continue
    if ((await stack.guard(above, 'read', key, () => tier.get(key))) !== undefined) return true
  }
  return false
}

/** The tier's keys, with a failure turned into the StorageError the tier stack makes of it. */
async function* guarded(
  stack: TierStack,
  index: number,
  tier: Tier,
  match: KeyPredicate | undefined,
): AsyncGenerator<string> {
  const source = tier.keys!(match)
  if (Symbol.iterator in source) return yield* source
  const iterator = source[Symbol.asyncIterator]()
  try {
    for (;;) {
      const step = await stack.guard(index, 'list the keys', undefined, () => iterator.next())
      if (step.done) return
      yield step.value
    }
  } finally {
    await iterator.return?.()
  }
}
