import type { StorageError } from '../core/exceptions'
import { entryTimes } from './freshness'
import type { Lifetimes } from './lifetimes'
import { encodeForStorage } from './stored-entry'
import type { Entry, Tier } from './tier'
import type { TagStamps } from './tier-tags'
import type { WriteTracker } from './write-tracker'

/** The entry a write stores, read at `now`; `encodes` when some tier keeps the encoded text. */
export function entryOfWrite(
  key: string,
  value: unknown,
  lifetimes: Lifetimes,
  tags: TagStamps | undefined,
  now: number,
  encodes: boolean,
): Entry {
  const { ttlMs, memoryTtlMs, freshness } = lifetimes
  const parts = encodes ? encodeForStorage(key, value) : undefined
  // A stale window, eager refresh or jitter (freshness.ts) gives the entry times of its own.
  const times = freshness === undefined ? undefined : entryTimes(now, ttlMs, freshness)
  // Every entry gets the same fields (absent ones undefined): one shape, monomorphic reads in the tiers.
  return {
    key,
    value,
    encoded: parts?.text,
    attachments: parts?.attachments.length ? parts.attachments : undefined,
    expiresAt: times ? times.expiresAt : now + ttlMs,
    freshUntil: times ? times.freshUntil : now + ttlMs,
    refreshAt: times?.refreshAt,
    memoryTtlMs: memoryTtlMs < ttlMs ? memoryTtlMs : undefined,
    tags,
  }
}

/**
 * Waits for a write's persistent tiers, then throws the first failure (`earlier`: an in-process one) after
 * undoing the write in every tier, unless the key changed since `watch` opened.
 */
export async function settleWrite(
  tiers: readonly Tier[],
  writes: WriteTracker,
  key: string,
  written: Promise<unknown>,
  earlier: StorageError | undefined,
  watch: ReturnType<WriteTracker['watch']>,
): Promise<void> {
  try {
    // Every tier's write is awaited, even after an in-process failure: none is left running unwatched.
    const failure = await written.then(
      () => earlier,
      (err: StorageError) => earlier ?? err,
    )
    if (failure === undefined) return
    // A failed write leaves no trace of the key: the failing tier may still hold an older value, and the
    // tiers that succeeded must not hold a copy that outlives what the slower tier lost (best effort).
    // Unless the key was written, deleted or cleared since: that later call owns it now.
    if (!writes.changedSince(watch))
      await Promise.all(tiers.map((tier) => tier.delete(key).catch(() => false)))
    throw failure
  } finally {
    writes.unwatch(watch)
  }
}
