/**
 * The few test-runner functions the compliance suite needs, passed in by the caller, so the suite runs
 * under Jest or Vitest (pass their `describe`, `it`, `expect`, `beforeEach`, `afterEach`) or any runner
 * given small adapters, and never relies on globals being there.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict'
 * import { afterEach, beforeEach, describe, it } from 'node:test'
 * import { MemoryTier } from 'tiercache'
 * import { describeTier, type Assertion, type TestFunctions } from 'tiercache/testing'
 *
 * // Node's own test runner, given the four matchers the suite uses.
 * const expect = (actual: unknown): Assertion => ({
 *   toBe: (expected) => assert.equal(actual, expected),
 *   toEqual: (expected) => assert.deepEqual(actual, expected),
 *   toBeUndefined: () => assert.equal(actual, undefined),
 *   toBeDefined: () => assert.notEqual(actual, undefined),
 * })
 * const test: TestFunctions = {
 *   describe: (name, body) => void describe(name, body),
 *   it: (name, body) => void it(name, body),
 *   beforeEach: (hook) => beforeEach(hook),
 *   afterEach: (hook) => afterEach(hook),
 *   expect,
 * }
 * describeTier({ name: 'MemoryTier', make: (clock) => new MemoryTier({ clock }), inProcess: true, test })
 * ```
 */
export interface TestFunctions {
  describe(name: string, body: () => void): void
  it(name: string, body: () => Promise<void>): void
  beforeEach(hook: () => Promise<void>): void
  afterEach(hook: () => Promise<void>): void
  expect(actual: unknown): Assertion
}

/**
 * The matchers the suite uses; Jest's and Vitest's `expect` both provide them.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict'
 * import { afterEach, beforeEach, describe, it } from 'node:test'
 * import { MemoryTier } from 'tiercache'
 * import { describeTier, type Assertion, type TestFunctions } from 'tiercache/testing'
 *
 * // Node's own test runner, given the four matchers the suite uses.
 * const expect = (actual: unknown): Assertion => ({
 *   toBe: (expected) => assert.equal(actual, expected),
 *   toEqual: (expected) => assert.deepEqual(actual, expected),
 *   toBeUndefined: () => assert.equal(actual, undefined),
 *   toBeDefined: () => assert.notEqual(actual, undefined),
 * })
 * const test: TestFunctions = {
 *   describe: (name, body) => void describe(name, body),
 *   it: (name, body) => void it(name, body),
 *   beforeEach: (hook) => beforeEach(hook),
 *   afterEach: (hook) => afterEach(hook),
 *   expect,
 * }
 * describeTier({ name: 'MemoryTier', make: (clock) => new MemoryTier({ clock }), inProcess: true, test })
 * ```
 */
export interface Assertion {
  toBe(expected: unknown): unknown
  toEqual(expected: unknown): unknown
  toBeUndefined(): unknown
  toBeDefined(): unknown
}
