import type { LeaseProvider } from './lease'

/**
 * The contract every storage tier implements. Tiers store and expire; they hold no policy. `Cache` decides
 * what goes where (promotion, stats, error handling), so a new tier (Redis, S3, …) only has to get these
 * methods right, and the compliance suite, `describeTier` in `tiercache/testing`, says whether it does.
 */

/** One stored value. */
export interface Entry {
  readonly key: string
  /** The live value. The memory tier hands this back as it was given: cached values are read-only. */
  readonly value: unknown
  /**
   * The codec's text for `value` (see `core/codec.ts`), computed once per `set` and shared by every tier that
   * needs it. Absent when no tier of the cache needs it (a memory-only cache without a byte bound).
   */
  readonly encoded?: string
  /**
   * Large byte arrays of the value, set apart from `encoded`, which refers to them by index. Persistent
   * tiers store them beside the text, as raw bytes.
   */
  readonly attachments?: readonly Uint8Array[]
  /** Absolute expiry in epoch ms (wall clock, so processes sharing storage agree); `Infinity` = never. */
  readonly expiresAt: number
  /**
   * The longest an in-process copy may live, in ms, when the entry was stored with a `memoryTtl` shorter
   * than its TTL. Persistent tiers keep it, so a copy promoted back into memory honours it too.
   */
  readonly memoryTtlMs?: number
}

/** Sizes a tier reports to `Cache.stats()`. */
export interface TierStats {
  entries: number
  bytes: number
  /** Entries removed to respect a size bound (not by expiry or by request). */
  evictions: number
}

export interface Tier {
  /** 'memory' | 'file' | 'redis' …: used in error messages and stats. */
  readonly name: string
  /**
   * Read only on in-process tiers (see `InProcessTier`): every other tier always receives `Entry.encoded`.
   * Optional here so that tiers written before that split still compile.
   */
  readonly needsEncoded?: boolean
  /**
   * True for a tier every process of a fleet sees (Redis): an invalidation bus message leaves it alone, since
   * the sender changed it already. Every other tier is local to its process (memory, a file tier on a local
   * disk) and loses the keys another process changed.
   */
  readonly shared?: boolean
  /** The folder a tier stores its files in, when it has one (`Cache.cacheDir` reports it). */
  readonly dir?: string
  /**
   * Fleet leases, when the tier can hold them for the processes that share it (the file tier on one host, the
   * Redis tier across a fleet): a miss then computes in one process while the others wait (see lease.ts).
   */
  readonly leases?: LeaseProvider
  /** Missing, expired or unreadable → `undefined`. Throws only for real I/O failures. */
  get(key: string): Promise<Entry | undefined>
  /** Atomic: a reader sees the old entry or the new one, never a mix. */
  set(entry: Entry): Promise<void>
  /** True if something was removed. */
  delete(key: string): Promise<boolean>
  /**
   * Removes the keys `match` accepts (every key when omitted) and returns how many. `match.prefix`, when
   * present, is a literal every accepted key starts with: a tier may use it to skip candidates early.
   */
  clear(match?: KeyPredicate): Promise<number>
  /** Removes expired (and, for persistent tiers, unreadable) entries; returns how many. */
  prune(): Promise<number>
  stats(): Promise<TierStats>
  /** Stops timers and releases handles. Idempotent. */
  close(): Promise<void>
}

/**
 * A tier that lives in the process (the memory tier): it can be read and written synchronously, so that a
 * hit costs no `await` and storing costs no promise. `Cache` serves its hit path from the first tier when
 * that tier is one of these (see `isInProcessTier`).
 */
export interface InProcessTier extends Tier {
  /** True when the tier stores `Entry.encoded` (a byte bound), so `Cache` must compute it. */
  readonly needsEncoded: boolean
  /** The number of entries held. */
  readonly size: number
  /** Synchronous read: missing or expired → `undefined`. */
  peek(key: string): Entry | undefined
  /**
   * Whether an entry that `peek` returned is still the current one for its key (not replaced, removed,
   * evicted or expired). Lets a caller that kept the entry skip the lookup by key.
   */
  isCurrent(entry: Entry): boolean
  /** Synchronous write: must do exactly what `set` does. */
  put(entry: Entry): void
  /** The keys held. */
  keys(): IterableIterator<string>
}

/** Whether `tier` offers the synchronous in-process methods (a capability check: no `instanceof`). */
export function isInProcessTier(tier: Tier): tier is InProcessTier {
  const t = tier as Partial<InProcessTier>
  return (
    typeof t.peek === 'function' &&
    typeof t.put === 'function' &&
    typeof t.isCurrent === 'function' &&
    typeof t.keys === 'function'
  )
}

const TIER_METHODS = ['get', 'set', 'delete', 'clear', 'prune', 'stats', 'close'] as const

/** Whether `tier` has every method of the `Tier` contract (a bad `tiers` option is refused at once). */
export function isTier(tier: unknown): tier is Tier {
  const t = tier as Record<string, unknown> | null
  return (
    typeof t === 'object' && t !== null && TIER_METHODS.every((m) => typeof t[m] === 'function')
  )
}

/** A filter over keys, as `clear()` takes it. */
export type KeyPredicate = ((key: string) => boolean) & { readonly prefix?: string }

/** The stored size of an entry: its encoded text plus its attachments, in bytes (text counted in UTF-16 units). */
export function encodedSize(entry: Entry): number {
  let size = entry.encoded?.length ?? 0
  if (entry.attachments) for (const attachment of entry.attachments) size += attachment.byteLength
  return size
}
