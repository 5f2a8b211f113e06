/**
 * The few test-runner functions the compliance suite needs, passed in by the caller, so the suite runs
 * under Jest or Vitest (pass their `describe`, `it`, `expect`, `beforeEach`, `afterEach`) or any runner
 * given small adapters, and never relies on globals being there.
 */
export interface TestFunctions {
  describe(name: string, body: () => void): void
  it(name: string, body: () => Promise<void>): void
  beforeEach(hook: () => Promise<void>): void
  afterEach(hook: () => Promise<void>): void
  expect(actual: unknown): Assertion
}

/** The matchers the suite uses; Jest's and Vitest's `expect` both provide them. */
export interface Assertion {
  toBe(expected: unknown): unknown
  toEqual(expected: unknown): unknown
  toBeUndefined(): unknown
  toBeDefined(): unknown
}
