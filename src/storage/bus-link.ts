import { randomUUID } from 'node:crypto'
import type { StorageError } from '../core/exceptions'
import {
  decodeBusMessage,
  encodeBusMessage,
  type BusChange as SentChange,
  type CacheBus,
} from './bus'
import type { BusChange, CacheEvents } from './cache-events'
import type { Invalidation } from './invalidation'

/**
 * Joins one `Cache` to an invalidation bus. Outgoing: after a `set`, `delete`, `clear` or `refresh` has
 * written the tiers (whether or not the write succeeded: either way other processes' copies are older), one
 * message with the keys or the pattern and this cache's id. Incoming: a message from another cache runs the
 * invalidation path with the 'local' scope: every tier that is not shared loses the keys (memory, a file
 * tier below it), the flights are dropped and the write is noted; the shared tier already has the change.
 * A remote `set` only drops the local copy: the new value is read when asked for, so a burst of writes does
 * not become a burst of reads in every process. Own messages are skipped. After the bus lost its
 * subscription (messages may be lost), the in-process tiers are dropped.
 */
export class BusLink {
  /** This cache's id in the fleet: its own messages come back to it and are skipped. */
  readonly id = randomUUID()
  readonly #bus: CacheBus
  readonly #invalidation: Invalidation
  readonly #report: (error: StorageError) => void
  readonly #events: CacheEvents | undefined

  constructor(
    bus: CacheBus,
    invalidation: Invalidation,
    report: (error: StorageError) => void,
    events?: CacheEvents,
  ) {
    if (typeof bus?.attach !== 'function' || typeof bus.publish !== 'function')
      throw new TypeError('bus option must be a CacheBus (attach, publish, close)')
    this.#bus = bus
    this.#invalidation = invalidation
    this.#report = report
    this.#events = events
    bus.attach({
      message: (text) => this.#receive(text),
      reconnected: () => {
        this.#events?.bus('received', { reconnected: true })
        this.#drop({ match: undefined }, 'in-process')
      },
      error: (error) => report(error),
    })
  }

  /** Awaits `work` (the write of a change), then publishes the change, even when `work` failed. */
  async after<T>(change: SentChange, work: Promise<T> | T): Promise<T> {
    try {
      return await work
    } finally {
      this.#bus.publish(encodeBusMessage(this.id, change))
      this.#events?.bus('sent', change)
    }
  }

  /** Awaits a tag invalidation, then publishes it with the counters it got (without them if it failed). */
  async afterTags(
    tags: readonly string[],
    work: Promise<number[] | undefined>,
  ): Promise<number[] | undefined> {
    let versions: number[] | undefined
    try {
      return (versions = await work)
    } finally {
      this.#bus.publish(encodeBusMessage(this.id, { tags, versions }))
      this.#events?.bus('sent', { tags, versions })
    }
  }

  close(): Promise<void> {
    return this.#bus.close()
  }

  #receive(text: string): void {
    const message = decodeBusMessage(text)
    if (message === undefined || message.from === this.id) return
    if (message.tags) {
      const { tags, versions } = message.tags
      this.#events?.bus('received', { tags, versions })
      this.#invalidation.invalidateTags(tags, 'local', versions).catch(this.#report)
      return
    }
    this.#events?.bus('received', toChange(message.target, text))
    this.#drop(message.target, 'local')
  }

  #drop(target: Parameters<Invalidation['invalidate']>[0], scope: 'local' | 'in-process'): void {
    // A local tier that fails to drop the key reports it; the message is not retried (see README).
    this.#invalidation.invalidate(target, scope).catch(this.#report)
  }
}

/** A received change as a bus event reports it: the key, or the pattern (read again from the text: clears are rare). */
function toChange(target: Parameters<Invalidation['invalidate']>[0], text: string): BusChange {
  if ('key' in target) return { key: target.key }
  if (target.match === undefined) return { pattern: undefined }
  const wire = JSON.parse(text) as { glob?: string; re?: [string, string] }
  return { pattern: wire.glob ?? `/${wire.re?.[0] ?? ''}/${wire.re?.[1] ?? ''}` }
}
