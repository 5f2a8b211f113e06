import { readClock, systemClock, type Clock } from '../core/clock'
import { describeFailure, StorageError } from '../core/exceptions'
import type { Entry, KeyPredicate, Tier, TierStats } from '../storage/tier'
import { entryUnder, fromStoredText, storeKeyOf, toStoredText } from './stored-form'

/**
 * What `KeyvTier` uses of a Keyv instance (Keyv 5 or 6): typed by shape, so tiercache never loads keyv.
 * @example
 * ```ts
 * import Keyv from 'keyv'
 * import type { KeyvLike } from 'tiercache/keyv'
 *
 * const keyv: KeyvLike = new Keyv({ namespace: 'tiercache' })
 * ```
 */
export interface KeyvLike {
  get(key: string): Promise<unknown>
  set(key: string, value: string, ttl?: number): Promise<unknown>
  delete(key: string): Promise<unknown>
  /** Keyv 5 has it only for stores that can list (SQL, Mongo, Redis…); Keyv 6 always. */
  iterator?: unknown
  disconnect?(): Promise<unknown>
  on(event: 'error', listener: (error: unknown) => void): unknown
  off?(event: 'error', listener: (error: unknown) => void): unknown
}

/**
 * Options of `KeyvTier`.
 * @example
 * ```ts
 * import Keyv from 'keyv'
 * import type { KeyvTierOptions } from 'tiercache/keyv'
 *
 * const options: KeyvTierOptions = { keyv: new Keyv({ namespace: 'tc' }), name: 'sqlite', maxKeyLength: 120 }
 * ```
 */
export interface KeyvTierOptions {
  /**
   * A Keyv over the store, e.g. `new Keyv({ store: new KeyvPostgres(uri), namespace: 'tiercache' })`. Its
   * namespace is the tier's: `clear()` and `prune()` walk every key in it, so give it no other data. Every write
   * passes its own TTL, so Keyv's default `ttl` never applies. Keyv 5's `throwOnErrors` is turned on.
   */
  keyv: KeyvLike
  /** The tier's name in errors and stats. @default 'keyv' */
  name?: string
  /**
   * True when every process of a fleet sees the store (PostgreSQL, MySQL, Mongo): an invalidation bus then
   * leaves it alone. Leave it false for a store local to the process. @default false
   */
  shared?: boolean
  /**
   * Keys longer than this many UTF-16 units (and keys with NUL or lone surrogates) are stored under a hash;
   * the real key is kept in the value. Leave room for Keyv's `<namespace>:` in the store's key column
   * (`VARCHAR(255)` in @keyv/postgres and @keyv/mysql). @default 200
   */
  maxKeyLength?: number
  /** `close()` disconnects the Keyv (its pool or client). @default true */
  disconnectOnClose?: boolean
  /** Time source for expiry. */
  clock?: Clock
}

/**
 * Any Keyv store as a tier: PostgreSQL, MySQL, SQLite, MongoDB, etcd… through the Keyv adapter you already
 * run. Entries are stored in the file tier's format, as text (see stored-form.ts), so Date, Buffer and Map
 * survive whatever serializer the Keyv has, with the remaining lifetime as Keyv's TTL (milliseconds) and the
 * absolute expiry inside, judged on this tier's clock. A failure the Keyv reports (it emits `error` and answers
 * `undefined` or `false`) becomes a StorageError. `keys()`, `clear()`, `prune()` and `stats()` walk the
 * namespace with the Keyv's `iterator()`.
 *
 * @example
 * ```ts
 * import Keyv from 'keyv'
 * import KeyvPostgres from '@keyv/postgres'
 * import { Cache, MemoryTier } from 'tiercache'
 * import { KeyvTier } from 'tiercache/keyv'
 *
 * const store = new Keyv({ store: new KeyvPostgres({ uri: process.env.DATABASE_URL }), namespace: 'tc' })
 * const cache = new Cache({ tiers: [new MemoryTier(), new KeyvTier({ keyv: store, shared: true })] })
 * ```
 */
