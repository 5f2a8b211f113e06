import type { RedisKey } from './key-bytes'

/**
 * The few Redis commands tiercache sends, behind one small interface so that any client can serve them.
 * node-redis (v5+) clients and clusters are adapted by tiercache itself (`client` option); another client
 * (ioredis, …) takes a dozen lines: see the README, "Scaling out". Keys and values are bytes: a `string`
 * argument is sent as UTF-8, a `Buffer` as is.
 *
 * @example
 * ```ts
 * import { RedisTier, type RedisConnection, type RedisKey, type RedisScanNode } from 'tiercache/redis'
 *
 * // A connection over a Map, for tests without a server (it keeps entries until they are deleted).
 * const store = new Map<string, Buffer>()
 * const id = (key: RedisKey) => (typeof key === 'string' ? Buffer.from(key) : key).toString('hex')
 * const node: RedisScanNode = {
 *   scan: async () => ['0', [...store.keys()].map((hex) => Buffer.from(hex, 'hex'))], // one batch, done
 * }
 * const connection: RedisConnection = {
 *   get: async (key) => store.get(id(key)) ?? null,
 *   set: async (key, value) => void store.set(id(key), Buffer.from(value)),
 *   unlink: async (keys) => keys.filter((key) => store.delete(id(key))).length,
 *   strlen: async (keys) => keys.map((key) => store.get(id(key))?.length ?? 0),
 *   scanNodes: async () => [node],
 * }
 * const tier = new RedisTier({ connection, prefix: 'test:' })
 * ```
 */
export interface RedisConnection {
  /** `GET key`: the value's bytes, or `null` when the key is missing or does not hold a string. */
  get(key: RedisKey): Promise<Buffer | null>
  /** `SET key value`, with `PXAT expiresAt` (epoch ms) when `expiresAt` is given. */
  set(key: RedisKey, value: string | Buffer, expiresAt?: number): Promise<void>
  /**
   * `UNLINK` of every key in `keys`; resolves to how many existed. On a cluster the keys may lie in different
   * slots: the adapter splits them (one `UNLINK` per key, pipelined, is enough).
   */
  unlink(keys: readonly RedisKey[]): Promise<number>
  /** `STRLEN` of each key, in order (0 for a missing key). */
  strlen(keys: readonly RedisKey[]): Promise<number[]>
  /**
   * `INCR key`: the counter after the increment. Needed only for tags (`invalidateTags`); a connection
   * without it still serves every other call, and `invalidateTags` fails with a StorageError that says so.
   */
  incr?(key: RedisKey): Promise<number>
  /** The servers a `SCAN` must visit to see every key: the one server, or every master of a cluster. */
  scanNodes(): Promise<readonly RedisScanNode[]>
  /**
   * `SET key value NX PX ttlMs`: true when the key was set (it did not exist). With `evalOnKey`, lets the tier
   * offer fleet leases; a connection without them has none (every process then computes its own misses).
   */
  setIfAbsent?(key: RedisKey, value: string, ttlMs: number): Promise<boolean>
  /** `EVAL script 1 key ...args`: the script's reply. */
  evalOnKey?(script: string, key: RedisKey, args: readonly string[]): Promise<unknown>
}

/**
 * One server's keyspace, walked with `SCAN`.
 *
 * @example
 * ```ts
 * import { RedisTier, type RedisConnection, type RedisKey, type RedisScanNode } from 'tiercache/redis'
 *
 * // A connection over a Map, for tests without a server (it keeps entries until they are deleted).
 * const store = new Map<string, Buffer>()
 * const id = (key: RedisKey) => (typeof key === 'string' ? Buffer.from(key) : key).toString('hex')
 * const node: RedisScanNode = {
 *   scan: async () => ['0', [...store.keys()].map((hex) => Buffer.from(hex, 'hex'))], // one batch, done
 * }
 * const connection: RedisConnection = {
 *   get: async (key) => store.get(id(key)) ?? null,
 *   set: async (key, value) => void store.set(id(key), Buffer.from(value)),
 *   unlink: async (keys) => keys.filter((key) => store.delete(id(key))).length,
 *   strlen: async (keys) => keys.map((key) => store.get(id(key))?.length ?? 0),
 *   scanNodes: async () => [node],
 * }
 * const tier = new RedisTier({ connection, prefix: 'test:' })
 * ```
 */
export interface RedisScanNode {
  /** `SCAN cursor MATCH match COUNT count`: the next cursor ('0' when done) and a batch of keys, as bytes. */
  scan(cursor: string, match: Buffer, count: number): Promise<[cursor: string, keys: Buffer[]]>
}

/** A connection and how to let it go: `close` ends what tiercache opened and leaves a user's client open. */
export interface OpenedConnection {
  readonly connection: RedisConnection
  close(): Promise<void>
}
