import { createClient } from 'redis'
import { Watchdog } from './watchdog'

/**
 * What `RedisBus` needs of a Redis client: publish a text, and subscribe to a channel on a connection of its
 * own (a subscribed connection can send nothing else). node-redis clients are adapted by tiercache (the
 * `url` and `client` options); another client takes a dozen lines (README: "Scaling out").
 *
 * @example
 * ```ts
 * import { EventEmitter } from 'node:events'
 * import { RedisBus, type BusEvents, type BusTransport } from 'tiercache/redis'
 *
 * // A transport within one process (for tests); a real one wraps a Redis client's PUBLISH and SUBSCRIBE.
 * const wire = new EventEmitter()
 * const transport: BusTransport = {
 *   publish: async (channel, message) => void wire.emit(channel, message),
 *   subscribe: (channel, events: BusEvents) => {
 *     wire.on(channel, events.message)
 *     return async () => void wire.off(channel, events.message)
 *   },
 *   close: async () => {},
 * }
 * const bus = new RedisBus({ connection: transport, channel: 'tc:bus' })
 * ```
 */
export interface BusTransport {
  /** `PUBLISH channel message`. */
  publish(channel: string, message: string): Promise<void>
  /**
   * Subscribes to `channel` and calls `events.message` per message. Calls `events.reconnected` each time the
   * subscription is back after its connection was lost (messages sent meanwhile were not delivered), and
   * `events.failed` if it cannot subscribe at all. Returns a function that ends the subscription and closes
   * what was opened for it, at once (also while still connecting).
   */
  subscribe(channel: string, events: BusEvents): () => Promise<void>
  /** Closes what the transport opened itself (not a client the caller passed in). */
  close(): Promise<void>
}

/**
 * What a `BusTransport` reports to the bus: a message, a subscription that is back after a lost
 * connection (messages sent meanwhile were lost), or a subscription that cannot be made.
 *
 * @example
 * ```ts
 * import { EventEmitter } from 'node:events'
 * import { RedisBus, type BusEvents, type BusTransport } from 'tiercache/redis'
 *
 * // A transport within one process (for tests); a real one wraps a Redis client's PUBLISH and SUBSCRIBE.
 * const wire = new EventEmitter()
 * const transport: BusTransport = {
 *   publish: async (channel, message) => void wire.emit(channel, message),
 *   subscribe: (channel, events: BusEvents) => {
 *     wire.on(channel, events.message)
 *     return async () => void wire.off(channel, events.message)
 *   },
 *   close: async () => {},
 * }
 * const bus = new RedisBus({ connection: transport, channel: 'tc:bus' })
 * ```
 */
export interface BusEvents {
  message(text: string): void
  /** The subscription is in place, the first time (after a loss, `reconnected` says so). */
  subscribed(): void
  /** Its connection was lost, or stopped answering: messages may be lost until `reconnected`. */
  lost(): void
  reconnected(): void
  failed(error: unknown): void
}

/**
 * The subscriber's liveness check: a `PING` every `intervalMs` while it is connected; a connection silent for
 * `intervalMs + timeoutMs` (the `PING` unanswered) is dropped and made again, as a lost one would be.
 */
export interface Liveness {
  intervalMs: number
  timeoutMs: number
}

/**
 * What the bus uses of a node-redis client (`createClient`, v5+): commands, and a copy for the subscriber.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { RedisBus } from 'tiercache/redis'
 *
 * const client = createClient({ url: process.env.REDIS_URL })
 * client.on('error', (err) => console.warn(err))
 * await client.connect()
 * const bus = new RedisBus({ client }) // subscribes on a duplicate() of it; `client` stays yours
 * ```
 */
export interface NodeRedisBusClient {
  sendCommand(args: readonly string[], options?: object): Promise<unknown>
  duplicate(overrides?: object): NodeRedisSubscriber
  /** The client's options: the subscriber keeps its socket's (host, port, TLS), adding its own bounds. */
  readonly options?: { socket?: object }
}

/** The subscriber copy: a node-redis client of its own connection. */
export interface NodeRedisSubscriber {
  connect(): Promise<unknown>
  subscribe(channel: string, listener: (message: string) => void): Promise<void>
  on(
    event: 'error' | 'ready' | 'end' | 'reconnecting',
    listener: (...args: unknown[]) => void,
  ): unknown
  close(): Promise<unknown>
  destroy(): void
  readonly isOpen: boolean
}

/**
 * The liveness check is node-redis's own: a PING every `pingInterval` once the last one was answered, and a
 * socket silent for `socketTimeout` is destroyed and made again (then 'error', 'reconnecting'; commands
 * waiting for a reply fail). A PING resets the socket's idle time, so the timeout must exceed the interval.
 */
export const livenessOptions = (liveness: Liveness | undefined) =>
  liveness && { pingInterval: liveness.intervalMs }
export const socketLiveness = (liveness: Liveness | undefined) =>
  liveness && { socketTimeout: liveness.intervalMs + liveness.timeoutMs }

