import { createClient, RESP_TYPES } from 'redis'
import type { OpenedConnection, RedisConnection, RedisScanNode } from './connection'
import type { RedisKey } from './key-bytes'

type Arg = string | Buffer

/**
 * What tiercache uses of a node-redis client (`createClient`, v5+). Structural, so any version's type fits.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { RedisTier } from 'tiercache/redis'
 *
 * // TLS, auth and reconnection are yours to set; the tier leaves this client open on close().
 * const client = createClient({ url: process.env.REDIS_URL })
 * client.on('error', (err) => console.warn(err))
 * await client.connect()
 * const tier = new RedisTier({ client, prefix: 'my-app:' })
 * ```
 */
export interface NodeRedisClient {
  sendCommand(args: readonly Arg[], options?: object): Promise<unknown>
  /** Its options: without an offline queue, no command waits in node-redis's queue for a connection. */
  readonly options?: { disableOfflineQueue?: boolean }
  /** A view of the client whose commands all take `options` (node-redis v5+). */
  withCommandOptions?(options: never): NodeRedisClient
}

/**
 * What tiercache uses of a node-redis cluster (`createCluster`, v5+).
 *
 * @example
 * ```ts
 * import { createCluster } from 'redis'
 * import { RedisTier } from 'tiercache/redis'
 *
 * const cluster = createCluster({ rootNodes: [{ url: 'redis://10.0.0.1:7000' }] })
 * cluster.on('error', (err) => console.warn(err))
 * await cluster.connect()
 * const tier = new RedisTier({ client: cluster }) // clear() and stats() scan every master
 * ```
 */
export interface NodeRedisCluster {
  sendCommand(
    firstKey: Arg | undefined,
    isReadonly: boolean | undefined,
    args: readonly Arg[],
    options?: object,
  ): Promise<unknown>
  readonly masters: readonly unknown[]
  nodeClient(node: never): Promise<NodeRedisClient>
}

export function isNodeRedisCluster(
  client: NodeRedisClient | NodeRedisCluster,
): client is NodeRedisCluster {
  return 'masters' in client && typeof (client as NodeRedisCluster).nodeClient === 'function'
}

/** Per command: bulk strings as Buffers (values are bytes). */
const typeMapping = { [RESP_TYPES.BLOB_STRING]: Buffer }

/**
 * Per command for a client that queues commands while offline: node-redis's own timeout as well, which drops
 * a command still queued when it expires (else a `SET` given up on could be sent on reconnection, after a
 * later `UNLINK`). A client without an offline queue is spared it: the timer costs 8 µs of CPU per command
 * (see `ownClientOptions`), and only a full socket buffer holds its commands back, in order.
 */
const commandOptions = (timeoutMs: number, queuesOffline: boolean) =>
  queuesOffline ? { typeMapping, timeout: timeoutMs } : { typeMapping, timeout: 0 }

/** Adapts a user's node-redis client or cluster. It stays theirs: closing the tier leaves it open. */
export function adoptNodeRedis(
  client: NodeRedisClient | NodeRedisCluster,
  timeoutMs: number,
): OpenedConnection {
  const close = async () => {}
  if (isNodeRedisCluster(client))
    return { connection: clusterConnection(client, commandOptions(timeoutMs, true)), close }
  const options = commandOptions(timeoutMs, client.options?.disableOfflineQueue !== true)
  // Options set on a view of the client rather than passed with each command: 1 µs of CPU less per GET (see
  // openNodeRedis). The view shares the client's connection.
  const view = client.withCommandOptions?.(options as never)
  const send = view
    ? (args: readonly Arg[]) => view.sendCommand(args)
    : (args: readonly Arg[]) => client.sendCommand(args, options)
  return { connection: clientConnection(send), close }
}

/**
 * The options of the client tiercache opens on `url` (exported for the bench, whose raw node-redis baseline
 * uses the same).
 */
export function ownClientOptions(url: string, timeoutMs: number) {
  return {
    url,
    disableOfflineQueue: true,
    // No node-redis timeout per command: it arms an `AbortSignal.timeout` (5 s by default) for every command
    // and drops it once the command is written, which cost 8 µs of CPU per 1 KB GET (raw GET + JSON.parse
    // loop on loopback: 21.2 → 13.4 µs CPU, 31.0 → 23.8 µs wall, one sitting; with it node-redis was 30%
    // slower than ioredis, without it level). The guard bounds every call (one watchdog timer for all). A
    // command waits in node-redis's queue here only behind a full socket buffer, and leaves it in order:
    // with no offline queue, commands fail at once while disconnected and are never replayed.
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: Math.max(timeoutMs, 1_000),
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
    },
  }
}

/**
 * Opens a client of tiercache's own on `url`. It reconnects by itself, forever, at most a second apart, so the
 * tier recovers when Redis comes back. Commands sent while it is disconnected fail at once (no offline queue)
 * rather than wait for the timeout; only those sent before the first connection wait for it.
 */
