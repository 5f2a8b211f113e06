import { createClient, RESP_TYPES } from 'redis'
import type { OpenedConnection, RedisConnection, RedisScanNode } from './connection'
import type { RedisKey } from './key-bytes'

type Arg = string | Buffer

/** What tiercache uses of a node-redis client (`createClient`, v5+). Structural, so any version's type fits. */
export interface NodeRedisClient {
  sendCommand(args: readonly Arg[], options?: object): Promise<unknown>
}

/** What tiercache uses of a node-redis cluster (`createCluster`, v5+). */
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

/** Per command: bulk strings as Buffers (values are bytes), and node-redis's own timeout, which also drops a
 * command still queued when it expires (else a `SET` given up on could land after a later `UNLINK`). */
const commandOptions = (timeoutMs: number) => ({
  typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer },
  timeout: timeoutMs,
})

/** Adapts a user's node-redis client or cluster. It stays theirs: closing the tier leaves it open. */
export function adoptNodeRedis(
  client: NodeRedisClient | NodeRedisCluster,
  timeoutMs: number,
): OpenedConnection {
  const options = commandOptions(timeoutMs)
  const connection = isNodeRedisCluster(client)
    ? clusterConnection(client, options)
    : clientConnection((args) => client.sendCommand(args, options))
  return { connection, close: async () => {} }
}

/**
 * Opens a client of tiercache's own on `url`. It reconnects by itself, forever, at most a second apart, so the
 * tier recovers when Redis comes back. Commands sent while it is disconnected fail at once (no offline queue)
 * rather than wait for the timeout; only those sent before the first connection wait for it.
 */
export function openNodeRedis(url: string, timeoutMs: number): OpenedConnection {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: Math.max(timeoutMs, 1_000),
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
    },
  })
  // Failures reach callers as StorageErrors; without a listener Node would throw the event instead.
  client.on('error', () => {})
  let firstConnection: Promise<unknown> | undefined = client.connect().then(
    () => (firstConnection = undefined),
    () => (firstConnection = undefined), // closed before it ever connected
  )
  const options = { typeMapping: commandOptions(timeoutMs).typeMapping }
  const send = (args: readonly Arg[]) =>
    firstConnection
      ? firstConnection.then(() => client.sendCommand(args, options))
      : client.sendCommand(args, options)
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

async function getBytes(reply: Promise<unknown>): Promise<Buffer | null> {
  try {
    const value = await reply
    return Buffer.isBuffer(value) ? value : null
  } catch (err) {
    // Another writer's hash or list under our key: not an entry, so a miss like any unreadable value.
    if (err instanceof Error && err.message.startsWith('WRONGTYPE')) return null
    throw err
  }
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
