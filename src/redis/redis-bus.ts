import { describeFailure, StorageError } from '../core/exceptions'
import { toMs, type Duration } from '../core/duration'
import { markRepeated } from '../core/repeated-failure'
import type { BusReceiver, CacheBus } from '../storage/bus'
import {
  nodeRedisTransport,
  type BusTransport,
  type Liveness,
  type NodeRedisBusClient,
} from './bus-transport'
import {
  isNodeRedisBusCluster,
  nodeRedisClusterTransport,
  type NodeRedisBusCluster,
} from './bus-cluster-transport'

/**
 * The options of `new RedisBus(options)`: how to reach Redis (one of `url`, `client`, `connection`),
 * the channel, and the retry queue.
 *
 * @example
 * ```ts
 * import { RedisBus, type RedisBusOptions } from 'tiercache/redis'
 *
 * const options: RedisBusOptions = { url: process.env.REDIS_URL, channel: 'my-app:bus', queueSize: 5_000 }
 * const bus = new RedisBus(options)
 * ```
 */
export interface RedisBusOptions {
  /** `redis[s]://…`: the bus opens a publisher and a subscriber of its own, and closes both. */
  url?: string
  /**
   * A node-redis client or cluster you built and connected. The bus publishes through it and subscribes on a
   * `duplicate()` of it, which it opens and closes; yours stays open. On a cluster (`createCluster`) it uses
   * sharded Pub/Sub, `SPUBLISH` and `SSUBSCRIBE` (Redis 7+): each message goes to the one master that owns
   * the channel's slot, rather than to every node.
   */
  client?: NodeRedisBusClient | NodeRedisBusCluster
  /** Any other client, adapted to `BusTransport` (README: "Scaling out"). Stays yours. */
  connection?: BusTransport
  /** The Pub/Sub channel; every cache of one fleet (and one prefix) uses the same. @default 'tc:bus' */
  channel?: string
  /** Longest wait for one `PUBLISH`. @default '1s' */
  commandTimeout?: Duration
  /** Messages kept for a retry while Redis cannot be reached; past that the oldest are lost. @default 1000 */
  queueSize?: number
  /**
   * The subscriber's liveness check (and that of the publisher opened on `url`), for a server that stops
   * answering while the connection stays up (a frozen host, a half-open connection after a network
   * failure): no error would ever show, and messages would be missed in silence. A `PING` goes out every
   * `interval` once the last was answered; a connection
   * silent for `interval + timeout` is dropped and made again, and once the subscription is back the cache
   * drops its memory tier, as after any lost connection. So a frozen server is noticed within about
   * `2 × interval + timeout`. `false` turns it off (a connection is then lost only when the OS says so).
   * @default { interval: '2s', timeout: '2s' }
   */
  liveness?: { interval?: Duration; timeout?: Duration } | false
}

const RETRY_MS = { first: 100, max: 1_000 }

/**
 * The invalidation bus on Redis Pub/Sub (see `CacheBus`). A publish that fails is retried from a bounded
 * queue (100 ms, then doubling up to 1 s apart), in the background; messages only drop keys, so they may
 * arrive in any order. When the queue overflows, the oldest messages are lost and one `StorageError`
 * (tier 'redis') per outage goes to the cache's `onError`. The subscriber reconnects by itself; the cache
 * then drops its memory tier, since messages sent meanwhile were lost.
 *
 * @example
 * ```ts
 * import { Cache, FileTier, MemoryTier } from 'tiercache'
 * import { RedisBus, RedisTier } from 'tiercache/redis'
 *
 * const url = process.env.REDIS_URL
 * const cache = new Cache({
 *   tiers: [new MemoryTier(), new FileTier({ dir: 'cache' }), new RedisTier({ url })],
 *   bus: new RedisBus({ url, channel: 'tc:bus' }), // a set or delete here drops the others' local copies
 * })
 * ```
 */
export class RedisBus implements CacheBus {
  readonly channel: string
  readonly #transport: BusTransport
  readonly #ownTransport: boolean
  readonly #queueSize: number
  readonly #queue: string[] = []
  #receiver: BusReceiver | undefined
  #stop: (() => Promise<void>) | undefined
  #retryTimer: NodeJS.Timeout | undefined
  #retryMs = RETRY_MS.first
  /** A retry loop is sending the queue: one at a time. */
  #retrying = false
  /** Messages lost to overflow in this outage; the first loss is reported, the rest are repeats. */
  #lost = 0
  #subscribed = false
  #closed: Promise<void> | undefined