export function openNodeRedis(url: string, timeoutMs: number): OpenedConnection {
  const own = ownClientOptions(url, timeoutMs)
  // Values as Buffers for every command, set on the client: a `typeMapping` passed with each command cost
  // node-redis 1 µs of CPU more per GET (1 KB, loopback: 16.9 → 15.7 µs CPU for GET + parseEntry, one sitting).
  const client = createClient({ ...own, commandOptions: { ...own.commandOptions, typeMapping } })
  // Failures reach callers as StorageErrors; without a listener Node would throw the event instead.
  client.on('error', () => {})
  let firstConnection: Promise<unknown> | undefined = client.connect().then(
    () => (firstConnection = undefined),
    () => (firstConnection = undefined), // closed before it ever connected
  )
  const send = (args: readonly Arg[]) =>
    firstConnection ? afterFirstConnection(args) : client.sendCommand(args)
  /** A command asked for before the first connection, unless the guard gave up on it meanwhile. */
  const afterFirstConnection = (args: readonly Arg[]) => {
    const deadline = performance.now() + timeoutMs
    return firstConnection!.then(() =>
      performance.now() < deadline
        ? client.sendCommand(args)
        : Promise.reject(new Error('not sent: the first connection took longer than the timeout')),
    )
  }
  return {
    connection: clientConnection(send),
    async close() {
      if (!client.isOpen) return
      if (!client.isReady) return client.destroy()
      // Let replies under way arrive, but not for longer than a command may take.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        client.close().catch(() => client.destroy()),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ])
      clearTimeout(timer)
      if (client.isOpen) client.destroy()
    },
  }
}

function clientConnection(send: (args: readonly Arg[]) => Promise<unknown>): RedisConnection {
  const node: RedisScanNode = { scan: (cursor, match, count) => scan(send, cursor, match, count) }
  return {
    get: (key) => getBytes(send(['GET', key])),
    set: async (key, value, expiresAt) => {
      await send(
        expiresAt === undefined
          ? ['SET', key, value]
          : ['SET', key, value, 'PXAT', String(expiresAt)],
      )
    },
    unlink: async (keys) => (keys.length ? Number(await send(['UNLINK', ...keys])) : 0),
    strlen: (keys) => Promise.all(keys.map(async (key) => Number(await send(['STRLEN', key])))),
    incr: async (key) => Number(await send(['INCR', key])),
    scanNodes: async () => [node],
    setIfAbsent: async (key, value, ttlMs) =>
      (await send(['SET', key, value, 'NX', 'PX', String(ttlMs)])) !== null,
    evalOnKey: (script, key, args) => send(['EVAL', script, '1', key, ...args]),
  }
}

function clusterConnection(cluster: NodeRedisCluster, options: object): RedisConnection {
  const send = (key: RedisKey, readonly: boolean, args: readonly Arg[]) =>
    cluster.sendCommand(key, readonly, args, options)
  return {
    get: (key) => getBytes(send(key, true, ['GET', key])),
    set: async (key, value, expiresAt) => {
      await send(
        key,
        false,
        expiresAt === undefined
          ? ['SET', key, value]
          : ['SET', key, value, 'PXAT', String(expiresAt)],
      )
    },
    // One UNLINK per key: keys of one batch lie in different slots. node-redis pipelines them.
    unlink: async (keys) =>
      (await Promise.all(keys.map((key) => send(key, false, ['UNLINK', key])))).reduce<number>(
        (sum, removed) => sum + Number(removed),
        0,
      ),
    strlen: (keys) =>
      Promise.all(keys.map(async (key) => Number(await send(key, true, ['STRLEN', key])))),
    incr: async (key) => Number(await send(key, false, ['INCR', key])),
    setIfAbsent: async (key, value, ttlMs) =>
      (await send(key, false, ['SET', key, value, 'NX', 'PX', String(ttlMs)])) !== null,
    evalOnKey: (script, key, args) => send(key, false, ['EVAL', script, '1', key, ...args]),
    scanNodes: async () =>
      Promise.all(
        cluster.masters.map(async (master) => {
          const client = await cluster.nodeClient(master as never)
          return {
            scan: (cursor: string, match: Buffer, count: number) =>
              scan((args) => client.sendCommand(args, options), cursor, match, count),
          }
        }),
      ),
  }
}

function getBytes(reply: Promise<unknown>): Promise<Buffer | null> {
  return reply.then(
    (value) => (Buffer.isBuffer(value) ? value : null),
    (err: unknown) => {
      // Another writer's hash or list under our key: not an entry, so a miss like any unreadable value.
      if (err instanceof Error && err.message.startsWith('WRONGTYPE')) return null
      throw err
    },
  )
}

async function scan(
  send: (args: readonly Arg[]) => Promise<unknown>,
  cursor: string,
  match: Buffer,
  count: number,
): Promise<[string, Buffer[]]> {
  const [next, keys] = (await send(['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)])) as [
    Buffer | string,
    Buffer[],
  ]
  return [String(next), keys]
}
