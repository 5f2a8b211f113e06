import { createHash } from 'node:crypto'
import diagnosticsChannel, { type Channel } from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import type { StorageError } from '../core/exceptions'
import type { BusChange, CacheEvents } from './cache-events'
import type { FunctionRecord } from './function-stats'

/**
 * The `node:diagnostics_channel` names tiercache publishes on (see docs/observability.md).
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels } from 'tiercache'
 *
 * // Count the events of every plain channel (compute is a TracingChannel: see ComputeContext).
 * const counts = new Map<string, number>()
 * for (const [event, name] of Object.entries(diagnosticChannels)) {
 *   if (event === 'compute') continue
 *   diagnosticsChannel.subscribe(name, () => counts.set(event, (counts.get(event) ?? 0) + 1))
 * }
 * ```
 */
export const diagnosticChannels = {
  hit: 'tiercache:hit',
  miss: 'tiercache:miss',
  set: 'tiercache:set',
  delete: 'tiercache:delete',
  clear: 'tiercache:clear',
  error: 'tiercache:error',
  stale: 'tiercache:stale',
  refresh: 'tiercache:refresh',
  timeout: 'tiercache:timeout',
  lease: 'tiercache:lease',
  bus: 'tiercache:bus',
  /** A TracingChannel: `tracing:tiercache:compute:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error`. */
  compute: 'tiercache:compute',
} as const

/**
 * Who a message is about: the key (redacted when the cache says so) and its cached function, when known.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type KeyMessage } from 'tiercache'
 *
 * diagnosticsChannel.subscribe(diagnosticChannels.set, (message) => {
 *   const { key, function: fn } = message as KeyMessage
 *   console.log(`stored ${key} (${fn ?? 'no function'})`)
 * })
 * ```
 */
export interface KeyMessage {
  key: string
  /** `namespace:name:v<version>` of the cached function the key belongs to, when known. */
  function?: string
}
/**
 * The message of `tiercache:hit` and `tiercache:miss`: the key, its function and the tier.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type TierMessage } from 'tiercache'
 *
 * diagnosticsChannel.subscribe(diagnosticChannels.miss, (message) => {
 *   const { key, tier, function: fn } = message as TierMessage
 *   console.log(`miss in ${tier}: ${key} (${fn ?? 'no function'})`)
 * })
 * ```
 */
export interface TierMessage extends KeyMessage {
  /** The tier's name ('memory', 'file', 'redis'…). */
  tier: string
}
/**
 * The message of `tiercache:error`: the error names the tier, the action and the key (redacted in its message too).
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type ErrorMessage } from 'tiercache'
 *
 * diagnosticsChannel.subscribe(diagnosticChannels.error, (message) => {
 *   const { tier, error } = message as ErrorMessage
 *   console.warn(`${tier} tier failed (${error.code}): ${error.message}`)
 * })
 * ```
 */
export interface ErrorMessage {
  tier: string
  key?: string
  error: StorageError | { name: string; code: string; message: string }
}
/**
 * The message of `tiercache:stale`: a stale value was served, and why.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type StaleMessage } from 'tiercache'
 *
 * diagnosticsChannel.subscribe(diagnosticChannels.stale, (message) => {
 *   const { key, reason } = message as StaleMessage
 *   console.log(`served ${key} stale (${reason})`)
 * })
 * ```
 */
export interface StaleMessage extends TierMessage {
  reason: 'revalidate' | 'error' | 'timeout'
}
/**
 * The message of `tiercache:refresh`: a refresh of a stale value started, finished or failed.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type RefreshMessage } from 'tiercache'
 *
 * diagnosticsChannel.subscribe(diagnosticChannels.refresh, (message) => {
 *   const { key, phase, error } = message as RefreshMessage
 *   if (phase === 'fail') console.warn(`refresh of ${key} failed: ${String(error)}`)
 * })
 * ```
 */
