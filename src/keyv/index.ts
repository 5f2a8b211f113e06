/**
 * tiercache/keyv: Keyv both ways. `toKeyvStore(cache)` makes a tiercache `Cache` a Keyv storage adapter (for
 * Keyv 5 and 6, cache-manager 7, cacheable); `KeyvTier` makes any Keyv store a tier. Loaded only through this
 * subpath: `tiercache` never imports it.
 */
export { toKeyvStore, KeyvStoreOfCache } from './keyv-store'
export { KeyvTier } from './keyv-tier'

export type { KeyvLike, KeyvTierOptions } from './keyv-tier'
