import fc from 'fast-check'
import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { methodName } from '../../src/memoize/key-prefix'

const memoryCache = () => new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })

/** A function with this name and a body of its own (so the registry never sees two sources under one prefix). */
function named(name: string, body: string): (...args: unknown[]) => Promise<unknown> {
  const fn = new Function(`return async function (...args) { return ${JSON.stringify(body)} }`)()
  Object.defineProperty(fn, 'name', { value: name })
  return fn
}

describe('default key prefixes', () => {
  it('segments never shift: namespace y on function v1 and function y called with v1 differ', () => {
    const cache = memoryCache()
    const a = withCache(named('v1', 'a'), { cache, namespace: 'y' })
    const b = withCache(named('y', 'b'), { cache })
    expect(a.keyFor()).not.toBe(b.keyFor('v1'))
  })

  it('an anonymous function with a namespace and a function named like the namespace differ', () => {
    const cache = memoryCache()
    const a = withCache(named('', 'a'), { cache, namespace: 'load' })
    const b = withCache(named('load', 'b'), { cache })
    expect(a.keyFor('x')).not.toBe(b.keyFor('x'))
  })

  it('no namespace, name, version and arguments make the key of another combination', () => {
    const text = fc.string({
      unit: fc.constantFrom('v', 'y', '1', ':', '%', "'", '#', '-', '\\'),
      maxLength: 3,
    })
    const combination = fc
      .record({
        namespace: fc.option(
          text.filter((s) => s !== ''),
          { nil: undefined },
        ),
        name: text,
        version: fc.oneof(text, fc.integer({ min: -1, max: 2 })),
        integrity: fc.boolean(),
        body: fc.constantFrom('a', 'b'),
        args: fc.array(fc.oneof(text, fc.integer({ min: -1, max: 2 })), { maxLength: 2 }),
      })
      .filter((c) => c.name !== '' || c.namespace !== undefined)
    type Combination = typeof combination extends fc.Arbitrary<infer C> ? C : never
    const keyOf = (c: Combination) =>
      withCache(named(c.name, c.body), {
        cache: memoryCache(),
        namespace: c.namespace,
        version: c.version,
        integrity: c.integrity,
      }).keyFor(...c.args)
    // Versions compare as text (1 and '1' are one version); the body counts only through `integrity`.
    const identity = (c: Combination) =>
      JSON.stringify([
        c.namespace,
        c.name,
        String(c.version),
        c.integrity && c.body,
        c.args.map((a) => [typeof a, a]),
      ])
    fc.assert(
      fc.property(fc.array(combination, { minLength: 2, maxLength: 40 }), (combinations) => {
        const seen = new Map<string, string>()
        for (const c of combinations) {
          const key = keyOf(c)
          expect([key, seen.get(key) ?? identity(c)]).toEqual([key, identity(c)])
          seen.set(key, identity(c))
        }
      }),
      { numRuns: 300 },
    )
  })

  it('no class, method and static flag make the name of another decorated method', () => {
    const part = fc.string({ unit: fc.constantFrom('A', 's', 'static', '.', '\\'), maxLength: 3 })
    const method = fc.tuple(part, part, fc.boolean())
    fc.assert(
      fc.property(method, method, (x, y) => {
        if (methodName(...x) === methodName(...y)) expect(x).toEqual(y)
      }),
      { numRuns: 5000 },
    )
    expect(methodName('Report', 'build', true)).toBe('Report.static.build')
    expect(methodName('Report', 'static.build', false)).toBe('Report.static\\.build')
  })

  it('keeps the documented format for plain names and numeric versions', () => {
    const cache = memoryCache()
    const getVideoMetadata = withCache(named('getVideoMetadata', 'x'), {
      cache,
      namespace: 'video',
      version: 2,
    })
    expect(getVideoMetadata.keyFor('abc', 4)).toBe('video:getVideoMetadata:v2:abc:4')
    expect(withCache(named('load', 'x'), { cache }).keyFor('abc')).toBe('load:v1:abc')
  })

  it('integrity puts a fingerprint of the source in the key: changed code never reads old entries', () => {
    const cache = memoryCache()
    const before = withCache(named('load', 'old'), { cache: memoryCache(), integrity: true })
    const after = withCache(named('load', 'new'), { cache, integrity: true })
    const again = withCache(named('load', 'new'), { cache, integrity: true })
    expect(before.keyFor('x')).not.toBe(after.keyFor('x'))
    expect(again.keyFor('x')).toBe(after.keyFor('x'))
    expect(after.keyFor('x')).toMatch(/^load:#[\w-]{12}:v1:x$/)
  })
})
