import type { BusReceiver, CacheBus } from '../../src/storage/bus'
import type { Tier } from '../../src/storage/tier'

/** The tier calls whose promises `LocalHub.delivered` waits for. */
const TRACKED = new Set<PropertyKey>([
  'get',
  'set',
  'delete',
  'clear',
  'prune',
  'tagVersions',
  'bumpTags',
])

/**
 * An invalidation bus inside one process: every bus made by one hub delivers each message to every attached
 * cache (the sender too, as Redis Pub/Sub does), asynchronously. For the Cache side of the bus, without Redis.
 */
export class LocalHub {
  readonly #receivers = new Set<BusReceiver>()
  /** Calls under way on the tiers given to `track`. */
  readonly #inFlight = new Set<Promise<unknown>>()
  /** Every message published, in order. */
  readonly sent: string[] = []

  /**
   * `tier`, with its calls watched by `delivered()`: a cache handles a message by calling its tiers (a file
   * tier deletes on disk), and nothing else tells when it is done.
   */
  track<T extends Tier>(tier: T): T {
    const inFlight = this.#inFlight
    return new Proxy(tier, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name, target)
        if (typeof value !== 'function') return value
        if (!TRACKED.has(name)) return value.bind(target)
        return (...args: unknown[]) => {
          const result: unknown = value.apply(target, args)
          if (result instanceof Promise) {
            const settled: Promise<unknown> = result.then(
              () => inFlight.delete(settled),
              () => inFlight.delete(settled),
            )
            inFlight.add(settled)
          }
          return result
        }
      },
    })
  }

  /**
   * Resolves once the messages published so far were delivered and handled: deliveries are microtasks, and
   * a handler calls tiers, whose I/O may start further calls; so it waits until the tracked tiers (see
   * `track`) have no call under way after the microtask queue ran dry.
   */
  async delivered(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve))
      if (this.#inFlight.size === 0) return
      await Promise.all([...this.#inFlight])
    }
  }

  bus(): CacheBus {
    let mine: BusReceiver | undefined
    return {
      attach: (receiver) => {
        if (mine) throw new TypeError('attached twice')
        this.#receivers.add((mine = receiver))
      },
      publish: (message) => {
        this.sent.push(message)
        for (const receiver of this.#receivers) queueMicrotask(() => receiver.message(message))
      },
      close: async () => {
        if (mine) this.#receivers.delete(mine)
      },
    }
  }

  /** Tells every cache that its subscription was lost and is back. */
  reconnectAll(): void {
    for (const receiver of this.#receivers) receiver.reconnected()
  }

  /** Sends a text as if another program published it on the channel. */
  inject(text: string): void {
    for (const receiver of this.#receivers) receiver.message(text)
  }
}

/**
 * Gives the messages queued so far a few milliseconds to be delivered and handled. Only for a wait that
 * cannot go by `LocalHub.delivered` (tiers it does not track, or a tier call held on purpose).
 */
export const delivered = () => new Promise((resolve) => setTimeout(resolve, 5))
