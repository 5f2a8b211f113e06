import {
  endingAt,
  entryTimes,
  freshnessPolicy,
  isFresh,
  NO_FRESHNESS,
  policyOf,
} from '../../src/storage/freshness'
import type { Entry } from '../../src/storage/tier'

describe('freshnessPolicy', () => {
  it('is every option off without options, with a 10 s error backoff', () => {
    expect(freshnessPolicy({})).toEqual(NO_FRESHNESS)
    expect(NO_FRESHNESS.backoffMs).toBe(10_000)
  })

  it('reads durations in the usual forms; the stale window is the longer of the two', () => {
    const policy = freshnessPolicy({
      staleWhileRevalidate: '10m',
      staleIfError: 3_600,
      timeout: '250ms',
      hardTimeout: 30,
      eagerRefresh: 0.8,
      jitter: '1m',
      errorBackoff: '5s',
    })
    expect(policy).toEqual({
      swrMs: 600_000,
      staleIfErrorMs: 3_600_000,
      softMs: 250,
      hardMs: 30_000,
      eager: 0.8,
      jitterMs: 60_000,
      backoffMs: 5_000,
      staleMs: 3_600_000,
      servesStale: true,
    })
  })

  it("a call's options override the cache's, and 0 turns one off", () => {
    const base = freshnessPolicy({ staleWhileRevalidate: 60, hardTimeout: 5 })
    const call = freshnessPolicy({ staleWhileRevalidate: 0 }, base)
    expect([call.swrMs, call.hardMs, call.staleMs, call.servesStale]).toEqual([0, 5_000, 0, false])
  })

  it('policyOf reads an options object once, and gives the base itself to options without any', () => {
    const base = freshnessPolicy({ staleIfError: 60 })
    const options = { staleWhileRevalidate: 30, ttl: 5 }
    expect(policyOf({ ttl: 5 } as object, base)).toBe(base)
    expect(policyOf(options, base)).toBe(policyOf(options, base))
    expect(policyOf(options, NO_FRESHNESS)).not.toBe(policyOf(options, base))
  })
})

describe('entryTimes', () => {
  const now = 1_000_000
  it('without a stale window: fresh until it expires, no refresh time', () => {
    expect(entryTimes(now, 60_000, NO_FRESHNESS)).toEqual({
      freshUntil: now + 60_000,
      refreshAt: undefined,
      expiresAt: now + 60_000,
    })
  })

  it('a stale window extends expiresAt past freshUntil; eagerRefresh puts refreshAt at a fraction of the ttl', () => {
    const policy = freshnessPolicy({
      staleWhileRevalidate: 30,
      staleIfError: 90,
      eagerRefresh: 0.5,
    })
    expect(entryTimes(now, 60_000, policy)).toEqual({
      freshUntil: now + 60_000,
      refreshAt: now + 30_000,
      expiresAt: now + 150_000,
    })
  })

  it('jitter adds up to its length to the lifetime', () => {
    const policy = freshnessPolicy({ jitter: 10 })
    const ends = Array.from({ length: 200 }, () => entryTimes(now, 60_000, policy).freshUntil - now)
    expect(Math.min(...ends)).toBeGreaterThanOrEqual(60_000)
    expect(Math.max(...ends)).toBeLessThan(70_000)
    expect(new Set(ends).size).toBeGreaterThan(100)
  })

  it('an entry that never expires has no refresh time', () => {
    expect(
      entryTimes(now, Infinity, freshnessPolicy({ eagerRefresh: 0.5 })).refreshAt,
    ).toBeUndefined()
  })
})

describe('endingAt and isFresh', () => {
  const entry: Entry = { key: 'k', value: 1, refreshAt: 50, freshUntil: 100, expiresAt: 200 }

  it('cuts every time to the new end', () => {
    expect(endingAt(entry, 300)).toBe(entry)
    expect(endingAt(entry, 150)).toMatchObject({ refreshAt: 50, freshUntil: 100, expiresAt: 150 })
    expect(endingAt(entry, 80)).toMatchObject({ refreshAt: 50, freshUntil: 80, expiresAt: 80 })
    expect(endingAt(entry, 40)).toMatchObject({
      refreshAt: undefined,
      freshUntil: 40,
      expiresAt: 40,
    })
  })

  it('is fresh before freshUntil; an entry without one is fresh until it expires', () => {
    expect([isFresh(entry, 99), isFresh(entry, 100)]).toEqual([true, false])
    expect(isFresh({ key: 'k', value: 1, expiresAt: 200 }, 150)).toBe(true)
  })
})
