import { systemClock, type Clock } from '../core/clock'
import { describeFailure, StorageError } from '../core/exceptions'
import type { KeyMatcher } from '../core/pattern'
import type { Entry, KeyPredicate, Tier, TierStats } from '../storage/tier'
import type { TagCounters } from '../storage/tier-tags'
import { entryFileParts, parseEntry } from '../storage/tiers/file-format'
import { openConnection, type RedisConnectionOptions } from './options'
import type { OpenedConnection, RedisConnection } from './connection'
import { type RedisGuard } from './guard'
import { joinKey, keyFromBytes, scanPattern } from './key-bytes'
import { LEASE_MARK, RedisLeases } from './redis-lease'

/**
 * The options of `new RedisTier(options)`: how to reach Redis (one of `url`, `client`, `connection`),
 * the key prefix, and the bounds on a slow or absent server.
 *
 * @example
 * ```ts
 * import { RedisTier, type RedisTierOptions } from 'tiercache/redis'
 *
 * const options: RedisTierOptions = {
 *   url: process.env.REDIS_URL, // or `client` (your node-redis client) or `connection`
 *   prefix: 'my-app:', // this cache's own keys: clear() and stats() walk them
 *   commandTimeout: '500ms',
 *   breaker: { failures: 3, cooldown: '5s' },
 * }
 * const tier = new RedisTier(options)
 * ```
 */
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

/** Starts the tag counters' keys after the prefix: 0xFF never occurs in UTF-8 (or WTF-8), so in no entry key. */
// Tag counters and leases follow the prefix with the byte 0xFF, which no entry key (UTF-8) holds.
const TAG_MARK_BYTES = Buffer.of(LEASE_MARK)

/**
 * A tier in Redis, shared by every process that points at the same server and prefix. One Redis key per
 * entry, holding the file tier's format (a JSON header, then large byte arrays raw), with an absolute expiry
 * (`PXAT`) so Redis drops entries by itself and every process agrees on when. Commands are bounded by a
 * timeout and a circuit breaker (see `RedisConnectionOptions`), and fail as `StorageError` with `tier: 'redis'`.
 *
 * @example
 * ```ts
 * import { Cache, MemoryTier } from 'tiercache'
 * import { RedisTier } from 'tiercache/redis'
 *
 * // Memory in each process, Redis shared by the fleet.
 * const cache = new Cache({
 *   tiers: [new MemoryTier(), new RedisTier({ url: process.env.REDIS_URL, prefix: 'my-app:' })],
 * })
 * ```
 */
export class RedisTier implements Tier, TagCounters {
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

  get(key: string): Promise<Entry | undefined> {
    return this.#guard
      .run('read', key, () => this.#redis.get(joinKey(this.prefix, key)))
      .then((bytes) => {
        if (bytes === null) return undefined
        const entry = parseEntry(bytes, key) // checks the key it holds: another key's bytes are a miss
        return entry === undefined || entry.expiresAt <= this.#clock.now() ? undefined : entry
      })
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

  /** Tag counters: the Redis key `<prefix>` + byte 0xFF + `tag:<tag>`, which no entry key can spell. */
  async tagVersions(tags: readonly string[]): Promise<number[]> {
    return Promise.all(
      tags.map(async (tag) => {
        const bytes = await this.#guard.run('read tag counter of', tag, () =>
          this.#redis.get(this.#tagKey(tag)),
        )
        const counter = bytes === null ? 0 : Number(bytes.toString())
        // Something else wrote the key: no count to stamp with or check against. A failure (so a miss),
        // outside the guard: Redis answered, its circuit breaker has nothing to count.
        if (Number.isSafeInteger(counter) && counter >= 0) return counter
        const reason = 'the tag counter holds no count'
        throw new StorageError(describeFailure(this.name, 'read tag counter of', tag, reason), {
          key: tag,
          tier: this.name,
        })
      }),
    )
  }

  /** `INCR` of each tag's counter: atomic on the server, whichever process sends it. */
  async bumpTags(tags: readonly string[]): Promise<number[]> {
    const redis = this.#redis
    return Promise.all(
      tags.map((tag) =>
        this.#guard.run('invalidate tag', tag, () => {
          if (typeof redis.incr !== 'function')
            throw new TypeError('this Redis connection has no incr(): tags need it')
          return redis.incr(this.#tagKey(tag))
        }),
      ),
    )
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

  /**
   * The keys under the prefix, streamed one `SCAN` batch at a time from every server (every master of a
   * cluster); Redis leaves out what it expired. SCAN may return a key twice while the server resizes its table.
   */
  async *keys(match?: KeyPredicate): AsyncGenerator<string> {
    const nodes = await this.#guard.run('list servers', undefined, () => this.#redis.scanNodes())
    const pattern = scanPattern(this.prefix, match)
    for (const node of nodes) {
      let cursor = '0'
      do {
        const [next, batch] = await this.#guard.run('scan', undefined, () =>
          node.scan(cursor, pattern, this.#scanCount),
        )
        cursor = next
        for (const redisKey of batch) {
          const key = this.#keyOf(redisKey)
          if (match === undefined || match(key)) yield key
        }
      } while (cursor !== '0')
    }
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
        const entries = this.#entriesOf(keys)
        if (entries.length) await batch(entries)
      } while (cursor !== '0')
    }
  }

  #tagKey(tag: string): Buffer {
    const text = joinKey('tag:', tag)
    return Buffer.concat([
      Buffer.from(this.prefix),
      TAG_MARK_BYTES,
      typeof text === 'string' ? Buffer.from(text) : text,
    ])
  }

  /** The entry keys of a SCAN batch: tag counters and leases (the byte 0xFF after the prefix) are never entries. */
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
