import { systemClock, type Clock } from '../core/clock'
import type { KeyMatcher } from '../core/pattern'
import type { Entry, KeyPredicate, Tier, TierStats } from '../storage/tier'
import { entryFileParts, parseEntry } from '../storage/tiers/file-format'
import { openConnection, type RedisConnectionOptions } from './options'
import type { OpenedConnection, RedisConnection } from './connection'
import { type RedisGuard } from './guard'
import { joinKey, keyFromBytes, scanPattern } from './key-bytes'
import { LEASE_MARK, RedisLeases } from './redis-lease'

export interface RedisTierOptions extends RedisConnectionOptions {
  /**
   * Put before every key: entry `k` is the Redis key `<prefix>k`. `clear()` and `stats()` walk the keys under
   * it, so give each cache its own, and no other data. Must be non-empty (an empty one would make `clear()`
   * remove the whole database). @default 'tc:'
   */
  prefix?: string
  /**
   * The time expiry is judged by (tests inject a fake one). Redis's own expiry (`PXAT`) is set on the wall
   * clock, shifted by the difference between the two, so a fake clock does not make Redis drop entries early.
   */
  clock?: Clock
  /** Keys asked for per `SCAN` step by `clear()` and `stats()`. @default 1000 */
  scanCount?: number
}

/**
 * A tier in Redis, shared by every process that points at the same server and prefix. One Redis key per
 * entry, holding the file tier's format (a JSON header, then large byte arrays raw), with an absolute expiry
 * (`PXAT`) so Redis drops entries by itself and every process agrees on when. Commands are bounded by a
 * timeout and a circuit breaker (see `RedisConnectionOptions`), and fail as `StorageError` with `tier: 'redis'`.
 */
export class RedisTier implements Tier {
  readonly name = 'redis'
  /** Seen by every process: an invalidation bus message leaves it alone (the sender changed it already). */
  readonly shared = true
  readonly needsEncoded = true
  readonly prefix: string
  /** Fleet leases (see redis-lease.ts), when the connection can send the commands they need. */
  readonly leases: RedisLeases | undefined
  readonly #opened: OpenedConnection
  readonly #redis: RedisConnection
  readonly #guard: RedisGuard
  readonly #clock: Clock
  readonly #scanCount: number
  readonly #prefixLength: number
  #closed: Promise<void> | undefined

  constructor(options: RedisTierOptions) {
    const prefix = options.prefix ?? 'tc:'
    if (typeof prefix !== 'string' || prefix === '' || !prefix.isWellFormed())
      throw new TypeError(
        `prefix option must be a non-empty string of well-formed text (got ${String(prefix)})`,
      )
    const scanCount = options.scanCount ?? 1_000
    if (!Number.isInteger(scanCount) || scanCount < 1)
      throw new TypeError(`scanCount option must be a positive integer (got ${String(scanCount)})`)
    const { opened, guard } = openConnection(options, this.name)
    this.prefix = prefix
    this.#prefixLength = Buffer.byteLength(prefix)
    this.#opened = opened
    this.#redis = opened.connection
    this.#guard = guard
    this.#clock = options.clock ?? systemClock
    this.#scanCount = scanCount
    this.leases = RedisLeases.supportedBy(this.#redis)
      ? new RedisLeases(this.#redis, guard, prefix)
      : undefined
  }

  async get(key: string): Promise<Entry | undefined> {
    const bytes = await this.#guard.run('read', key, () =>
      this.#redis.get(joinKey(this.prefix, key)),
    )
    if (bytes === null) return undefined
    const entry = parseEntry(bytes, key) // checks the key it holds: another key's bytes are a miss
    return entry === undefined || entry.expiresAt <= this.#clock.now() ? undefined : entry
  }

  async set(entry: Entry): Promise<void> {
    if (entry.encoded === undefined) throw new TypeError('RedisTier.set needs entry.encoded')
    const parts = entryFileParts(entry)
    const value =
      parts.length === 1
        ? (parts[0] as string)
        : Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)))
    const expiresAt = entry.expiresAt === Infinity ? undefined : this.#redisExpiry(entry.expiresAt)
    await this.#guard.run('write', entry.key, () =>
      this.#redis.set(joinKey(this.prefix, entry.key), value, expiresAt),
    )
  }

  async delete(key: string): Promise<boolean> {
    return (
      (await this.#guard.run('delete', key, () =>
        this.#redis.unlink([joinKey(this.prefix, key)]),
      )) > 0
    )
  }

  /**
   * `SCAN MATCH` over every server (every master of a cluster), then `UNLINK` of each batch's matches. The
   * glob goes to Redis with its special characters escaped; `match` itself judges each key, so a RegExp or a
   * bare predicate works too (filtered here).
   */
  async clear(match?: KeyPredicate): Promise<number> {
    const exact = (match as Partial<KeyMatcher> | undefined)?.exact
    if (typeof exact === 'string') return (await this.delete(exact)) ? 1 : 0
    let removed = 0
    await this.#scan(scanPattern(this.prefix, match), async (found) => {
      const keys = this.#entriesOf(found)
      const doomed = match ? keys.filter((key) => match(this.#keyOf(key))) : keys
      if (doomed.length)
        removed += await this.#guard.run('clear', undefined, () => this.#redis.unlink(doomed))
    })
    return removed
  }

  /** Redis expires entries by itself (`PXAT`): nothing to do. */
  async prune(): Promise<number> {
    return 0
  }

  /** Walks every key under the prefix (`SCAN`, then `STRLEN` per key): O(entries) round trips in batches. */
  async stats(): Promise<TierStats> {
    let entries = 0
    let bytes = 0
    await this.#scan(scanPattern(this.prefix), async (found) => {
      const keys = this.#entriesOf(found)
      if (keys.length === 0) return
      entries += keys.length
      const sizes = await this.#guard.run('read sizes', undefined, () => this.#redis.strlen(keys))
      for (const size of sizes) bytes += size
    })
    return { entries, bytes, evictions: 0 }
  }

  /** Closes the connection the tier opened (`url`); a client the caller passed in stays open. */
  close(): Promise<void> {
    this.#closed ??= this.#opened.close()
    return this.#closed
  }

  /** Runs `batch` on each batch of keys a `SCAN MATCH pattern` of every node returns. */
  async #scan(pattern: Buffer, batch: (keys: Buffer[]) => Promise<void>): Promise<void> {
    const nodes = await this.#guard.run('list servers', undefined, () => this.#redis.scanNodes())
    for (const node of nodes) {
      let cursor = '0'
      do {
        const [next, keys] = await this.#guard.run('scan', undefined, () =>
          node.scan(cursor, pattern, this.#scanCount),
        )
        cursor = next
        if (keys.length) await batch(keys)
      } while (cursor !== '0')
    }
  }

  /** The entry keys of a SCAN batch: leases (the byte 0xFF after the prefix) are never entries. */
  #entriesOf(keys: Buffer[]): Buffer[] {
    return keys.filter((key) => key[this.#prefixLength] !== LEASE_MARK)
  }

  #keyOf(redisKey: Buffer): string {
    return keyFromBytes(redisKey.subarray(this.#prefixLength))
  }

  /** `expiresAt` on Redis's clock: the same when the tier runs on the wall clock. */
  #redisExpiry(expiresAt: number): number {
    const offset = this.#clock === systemClock ? 0 : Date.now() - this.#clock.now()
    return Math.max(1, Math.ceil(expiresAt + offset))
  }
}
