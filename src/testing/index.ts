/**
 * tiercache/testing: the tier compliance suite, for authors of a tier of their own. Loaded only through this
 * subpath: `tiercache` never imports it.
 *
 * @module tiercache/testing
 */
export { describeTier, makeEntry } from './tier-suite'
export { FakeClock } from './fake-clock'
export { HOSTILE_KEYS, keyLabel } from './hostile-keys'

export type { TierCaps, TierSuiteOptions } from './tier-suite'
export type { Assertion, TestFunctions } from './test-functions'
