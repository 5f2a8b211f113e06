/**
 * tiercache: tiered memoization for expensive async functions.
 *
 * @module tiercache
 */
export { Cache } from './storage/cache'
export { MemoryTier } from './storage/tiers/memory'
export { FileTier } from './storage/tiers/file'
export {
  CacheError,
  ClockError,
  InvalidKeyError,
  PolicyError,
  RefreshError,
  SerializationError,
  StorageError,
  TimeoutError,
  isStorageError,
} from './core/exceptions'
export { systemClock } from './core/clock'
export { toMs } from './core/duration'
export { encode, decode } from './core/codec'
export { compilePattern } from './core/pattern'
export { diagnosticChannels } from './storage/diagnostics'

export type {
  CacheOptions,
  CacheStats,
  GetOrSetOptions,
  MemoryCacheView,
  SetOptions,
  TtlArgument,
} from './storage/cache'
export type { EntryInfo, FreshnessOptions } from './storage/freshness'
export type { MemoryTierOptions } from './storage/tiers/memory'
export type { FileTierOptions } from './storage/tiers/file'
export type { Entry, InProcessTier, KeyPredicate, Tier, TierStats } from './storage/tier'
export type { TagCounters, TagStamps } from './storage/tier-tags'
export type { TagsOption } from './storage/tag-options'
export type { BusReceiver, CacheBus } from './storage/bus'
export type {
  BusMessageEvent,
  ComputeContext,
  ErrorMessage,
  KeyMessage,
  LeaseMessage,
  RedactKeys,
  RefreshMessage,
  StaleMessage,
  TierMessage,
  TimeoutMessage,
} from './storage/diagnostics'
export type { FunctionStats } from './storage/function-stats'
export type { HeldLease, LeaseProvider } from './storage/lease'
export type { LeaseOptions } from './storage/cache'
export type { Clock } from './core/clock'
export type { Duration } from './core/duration'
export type { KeyMatcher, KeyPattern } from './core/pattern'

export { withCache } from './memoize/with-cache'
export { Cached, CacheConfig, InvalidatesCache } from './memoize/cached'
export { getDefaultCache, setDefaultCache } from './memoize/default-cache'
export { argToken } from './memoize/key'
export type { CachedFunction, WithCacheOptions } from './memoize/with-cache'
export type { CacheConfigOptions, CachedOptions, InvalidatesCacheOptions } from './memoize/cached'
export type {
  AsyncMethodDecorator,
  CacheOption,
  ClassOnlyDecorator,
} from './memoize/decorator-types'