export interface RefreshMessage extends KeyMessage {
  phase: 'start' | 'done' | 'fail'
  error?: unknown
}
/**
 * The message of `tiercache:timeout`: a computation passed its soft `timeout` or its `hardTimeout`.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type TimeoutMessage } from 'tiercache'
 *
 * diagnosticsChannel.subscribe(diagnosticChannels.timeout, (message) => {
 *   const { key, kind } = message as TimeoutMessage
 *   console.warn(`${key}: ${kind} timeout passed`)
 * })
 * ```
 */
export interface TimeoutMessage extends KeyMessage {
  kind: 'soft' | 'hard'
}
/**
 * The message of `tiercache:lease`: what became of the fleet lease of a computation.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type LeaseMessage } from 'tiercache'
 *
 * diagnosticsChannel.subscribe(diagnosticChannels.lease, (message) => {
 *   const { key, phase } = message as LeaseMessage
 *   if (phase !== 'acquired') console.log(`${key}: lease ${phase}`)
 * })
 * ```
 */
export interface LeaseMessage extends KeyMessage {
  phase: 'acquired' | 'waited' | 'takeover' | 'max-wait'
}
/**
 * The message of `tiercache:bus`: a message sent to, or received from, the other caches of the fleet.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type BusMessageEvent } from 'tiercache'
 *
 * diagnosticsChannel.subscribe(diagnosticChannels.bus, (message) => {
 *   const { direction, key, pattern, reconnected } = message as BusMessageEvent
 *   if (reconnected) console.warn('bus reconnected: local tiers dropped')
 *   else console.log(`${direction}: ${key ?? pattern}`)
 * })
 * ```
 */
export interface BusMessageEvent {
  direction: 'sent' | 'received'
  /** The key changed, or the pattern cleared ('*' for everything); absent after a reconnect. */
  key?: string
  pattern?: string
  /** The bus reconnected and the in-process tiers were dropped (messages may have been lost). */
  reconnected?: true
}
/**
 * The context of the `tiercache:compute` TracingChannel, one object from `start` to `asyncEnd`. Never the
 * value: unlike `tracePromise`, tiercache does not set `result`.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { diagnosticChannels, type ComputeContext } from 'tiercache'
 *
 * diagnosticsChannel.tracingChannel<unknown, ComputeContext>(diagnosticChannels.compute).subscribe({
 *   start: (context) => console.log(`computing ${context.key} (refresh: ${context.refresh})`),
 *   end: () => {},
 *   asyncStart: () => {},
 *   asyncEnd: (context) => console.log(`${context.function ?? context.key} took ${context.durationMs} ms`),
 *   error: (context) => console.warn(`${context.key} failed: ${String(context.error)}`),
 * })
 * ```
 */
export interface ComputeContext extends KeyMessage {
  /** True for a computation asked for by `refresh()`, false for a miss. */
  refresh: boolean
  /** Milliseconds the computation ran: set on `end` for a synchronous result, else on `error` / `asyncEnd`. */
  durationMs?: number
  error?: unknown
}

/**
 * The `redactKeys` option of a Cache: a function of the key, or `true` for a hash of it.
 *
 * @example
 * ```ts
 * import { Cache, type RedactKeys } from 'tiercache'
 *
 * const hideUserIds: RedactKeys = (key) => key.replace(/user_\d+/, 'user_*')
 * const cache = new Cache({ redactKeys: hideUserIds }) // or `redactKeys: true` for a hash of each key
 * ```
 */
export type RedactKeys = boolean | ((key: string) => string)

/**
 * The sink that publishes a cache's events on `node:diagnostics_channel`, for APM and OpenTelemetry tools.
 * With no subscriber each event costs one `hasSubscribers` check: a message is built only for a listener.
 * Messages never carry values.
 */
