import { LifetimePolicy } from '../../src/storage/lifetimes'

describe('LifetimePolicy', () => {
  it('defaults to 24 hours, with in-process copies living as long', () => {
    const policy = new LifetimePolicy(undefined, undefined)
    expect(policy.of(undefined)).toEqual({ ttlMs: 86_400_000, memoryTtlMs: 86_400_000 })
    expect(policy.memoryTtlMs).toBe(Infinity)
  })

  it('takes seconds, durations and { ttl, memoryTtl }; a copy never outlives its entry', () => {
    const policy = new LifetimePolicy('1h', '10m')
    expect(policy.of(undefined)).toEqual({ ttlMs: 3_600_000, memoryTtlMs: 600_000 })
    expect(policy.of(30)).toEqual({ ttlMs: 30_000, memoryTtlMs: 30_000 })
    expect(policy.of({ memoryTtl: '1m' })).toEqual({ ttlMs: 3_600_000, memoryTtlMs: 60_000 })
    expect(policy.of({ ttl: '2h', memoryTtl: '3h' })).toEqual({
      ttlMs: 7_200_000,
      memoryTtlMs: 7_200_000,
    })
  })

  it('names the option a bad duration came in', () => {
    expect(() => new LifetimePolicy('soon' as never, undefined)).toThrow(/ttl/)
    expect(() => new LifetimePolicy(undefined, -1)).toThrow(/memoryTtl/)
    expect(() => new LifetimePolicy(undefined, undefined).of({ memoryTtl: 'x' as never })).toThrow(
      /memoryTtl/,
    )
  })

  it('for a computed value: shouldCache and a ttl of 0 say "do not store", a ttl function sees the value', () => {
    const policy = new LifetimePolicy(60, undefined)
    expect(policy.ofComputed([], { shouldCache: (v: unknown[]) => v.length > 0 })).toBeUndefined()
    expect(policy.ofComputed('x', { ttl: 0 })).toBeUndefined()
    expect(policy.ofComputed('x', { ttl: (v: string) => (v === 'x' ? 5 : 0) })).toEqual({
      ttlMs: 5_000,
      memoryTtlMs: 5_000,
    })
    expect(policy.ofComputed('y', { ttl: (v: string) => (v === 'x' ? 5 : 0) })).toBeUndefined()
    expect(policy.ofComputed('x', {})).toBe(policy.of(undefined)) // the shared defaults: no object per call
  })
})
