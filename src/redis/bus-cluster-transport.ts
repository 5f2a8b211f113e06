import {
  livenessOptions,
  socketLiveness,
  startSubscription,
  type BusTransport,
  type Liveness,
} from './bus-transport'
import { Watchdog } from './watchdog'

/**
 * What the bus uses of a node-redis cluster (`createCluster`, v5+): commands, and a copy for the subscriber.
 *
 * @example
 * ```ts
 * import { createCluster } from 'redis'
 * import { RedisBus, type NodeRedisBusCluster } from 'tiercache/redis'
 *
 * const cluster = createCluster({ rootNodes: [{ url: 'redis://10.0.0.1:7000' }] })
 * await cluster.connect()
 * // A node-redis cluster is one: the bus publishes on it with sharded Pub/Sub (Redis 7+).
 * const client: NodeRedisBusCluster = cluster
 * const bus = new RedisBus({ client, channel: 'tiercache' })
 * ```
 */
export interface NodeRedisBusCluster {
  sendCommand(
    firstKey: string | Buffer | undefined,
    isReadonly: boolean | undefined,
    args: readonly (string | Buffer)[],
    options?: object,
  ): Promise<unknown>
  duplicate(overrides?: object): NodeRedisClusterSubscriber
  readonly masters: readonly unknown[]
  /** The cluster's options: the subscriber keeps the node defaults (TLS, auth), adding its own bounds. */
  readonly _options?: { defaults?: { socket?: object } }
}

/** The subscriber copy: a cluster of its own connections. */
export interface NodeRedisClusterSubscriber {
  connect(): Promise<unknown>
  sSubscribe(channel: string, listener: (message: string) => void): Promise<void>
  on(
    event: 'error' | 'node-error' | 'node-reconnecting' | 'node-ready',
    listener: (...args: unknown[]) => void,
  ): unknown
  close(): Promise<unknown>
  destroy(): void
  readonly isOpen: boolean
}

export function isNodeRedisBusCluster(client: object): client is NodeRedisBusCluster {
  return 'masters' in client && typeof (client as NodeRedisBusCluster).duplicate === 'function'
}

/**
 * A transport on a node-redis cluster, with sharded Pub/Sub (Redis 7+): `SPUBLISH` goes to the master that
 * owns the channel's slot, and the subscriber (a `duplicate()` of the cluster, opened and closed here) holds
 * one `SSUBSCRIBE` connection to that master. Unlike `PUBLISH`, which every node forwards to every other over
 * the cluster bus, a message crosses the cluster once; node-redis follows the channel if its slot moves. The
 * user's cluster publishes and stays open.
 */
export function nodeRedisClusterTransport(
  cluster: NodeRedisBusCluster,
  timeoutMs: number,
  liveness: Liveness | undefined,
): BusTransport {
  // node-redis's timeout drops a command queued while its node is offline; the watchdog bounds one written.
  const options = { timeout: timeoutMs }
  const watchdog = new Watchdog(timeoutMs)
  return {
    publish: (channel, message) =>
      watchdog.bound(cluster.sendCommand(channel, false, ['SPUBLISH', channel, message], options)),
    subscribe(channel, events) {
      const defaults = cluster._options?.defaults
      const subscriber = cluster.duplicate({
        defaults: {
          ...defaults,
          // The liveness check as in `nodeRedisTransport`, on every node connection of the subscriber.
          ...livenessOptions(liveness),
          socket: {
            ...defaults?.socket,
            connectTimeout: Math.max(timeoutMs, 1_000),
            reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
            ...socketLiveness(liveness),
          },
        },
      })
      // A node connection lost (or silent) is a possible loss of messages; the subscription is back once every
      // node lost has reconnected ('ready' comes after node-redis renewed its subscriptions).
      const down = new Set<string>()
      const nodeOf = (info: unknown) => {
        const { host, port } = (info ?? {}) as { host?: string; port?: number }
        return `${host}:${port}`
      }
      const lose = (info: unknown) => {
        if (down.size === 0) events.lost()
        down.add(nodeOf(info))
      }
      subscriber.on('error', () => {})
      subscriber.on('node-error', (_error, info) => lose(info))
      subscriber.on('node-reconnecting', (info) => lose(info))
      subscriber.on('node-ready', (info) => {
        if (!down.delete(nodeOf(info)) || down.size > 0) return
        events.reconnected()
      })
      return startSubscription(
        subscriber,
        () => subscriber.sSubscribe(channel, (message) => events.message(message)),
        () => down.size === 0,
        events,
        timeoutMs,
      )
    },
    // Nothing of its own to close: the cluster is the user's, the subscriber closes with its subscription.
    close: async () => {},
  }
}
