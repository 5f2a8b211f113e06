import assert from 'node:assert/strict'
import { MapTier } from '../../examples/custom-tier'
import { describeTier, type Assertion, type TestFunctions, type TierCaps } from '../../src/testing'
import type { FakeClock } from '../../src/testing/fake-clock'

/** A runner of a dozen lines, with node:assert for `expect`: the suite needs no Jest or Vitest globals. */
async function runSuite(
  make: (clock: FakeClock) => MapTier,
  caps: TierCaps = {},
): Promise<{ passed: string[]; failed: string[] }> {
  const tests: { name: string; body: () => Promise<void> }[] = []
  const before: (() => Promise<void>)[] = []
  const after: (() => Promise<void>)[] = []
  const expect = (actual: unknown): Assertion => ({
    toBe: (want) => assert.ok(Object.is(actual, want), `${String(actual)} is not ${String(want)}`),
    toEqual: (want) => assert.deepStrictEqual(actual, want),
    toBeUndefined: () => assert.equal(actual, undefined),
    toBeDefined: () => assert.notEqual(actual, undefined),
  })
  const test: TestFunctions = {
    describe: (_name, body) => body(),
    it: (name, body) => void tests.push({ name, body }),
    beforeEach: (hook) => void before.push(hook),
    afterEach: (hook) => void after.push(hook),
    expect,
  }
  describeTier({ name: 'MapTier', make, test, ...caps })
  const passed: string[] = []
  const failed: string[] = []
  for (const { name, body } of tests) {
    try {
      for (const hook of before) await hook()
      try {
        await body()
      } finally {
        for (const hook of after) await hook()
      }
      passed.push(name)
    } catch {
      failed.push(name)
    }
  }
  return { passed, failed }
}

/** The example's tier with one defect. */
class AlwaysDeletes extends MapTier {
  override async delete(key: string): Promise<boolean> {
    await super.delete(key)
    return true
  }
}

describe('describeTier, run by a runner of its caller', () => {
  it('passes a tier that keeps the contract, every test of it', async () => {
    const { passed, failed } = await runSuite((clock) => new MapTier(clock))
    expect(failed).toEqual([])
    expect(passed.length).toBeGreaterThan(40) // the hostile keys alone are 34 tests
    expect(passed).toContain('20 concurrent set() of one key leave one whole entry')
  })

  it('fails a tier that ignores the clock it is given, in the tests of expiry', async () => {
    const { failed } = await runSuite(() => new MapTier({ now: () => 0 })) // its entries never expire
    expect(failed).toContain('an entry reads as a miss once clock passes expiresAt')
    expect(failed.every((name) => /expire|prune/.test(name))).toBe(true)
  })

  it('fails a tier whose delete() claims to remove a missing key', async () => {
    const { failed } = await runSuite((clock) => new AlwaysDeletes(clock))
    expect(failed).toEqual(['delete() returns true once, then false'])
  })

  it('fails a tier that claims capabilities it lacks', async () => {
    const { failed } = await runSuite((clock) => new MapTier(clock), { inProcess: true })
    expect(failed).toContain('is an in-process tier, as its capabilities say')
    expect(failed).toContain('peek() is synchronous, and a miss once the entry expired')
  })

  it('tells a persistent tier without reopen() that it needs one', async () => {
    const { failed } = await runSuite((clock) => new MapTier(clock), { persistent: true })
    expect(failed).toEqual(['a second instance reads what the first wrote'])
  })
})