const RECONNECT = {
  reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
}

/**
 * A transport on node-redis. With `url` it opens a publisher of its own (commands fail at once while it is
 * disconnected, no offline queue, so that the bus's retry queue takes them; the subscriber's liveness check);
 * with a user's `client` it publishes through that client, which stays open. The subscriber is always a
 * `duplicate()` the transport opened, and closes. Every publish is bounded by one watchdog for all.
 */
export function nodeRedisTransport(
  source: { url: string } | { client: NodeRedisBusClient },
  timeoutMs: number,
  liveness: Liveness | undefined,
): BusTransport {
  let publisher: NodeRedisBusClient
  let ownPublisher: ReturnType<typeof createClient> | undefined
  let firstConnection: Promise<unknown> | undefined
  // A user's client may queue commands while offline: node-redis's own timeout drops a queued one when it
  // expires. Our publisher is spared that timer, an `AbortSignal.timeout` per command (CPU per publish, 2 000
  // in flight, 20 interleaved rounds on loopback: median 24-31 → 10-11 µs): with no offline queue, a command
  // waits in node-redis only behind a full socket buffer. Neither timer covers a command already written (to a
  // frozen server, it waited until the socket closed): the watchdog bounds those.
  let options: object = { timeout: timeoutMs }
  if ('url' in source) {
    const client = (ownPublisher = createClient({
      url: source.url,
      disableOfflineQueue: true,
      commandOptions: { timeout: 0 },
      ...livenessOptions(liveness),
      socket: {
        connectTimeout: Math.max(timeoutMs, 1_000),
        ...RECONNECT,
        ...socketLiveness(liveness),
      },
    }))
    client.on('error', () => {}) // failures reach the bus as rejected publishes
    firstConnection = client.connect().then(
      () => (firstConnection = undefined),
      () => (firstConnection = undefined),
    )
    publisher = client as unknown as NodeRedisBusClient
    options = {}
  } else publisher = source.client
  const watchdog = new Watchdog(timeoutMs)
  const send = async (channel: string, message: string) => {
    if (firstConnection) await firstConnection
    await publisher.sendCommand(['PUBLISH', channel, message], options)
  }
  return {
    publish: (channel, message) => watchdog.bound(send(channel, message)),
    subscribe(channel, events) {
      // Its own connection; it queues the SUBSCRIBE until connected and renews it on every reconnection.
      // `duplicate` replaces the socket options whole: the client's own (host, port, TLS) are kept.
      const subscriber = publisher.duplicate({
        disableOfflineQueue: false,
        ...livenessOptions(liveness),
        socket: {
          ...publisher.options?.socket,
          connectTimeout: Math.max(timeoutMs, 1_000),
          ...RECONNECT,
          ...socketLiveness(liveness),
        },
      })
      let lost = false
      const lose = () => {
        if (lost) return
        lost = true
        events.lost()
      }
      subscriber.on('error', lose)
      subscriber.on('reconnecting', lose)
      // 'ready' comes after node-redis has renewed the subscriptions on the new connection.
      subscriber.on('ready', () => {
        if (!lost) return
        lost = false
        events.reconnected()
      })
      return startSubscription(
        subscriber,
        () => subscriber.subscribe(channel, (message) => events.message(message)),
        () => !lost,
        events,
        timeoutMs,
      )
    },
    async close() {
      if (ownPublisher === undefined || !ownPublisher.isOpen) return
      if (!ownPublisher.isReady) return ownPublisher.destroy()
      // Bounded, as the subscriber's: with the liveness check on, a server gone during the close left it
      // waiting for good.
      await closeWithin(ownPublisher, timeoutMs)
    },
  }
}

/** Closes `client` gracefully, or destroys it when that takes longer than `timeoutMs` (a frozen server). */
export async function closeWithin(
  client: { readonly isOpen: boolean; close(): Promise<unknown>; destroy(): void },
  timeoutMs: number,
): Promise<void> {
  if (!client.isOpen) return
  await Promise.race([
    client.close().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
  ])
  if (client.isOpen) client.destroy()
}

/**
 * Connects `subscriber` and subscribes; `subscribed` once it is in place and the connection is `isUp`, or
 * `failed` (after closing it) when that cannot be done. Returns the stop function of the subscription.
 */
export function startSubscription(
  subscriber: Parameters<typeof closeWithin>[0] & { connect(): Promise<unknown> },
  subscribe: () => Promise<unknown>,
  isUp: () => boolean,
  events: BusEvents,
  timeoutMs: number,
): () => Promise<void> {
  let stopped = false
  const stop = async () => {
    stopped = true
    await closeWithin(subscriber, timeoutMs)
  }
  subscriber
    .connect()
    .then(subscribe)
    .then(() => {
      if (!stopped && isUp()) events.subscribed()
    })
    .catch(async (err: unknown) => {
      if (stopped) return
      await stop()
      events.failed(err)
    })
  return stop
}