export class KeyvTier implements Tier {
  readonly name: string
  readonly needsEncoded = true
  readonly shared: boolean
  readonly #keyv: KeyvLike
  readonly #clock: Clock
  readonly #maxKeyLength: number
  readonly #disconnectOnClose: boolean
  /** Errors the Keyv emitted: an operation during which one arrived failed, whatever it answered. */
  #failures = 0
  #lastFailure: unknown
  readonly #onError = (error: unknown) => {
    this.#failures++
    this.#lastFailure = error
  }
  #closed: Promise<void> | undefined

  constructor(options: KeyvTierOptions) {
    const { keyv, maxKeyLength = 200 } = options ?? {}
    if (typeof keyv?.get !== 'function' || typeof keyv.on !== 'function')
      throw new TypeError('keyv option must be a Keyv instance (new Keyv({ store }))')
    if (!Number.isInteger(maxKeyLength) || maxKeyLength < 1)
      throw new TypeError(
        `maxKeyLength option must be a positive integer (got ${String(maxKeyLength)})`,
      )
    this.name = options.name ?? 'keyv'
    this.shared = options.shared === true
    this.#keyv = keyv
    this.#clock = options.clock ?? systemClock
    this.#maxKeyLength = maxKeyLength
    this.#disconnectOnClose = options.disconnectOnClose !== false
    keyv.on('error', this.#onError)
    // Keyv 5 answers a failed read with `undefined` and no event unless told to throw: a tier must tell a
    // failure from a miss. (Keyv 6 emits `error` for every failure.)
    if ('throwOnErrors' in keyv) (keyv as { throwOnErrors: boolean }).throwOnErrors = true
  }

  async get(key: string): Promise<Entry | undefined> {
    const stored = await this.#run('read', key, () => this.#keyv.get(this.#storeKey(key)))
    const entry = fromStoredText(stored, key) // checks the key it holds: another key's text is a miss
    return entry === undefined || entry.expiresAt <= readClock(this.#clock) ? undefined : entry
  }

  async set(entry: Entry): Promise<void> {
    if (entry.encoded === undefined) throw new TypeError('KeyvTier.set needs entry.encoded')
    // Keyv's TTL is relative, in ms; 0 is "never" to Keyv 5 and 6 alike, whatever their default ttl.
    const never = entry.expiresAt === Infinity
    const ttl = never ? 0 : Math.ceil(entry.expiresAt - readClock(this.#clock))
    if (!never && !(ttl > 0)) {
      await this.delete(entry.key) // dead already: no older copy may linger either
      return
    }
    const written = await this.#run('write', entry.key, () =>
      this.#keyv.set(this.#storeKey(entry.key), toStoredText(entry), ttl),
    )
    if (written === false)
      throw this.#failure('write', entry.key, this.#lastFailure ?? 'the Keyv store refused it')
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#run('delete', key, () => this.#keyv.delete(this.#storeKey(key)))) === true
  }

  /** Walks the namespace, removing what `match` accepts (everything without it); counts live entries. */
  async clear(match?: KeyPredicate): Promise<number> {
    const now = readClock(this.#clock)
    let removed = 0
    for await (const [storeKey, stored] of this.#entries('clear')) {
      const entry = entryUnder(storeKey, stored, this.#maxKeyLength)
      if (match && (entry === undefined || !match(entry.key))) continue
      const gone = await this.#run('clear', entry?.key, () => this.#keyv.delete(storeKey))
      if (gone === true && entry !== undefined && entry.expiresAt > now) removed++
    }
    return removed
  }

  /** Removes entries expired on this tier's clock, and texts this tier cannot read. */
  async prune(): Promise<number> {
    const now = readClock(this.#clock)
    let removed = 0
    for await (const [storeKey, stored] of this.#entries('prune')) {
      const entry = entryUnder(storeKey, stored, this.#maxKeyLength)
      if (entry !== undefined && entry.expiresAt > now) continue
      if ((await this.#run('prune', entry?.key, () => this.#keyv.delete(storeKey))) === true)
        removed++
    }
    return removed
  }

  /** Walks the namespace: O(entries). `bytes` counts the stored text. */
  async stats(): Promise<TierStats> {
    const now = readClock(this.#clock)
    let entries = 0
    let bytes = 0
    for await (const [storeKey, stored] of this.#entries('read stats of')) {
      const entry = entryUnder(storeKey, stored, this.#maxKeyLength)
      if (entry === undefined || entry.expiresAt <= now) continue
      entries++
      bytes += (stored as string).length
    }
    return { entries, bytes, evictions: 0 }
  }

  /** The keys of the live entries, streamed from the Keyv's iterator. */
  async *keys(match?: KeyPredicate): AsyncGenerator<string> {
    const now = readClock(this.#clock)
    for await (const [storeKey, stored] of this.#entries('list the keys')) {
      const entry = entryUnder(storeKey, stored, this.#maxKeyLength)
      if (entry !== undefined && entry.expiresAt > now && (!match || match(entry.key)))
        yield entry.key
    }
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#keyv.off?.('error', this.#onError)
      if (this.#disconnectOnClose) await this.#keyv.disconnect?.()
    })()
    return this.#closed
  }

  #storeKey(key: string): string {
    return storeKeyOf(key, this.#maxKeyLength)
  }

  /** `[store key, stored value]` of the namespace; a StorageError when the Keyv cannot list or failed to. */
  async *#entries(action: string): AsyncGenerator<[string, unknown]> {
    const iterate = this.#keyv.iterator
    if (typeof iterate !== 'function')
      throw this.#failure(action, undefined, 'this Keyv store has no iterator()')
    const before = this.#failures
    try {
      for await (const item of iterate.call(this.#keyv) as AsyncIterable<unknown>) {
        if (Array.isArray(item) && typeof item[0] === 'string') yield [item[0], item[1]]
      }
    } catch (err) {
      throw this.#failure(action, undefined, err)
    }
    // Keyv adapters report a failed page of their iterator as an `error` event, then end early.
    if (this.#failures !== before) throw this.#failure(action, undefined, this.#lastFailure)
  }

  /** `op`, its failure (thrown, or emitted by the Keyv meanwhile) turned into a StorageError. */
  async #run<T>(action: string, key: string | undefined, op: () => Promise<T>): Promise<T> {
    const before = this.#failures
    let result: T
    try {
      result = await op()
    } catch (err) {
      throw this.#failure(action, key, err)
    }
    if (this.#failures !== before) throw this.#failure(action, key, this.#lastFailure)
    return result
  }

  #failure(action: string, key: string | undefined, cause: unknown): StorageError {
    return new StorageError(describeFailure(this.name, action, key, cause), {
      key,
      tier: this.name,
      cause,
    })
  }
}
