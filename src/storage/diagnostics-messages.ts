import type { StorageError } from '../core/exceptions'

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
