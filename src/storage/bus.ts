import type { StorageError } from '../core/exceptions'
import { compilePattern, type KeyPattern } from '../core/pattern'
import type { InvalidationTarget } from './invalidation'

/**
 * An invalidation bus: how the caches of a fleet tell each other that keys changed. `Cache` takes one
 * (`bus` option) and does the rest (see bus-link.ts); a bus only carries short texts between processes.
 * `RedisBus` (tiercache/redis) is one; core never loads a transport.
 *
 * @example
 * ```ts
 * import { Cache, MemoryTier, type BusReceiver, type CacheBus } from 'tiercache'
 *
 * // A bus between the caches of one process (for tests): each message reaches every attached cache.
 * function localBus() {
 *   const receivers = new Set<BusReceiver>()
 *   return (): CacheBus => {
 *     let mine: BusReceiver | undefined
 *     return {
 *       attach: (receiver) => void receivers.add((mine = receiver)),
 *       publish: (text) => receivers.forEach((r) => queueMicrotask(() => r.message(text))),
 *       close: async () => void (mine && receivers.delete(mine)),
 *     }
 *   }
 * }
 * const connect = localBus()
 * const a = new Cache({ tiers: [new MemoryTier()], bus: connect() })
 * const b = new Cache({ tiers: [new MemoryTier()], bus: connect() }) // a.set('k', …) drops b's copy of 'k'
 * ```
 */
export interface CacheBus {
  /** Starts delivering messages to `receiver`. A bus serves one cache: a second call throws. */
  attach(receiver: BusReceiver): void
  /**
   * Sends `message` to every attached cache, this one included (the cache skips its own). Never throws and
   * never rejects: a failed send is retried from a bounded queue, and its overflow goes to `receiver.error`.
   */
  publish(message: string): void
  /** Stops delivery and closes what the bus opened itself; a connection the caller passed in stays open. */
  close(): Promise<void>
}

/**
 * What a bus calls on the cache it serves.
 *
 * @example
 * ```ts
 * import { Cache, MemoryTier, type BusReceiver, type CacheBus } from 'tiercache'
 *
 * // A bus between the caches of one process (for tests): each message reaches every attached cache.
 * function localBus() {
 *   const receivers = new Set<BusReceiver>()
 *   return (): CacheBus => {
 *     let mine: BusReceiver | undefined
 *     return {
 *       attach: (receiver) => void receivers.add((mine = receiver)),
 *       publish: (text) => receivers.forEach((r) => queueMicrotask(() => r.message(text))),
 *       close: async () => void (mine && receivers.delete(mine)),
 *     }
 *   }
 * }
 * const connect = localBus()
 * const a = new Cache({ tiers: [new MemoryTier()], bus: connect() })
 * const b = new Cache({ tiers: [new MemoryTier()], bus: connect() }) // a.set('k', …) drops b's copy of 'k'
 * ```
 */
export interface BusReceiver {
  /** A message from some cache of the fleet (possibly this one). */
  message(text: string): void
  /** The bus lost its subscription and has it again: messages sent meanwhile may be lost. */
  reconnected(): void
  /** A failure the bus could not recover from by itself (its retry queue overflowed). */
  error(error: StorageError): void
}

/**
 * One message: who sent it and what changed. Keys or a pattern, never a value: a receiver drops its copy and
 * reads the new value when (and if) it is asked for it.
 */
export interface BusMessage {
  readonly from: string
  readonly target: InvalidationTarget
  /** Set instead of `target` for a tag invalidation: the tags, and their counters after it when known. */
  readonly tags?: { readonly tags: readonly string[]; readonly versions?: readonly number[] }
}

/** A change a bus message announces: keys, a pattern, or tags (with their counters after the change). */
export type BusChange =
  | { key: string }
  | { pattern: KeyPattern | undefined }
  | { tags: readonly string[]; versions?: readonly number[] }

/**
 * Wire form: `{ v: 1, from, key }`, `{ v: 1, from, glob }`, `{ v: 1, from, re: [source, flags] }`,
 * `{ v: 1, from, all: true }` or `{ v: 1, from, tags: [...], versions?: [...] }`. A receiver that predates
 * tags reads a tags message as none of the above and drops every key: safe, if wasteful.
 */
interface Wire {
  v: 1
  from: string
  key?: string
  glob?: string
  re?: [string, string]
  all?: true
  tags?: string[]
  versions?: number[]
}

/** The message for a change of `key`, or of the keys `pattern` matches (undefined: every key). */
export function encodeBusMessage(from: string, change: BusChange): string {
  const wire: Wire = { v: 1, from }
  if ('tags' in change) {
    wire.tags = [...change.tags]
    if (change.versions) wire.versions = [...change.versions]
  } else if ('key' in change) wire.key = change.key
  else if (change.pattern === undefined) wire.all = true
  else if (typeof change.pattern === 'string') wire.glob = change.pattern
  else wire.re = [change.pattern.source, change.pattern.flags]
  return JSON.stringify(wire)
}

/** The message `text` holds, or undefined when it is none of ours (another program on the channel). */
export function decodeBusMessage(text: string): BusMessage | undefined {
  let wire: Partial<Wire>
  try {
    wire = JSON.parse(text) as Partial<Wire>
  } catch {
    return undefined
  }
  if (typeof wire !== 'object' || wire === null || wire.v !== 1 || typeof wire.from !== 'string')
    return undefined
  try {
    if (typeof wire.key === 'string') return { from: wire.from, target: { key: wire.key } }
    const { tags, versions } = wire
    if (Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')) {
      const counted =
        Array.isArray(versions) &&
        versions.length === tags.length &&
        versions.every((n) => Number.isSafeInteger(n) && n >= 0)
      return {
        from: wire.from,
        target: { match: () => false },
        tags: counted ? { tags, versions } : { tags },
      }
    }
    if (wire.all === true) return { from: wire.from, target: { match: undefined } }
    if (typeof wire.glob === 'string')
      return { from: wire.from, target: { match: compilePattern(wire.glob) } }
    if (Array.isArray(wire.re) && wire.re.every((part) => typeof part === 'string'))
      return { from: wire.from, target: { match: compilePattern(new RegExp(...wire.re)) } }
  } catch {
    // A pattern this process cannot compile (a RegExp flag of a newer engine): drop every key, to be safe.
  }
  return { from: wire.from, target: { match: undefined } }
}