export class DiagnosticsEvents implements CacheEvents {
  readonly #hit: Channel
  readonly #miss: Channel
  readonly #set: Channel
  readonly #delete: Channel
  readonly #clear: Channel
  readonly #error: Channel
  readonly #stale: Channel
  readonly #refresh: Channel
  readonly #timeout: Channel
  readonly #lease: Channel
  readonly #bus: Channel
  readonly #compute: ComputeChannels
  readonly #tierNames: readonly string[]
  readonly #redact: ((key: string) => string) | undefined
  readonly #ownerOf: (key: string) => FunctionRecord | undefined

  constructor(
    tierNames: readonly string[],
    options: {
      redactKeys?: RedactKeys
      ownerOf?: (key: string) => FunctionRecord | undefined
    } = {},
  ) {
    // Looked up here rather than at import: importing tiercache creates nothing.
    const channel = (name: string) => diagnosticsChannel.channel(name)
    this.#hit = channel(diagnosticChannels.hit)
    this.#miss = channel(diagnosticChannels.miss)
    this.#set = channel(diagnosticChannels.set)
    this.#delete = channel(diagnosticChannels.delete)
    this.#clear = channel(diagnosticChannels.clear)
    this.#error = channel(diagnosticChannels.error)
    this.#stale = channel(diagnosticChannels.stale)
    this.#refresh = channel(diagnosticChannels.refresh)
    this.#timeout = channel(diagnosticChannels.timeout)
    this.#lease = channel(diagnosticChannels.lease)
    this.#bus = channel(diagnosticChannels.bus)
    this.#compute = diagnosticsChannel.tracingChannel(diagnosticChannels.compute) as ComputeChannels
    this.#tierNames = tierNames
    this.#redact = redactor(options.redactKeys)
    this.#ownerOf = options.ownerOf ?? (() => undefined)
  }

