import type { BusReceiver, CacheBus } from '../../src/storage/bus'

/**
 * An invalidation bus inside one process: every bus made by one hub delivers each message to every attached
 * cache (the sender too, as Redis Pub/Sub does), asynchronously. For the Cache side of the bus, without Redis.
 */
export class LocalHub {
  readonly #receivers = new Set<BusReceiver>()
  /** Every message published, in order. */
  readonly sent: string[] = []

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

/** Resolves after the messages queued so far were delivered (deliveries are microtasks) and handled. */
export const delivered = () => new Promise((resolve) => setTimeout(resolve, 5))
