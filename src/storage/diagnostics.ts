import { createHash } from 'node:crypto'
import diagnosticsChannel, { type Channel } from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import type { StorageError } from '../core/exceptions'
import type { BusChange, CacheEvents } from './cache-events'
import type { FunctionRecord } from './function-stats'
import {
  diagnosticChannels,
  type BusMessageEvent,
  type ComputeContext,
  type ErrorMessage,
  type KeyMessage,
  type LeaseMessage,
  type RefreshMessage,
  type StaleMessage,
  type TierMessage,
  type TimeoutMessage,
} from './diagnostics-messages'

// The channel names and message shapes live in diagnostics-messages.ts; re-exported for the modules that import them from here.
export { diagnosticChannels }
export type {
  BusMessageEvent,
  ComputeContext,
  ErrorMessage,
  KeyMessage,
  LeaseMessage,
  RefreshMessage,
  StaleMessage,
  TierMessage,
  TimeoutMessage,
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

  computed(): void {} // the tracing channel times computations itself

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