  hit(tier: number, key: string, fn?: FunctionRecord): void {
    if (this.#hit.hasSubscribers) this.#hit.publish(this.#tierMessage(tier, key, fn))
  }

  miss(tier: number, key: string, fn?: FunctionRecord): void {
    if (this.#miss.hasSubscribers) this.#miss.publish(this.#tierMessage(tier, key, fn))
  }

  set(key: string): void {
    if (this.#set.hasSubscribers) this.#set.publish(this.#keyMessage(key))
  }

  delete(key: string | undefined): void {
    if (key === undefined) {
      if (this.#clear.hasSubscribers) this.#clear.publish({})
    } else if (this.#delete.hasSubscribers) this.#delete.publish(this.#keyMessage(key))
  }

  error(tier: number, error: StorageError): void {
    if (!this.#error.hasSubscribers) return
    const message: ErrorMessage = { tier: this.#tierNames[tier] ?? String(tier), error }
    if (error.key !== undefined) {
      message.key = this.#key(error.key)
      if (message.key !== error.key) {
        const { name, code } = error
        message.error = { name, code, message: error.message.split(error.key).join(message.key) }
      }
    }
    this.#error.publish(message)
  }

  joined(): void {}

  compute<T>(
    key: string,
    fn: FunctionRecord | undefined,
    refresh: boolean,
    run: () => T | Promise<T>,
  ): T | Promise<T> {
    const channels = this.#compute
    if (!tracingHasSubscribers(channels)) return run()
    const owner = (fn ?? this.#ownerOf(key))?.id
    const context: ComputeContext = { key: this.#key(key), function: owner, refresh }
    const started = performance.now()
    const took = () => (context.durationMs = performance.now() - started)
    // As TracingChannel.tracePromise, but the caller keeps the computation's own promise and `result` stays unset.
    return channels.start.runStores(context, () => {
      let result: T | Promise<T>
      try {
        result = run()
      } catch (err) {
        took()
        context.error = err
        channels.error.publish(context)
        channels.end.publish(context)
        throw err
      }
      if (!isThenable(result)) took()
      channels.end.publish(context)
      if (isThenable(result))
        void Promise.resolve(result).then(
          () => {
            took()
            channels.asyncStart.publish(context)
            channels.asyncEnd.publish(context)
          },
          (err: unknown) => {
            took()
            context.error = err
            channels.error.publish(context)
            channels.asyncStart.publish(context)
            channels.asyncEnd.publish(context)
          },
        )
      return result
    })
  }

  bus(direction: 'sent' | 'received', change: BusChange): void {
    if (!this.#bus.hasSubscribers) return
    const message: BusMessageEvent = { direction }
    if ('key' in change) message.key = this.#key(change.key)
    else if ('pattern' in change)
      message.pattern = change.pattern === undefined ? '*' : this.#key(String(change.pattern))
    else message.reconnected = true
    this.#bus.publish(message)
  }

  staleServed(tier: number, key: string, reason: StaleMessage['reason']): void {
    if (this.#stale.hasSubscribers)
      this.#stale.publish({ ...this.#tierMessage(tier, key), reason } satisfies StaleMessage)
  }

  refresh(key: string, phase: RefreshMessage['phase'], error?: unknown): void {
    if (!this.#refresh.hasSubscribers) return
    const message: RefreshMessage = { ...this.#keyMessage(key), phase }
    if (error !== undefined) message.error = error
    this.#refresh.publish(message)
  }

  timeout(key: string, kind: TimeoutMessage['kind']): void {
    if (this.#timeout.hasSubscribers)
      this.#timeout.publish({ ...this.#keyMessage(key), kind } satisfies TimeoutMessage)
  }

  lease(key: string, phase: LeaseMessage['phase']): void {
    if (this.#lease.hasSubscribers)
      this.#lease.publish({ ...this.#keyMessage(key), phase } satisfies LeaseMessage)
  }

  // Object literals of one shape (`function` undefined when unknown): a miss subscriber pays for one each.
  #tierMessage(tier: number, key: string, fn?: FunctionRecord): TierMessage {
    const tierName = this.#tierNames[tier] ?? String(tier)
    return { key: this.#key(key), tier: tierName, function: (fn ?? this.#ownerOf(key))?.id }
  }

  #keyMessage(key: string, fn?: FunctionRecord): KeyMessage {
    return { key: this.#key(key), function: (fn ?? this.#ownerOf(key))?.id }
  }

  #key(key: string): string {
    return this.#redact === undefined ? key : this.#redact(key)
  }
}

/** Checks a `redactKeys` option; throws a TypeError naming it. */
export function checkRedactKeys(value: unknown): asserts value is RedactKeys | undefined {
  if (value !== undefined && typeof value !== 'boolean' && typeof value !== 'function')
    throw new TypeError(`redactKeys option must be a boolean or a function (got ${typeof value})`)
}

// --- Internal helpers ---

/** The part of a TracingChannel used here (its type parameters differ between versions of @types/node). */
interface ComputeChannels {
  readonly start: Channel
  readonly end: Channel
  readonly asyncStart: Channel
  readonly asyncEnd: Channel
  readonly error: Channel
}

/** The key as messages show it: redacted by the user's function, or hashed; a throwing redactor hides it all. */
function redactor(option: RedactKeys | undefined): ((key: string) => string) | undefined {
  if (option === undefined || option === false) return undefined
  if (option === true)
    return (key) => `#${createHash('sha256').update(key).digest('base64url').slice(0, 16)}`
  return (key) => {
    try {
      const redacted = option(key)
      return typeof redacted === 'string' ? redacted : '[redacted]'
    } catch {
      return '[redacted]' // a sink must not throw, and the key must not leak through an error
    }
  }
}

/** `TracingChannel.hasSubscribers` exists from Node 20.13; before that, ask its channels. */
function tracingHasSubscribers(channels: ComputeChannels): boolean {
  const all = (channels as { hasSubscribers?: boolean }).hasSubscribers
  if (all !== undefined) return all
  const { start, end, asyncStart, asyncEnd, error } = channels
  return (
    start.hasSubscribers ||
    end.hasSubscribers ||
    asyncStart.hasSubscribers ||
    asyncEnd.hasSubscribers ||
    error.hasSubscribers
  )
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Partial<Promise<T>> | null)?.then === 'function'
}
