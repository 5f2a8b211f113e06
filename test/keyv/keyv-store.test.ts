import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Keyv from 'keyv'
import { Keyv as Keyv6 } from 'keyv6'
import { Cache, MemoryTier } from '../../src'
import { toKeyvStore } from '../../src/keyv'
import { FakeClock } from '../../src/testing/fake-clock'

// The official @keyv/test-suite runs against toKeyvStore under Vitest (keyv-test-suite.vitest.ts,
// `npm run test:keyv`); these are the units and lifetimes it does not look at.
describe('toKeyvStore(cache)', () => {
  let clock: FakeClock
  let cache: Cache
  const expiryOf = (key: string) => (cache.tiers[0] as MemoryTier).peek(key)?.expiresAt

  beforeEach(() => {
    clock = new FakeClock()
    // A cache whose own default TTL is a second: Keyv's "no TTL" must not fall back to it.
    cache = new Cache({ tiers: [new MemoryTier({ clock })], clock, ttl: 1, cleanupInterval: false })
  })
  afterEach(() => cache.close())

  const made: [
    string,
    (store: object) => { set(key: string, value: string, ttl?: number): unknown },
  ][] = [
    ['Keyv 5', (store) => new Keyv({ store })],
    ['Keyv 6', (store) => new Keyv6({ store })],
  ]
  for (const [name, keyvOver] of made) {
    it(`${name}: a TTL is milliseconds, and no TTL means the entry never expires`, async () => {
      const keyv = keyvOver(toKeyvStore(cache))
      await keyv.set('minute', 'v', 60_000)
      await keyv.set('forever', 'v')
      const minute = [...cache.memoryCache.keys()].find((key) => key.endsWith('minute'))!
      const forever = [...cache.memoryCache.keys()].find((key) => key.endsWith('forever'))!
      // Keyv 6 turns the TTL into an absolute expiry and back on its wall clock: a millisecond may pass.
      expect(expiryOf(minute)).toBeLessThanOrEqual(clock.now() + 60_000)
      expect(expiryOf(minute)).toBeGreaterThan(clock.now() + 59_000)
      expect(expiryOf(forever)).toBe(Infinity)
    })
  }

  it('disconnect() closes the cache', async () => {
    const close = jest.spyOn(cache.tiers[0]!, 'close')
    const keyv = new Keyv({ store: toKeyvStore(cache) })
    await keyv.disconnect()
    expect(close).toHaveBeenCalledTimes(1)
  })
})

describe('tiercache/keyv never loads keyv itself', () => {
  it('from the sources', async () => {
    const report = `console.log(JSON.stringify(Object.keys(require('node:module')._cache).filter((p) => /node_modules[\\\\/](keyv|@keyv)[\\\\/]/.test(p))))`
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', `require('./src/keyv');${report}`],
      { cwd: join(__dirname, '../..') },
    )
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual([])
  }, 60_000)
})
