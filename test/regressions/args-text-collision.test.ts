import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { callText } from '../../src/memoize/key'

/**
 * Regression, found by the second review (ca2a022 ArgsIndex by text; the same hole already existed in keyBuilder's text→key memo since
 * 474592e, so this also fails at 872c4ab): `isPlainJsonData` (codec `scan`) walks an array by its indices
 * only — it never checks the array's prototype or a `toJSON` on it — but `JSON.stringify` calls an array's
 * `toJSON`. Two arrays with different elements (different default keys: `canonical` walks the elements) can
 * therefore share one call text, and the second call is served the first call's entry.
 *
 * Fixed: the codec's plain-data check now treats an Array subclass, or an array with its own toJSON, as
 * not plain, so such calls get no text and their keys are built from their elements.
 */

class Path extends Array<string> {
  toJSON(): string {
    return this.join('/')
  }
}

describe('call texts of arrays with a toJSON', () => {
  it('two calls with different keys do not share a call text', () => {
    const a = [{ path: Path.from(['a', 'b']) }]
    const b = [{ path: Path.from(['a/b']) }]
    expect(callText(a) === undefined || callText(a) !== callText(b)).toBe(true) // no text, or different texts
  })

  it('withCache serves each call its own result', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    try {
      const depth = withCache(async (req: { path: string[] }) => req.path.length, {
        cache,
        namespace: 'paths',
      })
      const two = { path: Path.from(['a', 'b']) }
      const one = { path: Path.from(['a/b']) }
      expect(await depth(two)).toBe(2)
      expect(await depth(two)).toBe(2) // a memory hit: now remembered by its text
      expect(await depth(one)).toBe(1)
    } finally {
      await cache.close()
    }
  })

  it('keyFor gives the two calls different keys (the key memo has the same hole)', async () => {
    const depth = withCache(async (req: { path: string[] }) => req.path.length, {
      cache: new Cache({ tiers: [new MemoryTier()], cleanupInterval: false }),
      namespace: 'paths',
    })
    try {
      expect(depth.keyFor({ path: Path.from(['a', 'b']) })).not.toBe(
        depth.keyFor({ path: Path.from(['a/b']) }),
      )
    } finally {
      await depth.cache.close()
    }
  })
})