  constructor(options: RedisBusOptions) {
    const given = (['url', 'client', 'connection'] as const).filter((name) => options[name] != null)
    if (given.length !== 1)
      throw new TypeError(
        `give exactly one of the url, client or connection options (got ${given.length ? given.join(', ') : 'none'})`,
      )
    const channel = options.channel ?? 'tc:bus'
    if (typeof channel !== 'string' || channel === '')
      throw new TypeError(`channel option must be a non-empty string (got ${String(channel)})`)
    const queueSize = options.queueSize ?? 1_000
    if (!Number.isInteger(queueSize) || queueSize < 1)
      throw new TypeError(`queueSize option must be a positive integer (got ${String(queueSize)})`)
    const timeoutMs = toMs(options.commandTimeout ?? '1s', 'commandTimeout')
    if (!Number.isFinite(timeoutMs))
      throw new TypeError('commandTimeout option must be finite: a publish must not wait forever')
    if (options.url != null && typeof options.url !== 'string')
      throw new TypeError(`url option must be a string (got ${String(options.url)})`)
    if (options.client != null && typeof options.client.duplicate !== 'function')
      throw new TypeError(
        'client option must be a node-redis (v5+) client or cluster, with duplicate()',
      )
    this.channel = channel
    this.#queueSize = queueSize
    this.#ownTransport = options.connection == null
    const liveness = livenessOf(options.liveness)
    const { client } = options
    this.#transport =
      options.connection ??
      (client != null && isNodeRedisBusCluster(client)
        ? nodeRedisClusterTransport(client, timeoutMs, liveness)
        : nodeRedisTransport(
            options.url != null ? { url: options.url } : { client: client! },
            timeoutMs,
            liveness,
          ))
  }

  /**
   * Whether the subscription is in place now: false until it first is, and from a lost connection (or a
   * failed liveness check) until it is back. For health checks: while false, changes made elsewhere are
   * not heard. (A `connection` you adapted tells it by calling `subscribed`, `lost` and `reconnected`.)
   */
  get subscribed(): boolean {
    return this.#subscribed
  }

  attach(receiver: BusReceiver): void {
    if (this.#receiver)
      throw new TypeError('this RedisBus serves a cache already: give each cache its own')
    if (this.#closed) throw new TypeError('this RedisBus is closed')
    this.#receiver = receiver
    this.#stop = this.#transport.subscribe(this.channel, {
      message: (text) => receiver.message(text),
      subscribed: () => (this.#subscribed = true),
      lost: () => (this.#subscribed = false),
      reconnected: () => {
        this.#subscribed = true
        receiver.reconnected()
      },
      failed: (cause) => {
        this.#subscribed = false
        receiver.error(this.#failure('subscribe to', cause))
      },
    })
  }

  publish(message: string): void {
    if (this.#closed) return
    if (this.#queue.length > 0) return this.#enqueue(message) // keep sends behind the retry
    this.#transport.publish(this.channel, message).catch(() => this.#enqueue(message))
  }

  /** Stops the subscription and the retries; closes the connections the bus opened. Never rejects. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearTimeout(this.#retryTimer)
      this.#subscribed = false
      await Promise.all([
        this.#stop?.().catch(() => undefined),
        this.#ownTransport ? this.#transport.close().catch(() => undefined) : undefined,
      ])
    })()
    return this.#closed
  }

  #enqueue(message: string): void {
    this.#queue.push(message)
    if (this.#queue.length > this.#queueSize) {
      this.#queue.shift()
      const error = this.#failure(
        'publish to',
        new Error(
          `retry queue full (${this.#queueSize} messages): invalidations are being lost, so other processes may serve older values until their memory copies expire or their subscribers reconnect`,
        ),
      )
      this.#receiver?.error(this.#lost++ === 0 ? error : markRepeated(error))
    }
    if (!this.#retrying)
      this.#retryTimer ??= setTimeout(() => void this.#retry(), this.#retryMs).unref()
  }

  /** Sends the queue, in order; on a failure, keeps what was not sent and tries again later. */
  async #retry(): Promise<void> {
    this.#retryTimer = undefined
    this.#retrying = true
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const message = this.#queue[0]!
        try {
          await this.#transport.publish(this.channel, message)
        } catch {
          this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MS.max)
          this.#retryTimer = setTimeout(() => void this.#retry(), this.#retryMs).unref()
          return
        }
        if (this.#queue[0] === message) this.#queue.shift() // unless overflow pushed it out meanwhile
      }
      this.#retryMs = RETRY_MS.first
      this.#lost = 0
    } finally {
      this.#retrying = false
    }
  }

  #failure(action: string, cause: unknown): StorageError {
    return new StorageError(
      describeFailure('redis', `${action} channel ${this.channel}`, undefined, cause),
      {
        tier: 'redis',
        cause,
      },
    )
  }
}

/** The liveness option in ms, checked; undefined when it is off. */
function livenessOf(option: RedisBusOptions['liveness']): Liveness | undefined {
  if (option === false) return undefined
  const intervalMs = toMs(option?.interval ?? '2s', 'liveness.interval')
  const timeoutMs = toMs(option?.timeout ?? '2s', 'liveness.timeout')
  for (const [name, ms] of [
    ['interval', intervalMs],
    ['timeout', timeoutMs],
  ] as const)
    if (!(ms >= 1 && Number.isFinite(ms)))
      throw new TypeError(`liveness.${name} option must be at least 1 ms and finite (got ${ms} ms)`)
  return { intervalMs, timeoutMs }
}
