import type * as Redis from 'redis'
import type { KeyMatcher } from '../core/pattern'
import { joinKey, keyFromBytes, scanPattern } from '../redis/key-bytes'
import { CommandError } from './command'
import { headOf, parseHeader, type EntryFault, type EntryHead } from './entry-head'

/**
 * The entries under a RedisTier's prefix, for `--redis URL --prefix P`. The `redis` package (an optional peer)
 * is loaded only here, and only when --redis is given. A RedisTier stores the file tier's format, so a header
 * is the first bytes of a value: read with GETRANGE, never the whole value. Keys are walked with SCAN (a
 * single server; a cluster's nodes are not walked).
 */

/** The RedisTier's default prefix. */
export const DEFAULT_PREFIX = 'tc:'
const FIRST_READ_BYTES = 1024
const SCAN_COUNT = '1000'

type Reply = Buffer | number | null | Reply[]

export interface RedisSource {
  url: string
  prefix: string
  /** The head of every entry under the prefix whose key `match` accepts, a batch of SCAN at a time. */
  heads(match?: KeyMatcher): AsyncGenerator<EntryHead | EntryFault>
  /** The whole stored value of `key`, or null. */
  read(key: string): Promise<Buffer | null>
  /** Removes the keys `match` accepts, as RedisTier.clear does (SCAN MATCH, then UNLINK per batch). */
  clear(match: KeyMatcher): Promise<number>
  close(): Promise<void>
}

export async function openRedisSource(url: string, prefix = DEFAULT_PREFIX): Promise<RedisSource> {
  if (prefix === '') throw new CommandError('--prefix must not be empty')
  let redis: typeof Redis
  try {
    redis = await import('redis')
  } catch {
    throw new CommandError('--redis needs the redis package: npm install redis')
  }
  const client = redis
    .createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 5_000, reconnectStrategy: false },
    })
    .withTypeMapping({ [redis.RESP_TYPES.BLOB_STRING]: Buffer })
  client.on('error', () => {}) // the command that fails reports it
  try {
    await client.connect()
  } catch (err) {
    throw new CommandError(`cannot reach Redis at ${url}: ${(err as Error).message}`)
  }
  const send = (args: (string | Buffer)[]) => client.sendCommand(args) as Promise<Reply>
  const prefixBytes = Buffer.byteLength(prefix)

  async function headOfKey(redisKey: Buffer): Promise<EntryHead | EntryFault | undefined> {
    const name = keyFromBytes(redisKey)
    const key = keyFromBytes(redisKey.subarray(prefixBytes))
    // Sent together: node-redis pipelines commands of one tick.
    const [first, size] = (await Promise.all([
      send(['GETRANGE', redisKey, '0', String(FIRST_READ_BYTES - 1)]),
      send(['STRLEN', redisKey]),
    ])) as [Buffer | null, number]
    if (size === 0) return undefined // gone meanwhile (or an empty value, which no tier writes)
    let fields = parseHeader(first?.toString('utf8') ?? '')
    for (
      let wanted = FIRST_READ_BYTES * 16;
      fields === undefined && wanted / 16 < size;
      wanted *= 16
    ) {
      const more = (await send(['GETRANGE', redisKey, '0', String(wanted - 1)])) as Buffer | null
      fields = parseHeader(more?.toString('utf8') ?? '')
    }
    return headOf(name, fields, size, NaN, (k) => k === key)
  }

  /** The Redis keys under the prefix that `match` accepts, a SCAN batch at a time. */
  async function* batches(match: KeyMatcher | undefined): AsyncGenerator<Buffer[]> {
    const pattern = scanPattern(prefix, match)
    let cursor = '0'
    do {
      const [next, keys] = (await send([
        'SCAN',
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        SCAN_COUNT,
      ])) as [Buffer, Buffer[]]
      cursor = next.toString()
      yield match ? keys.filter((k) => match(keyFromBytes(k.subarray(prefixBytes)))) : keys
    } while (cursor !== '0')
  }

  return {
    url,
    prefix,
    async *heads(match) {
      for await (const keys of batches(match))
        for (const head of await Promise.all(keys.map(headOfKey)))
          if (head !== undefined) yield head
    },
    async clear(match) {
      let removed = 0
      for await (const keys of batches(match))
        if (keys.length) removed += (await send(['UNLINK', ...keys])) as number
      return removed
    },
    async read(key) {
      return (await send(['GET', joinKey(prefix, key)])) as Buffer | null
    },
    async close() {
      await client.close()
    },
  }
}

/** Where `--redis` is used, the entries as the commands show them: `redis <url> prefix <prefix>`. */
export function describeSource(source: RedisSource): string {
  return `redis ${source.url} (prefix ${source.prefix})`
}
