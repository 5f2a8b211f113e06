import { randomBytes } from 'node:crypto'
import { createClient, RESP_TYPES } from 'redis'
import { encodeParts } from '../../src/core/codec'
import { compilePattern } from '../../src/core/pattern'
import type { Entry } from '../../src/storage/tier'
import { RedisTier } from '../../src/redis'
import { describeTier, makeEntry } from '../../src/testing'
import { FakeClock } from '../../src/testing/fake-clock'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

let server: RedisServer
/** A plain node-redis client, to look at what the tier stored the way any other Redis user would. */
let raw: ReturnType<typeof createRawClient>
const createRawClient = (url: string) =>
  createClient({ url }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })

beforeAll(async () => {
  server = await startRedisServer()
  raw = createRawClient(server.url)
  await raw.connect()
})
afterAll(async () => {
  await raw.close()
  await server.stop()
})

/** Waits until `condition` holds (an effect Redis makes on its own time), failing after `timeoutMs`. */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describeTier({
  name: 'RedisTier',
  make: (clock) => new RedisTier({ url: server.url, prefix: uniquePrefix('suite'), clock }),
  persistent: true,
  reopen: (tier, clock) =>
    new RedisTier({ url: server.url, prefix: (tier as RedisTier).prefix, clock }),
  expiresByItself: true,
  listsKeys: true,
  test: { describe, it, expect, beforeEach, afterEach },
})

describe('RedisTier', () => {
  let tier: RedisTier
  const open = (options: Partial<ConstructorParameters<typeof RedisTier>[0]> = {}) =>
    new RedisTier({ url: server.url, prefix: uniquePrefix(), ...options })
  const inAMinute = () => Date.now() + 60_000
  /** An entry as Cache makes it: large byte arrays set apart as attachments. */
  const entryWithAttachments = (key: string, value: unknown, expiresAt = inAMinute()): Entry => {
    const { text, attachments } = encodeParts(value)
    return { key, value, encoded: text, attachments, expiresAt }
  }

  beforeEach(() => {
    tier = open()
  })
  afterEach(() => tier.close())

  describe('storage', () => {
    it('stores one Redis key per entry, <prefix><key>, in the file format', async () => {
      await tier.set(makeEntry('video:1', { title: 'x' }, inAMinute()))
      const stored = await raw.get(`${tier.prefix}video:1`)
      expect(stored?.toString()).toMatch(
        /^\{"v":1,"key":"video:1","expiresAt":\d+,"value":\{"title":"x"\}\}$/,
      )
      expect(await raw.keys(`${tier.prefix}*`)).toHaveLength(1)
    })

    it('a 10 MiB Buffer comes back with identical bytes, stored raw rather than as base64', async () => {
      const bytes = randomBytes(10 << 20)
      await tier.close()
      tier = open({ commandTimeout: '30s' }) // 10 MiB each way: a loaded CI machine must not time it out
      await tier.set(entryWithAttachments('frame', bytes))
      expect(await raw.strLen(`${tier.prefix}frame`)).toBeLessThan(bytes.length + 200) // base64: 1.33x
      const second = open({ prefix: tier.prefix, commandTimeout: '30s' })
      const back = await second.get('frame').finally(() => second.close())
      expect(Buffer.isBuffer(back?.value)).toBe(true)
      expect((back!.value as Buffer).equals(bytes)).toBe(true)
    })

    it('Date, Map, Set, BigInt and typed arrays come back with their types', async () => {
      const value = {
        at: new Date(42),
        tags: new Set(['a', 'b']),
        index: new Map([['k', 1n]]),
        embedding: new Float32Array([1.5, -2]),
        thumbnail: randomBytes(8192),
      }
      await tier.set(entryWithAttachments('segment', value))
      const back = (await tier.get('segment'))!.value as typeof value
      expect(back.at).toEqual(new Date(42))
      expect(back.tags).toEqual(new Set(['a', 'b']))
      expect(back.index.get('k')).toBe(1n)
      expect(back.embedding).toBeInstanceOf(Float32Array)
      expect([...back.embedding]).toEqual([1.5, -2])
      expect(back.thumbnail.equals(value.thumbnail)).toBe(true)
    })

    it('a lone surrogate and U+FFFD are two keys, each with its own value', async () => {
      await tier.set(makeEntry('\uD800', 'lone', inAMinute()))
      await tier.set(makeEntry('\uFFFD', 'replacement', inAMinute()))
      expect((await tier.get('\uD800'))?.value).toBe('lone')
      expect((await tier.get('\uFFFD'))?.value).toBe('replacement')
      expect(await tier.clear((key) => key === '\uD800')).toBe(1)
      expect((await tier.get('\uFFFD'))?.value).toBe('replacement')
    })
  })

  describe('expiry', () => {
    it('is absolute: Redis holds PXAT = expiresAt, and no expiry for Infinity', async () => {
      const expiresAt = Date.now() + 3_600_000
      await tier.set(makeEntry('hour', 1, expiresAt))
      await tier.set(makeEntry('forever', 2, Infinity))
      expect(await raw.pExpireTime(`${tier.prefix}hour`)).toBe(expiresAt)
      expect(await raw.pExpireTime(`${tier.prefix}forever`)).toBe(-1)
    })

    it('Redis drops an entry by itself once it expires', async () => {
      await tier.set(makeEntry('brief', 1, Date.now() + 30))
      await until(
        async () => (await raw.exists(`${tier.prefix}brief`)) === 0,
        'Redis expired the key',
      )
    })

    it('a set of an entry already past its expiry removes the old value', async () => {
      await tier.set(makeEntry('k', 'old', inAMinute()))
      await tier.set(makeEntry('k', 'new', Date.now() - 1))
      expect(await tier.get('k')).toBeUndefined()
      expect(await raw.exists(`${tier.prefix}k`)).toBe(0)
    })

    it('with a fake clock in the past, Redis still keeps the entry for its TTL', async () => {
      const clock = new FakeClock(1_000_000)
      const faked = open({ clock })
      try {
        await faked.set(makeEntry('k', 1, clock.now() + 60_000))
        expect((await faked.get('k'))?.value).toBe(1)
        const ttl = await raw.pTTL(`${faked.prefix}k`)
        expect(ttl).toBeGreaterThan(50_000)
        expect(ttl).toBeLessThanOrEqual(60_000)
      } finally {
        await faked.close()
      }
    })
  })

  describe('unreadable values are misses', () => {
    it.each([
      ['not JSON', () => Buffer.from('garbage')],
      ['empty', () => Buffer.alloc(0)],
      ['cut short', () => Buffer.from('{"v":1,"key":"k","expiresAt":null,"value":{"a"')],
      ['a later format', () => Buffer.from('{"v":2,"key":"k","expiresAt":null,"value":1}')],
      [
        'attachments cut short',
        () => Buffer.from('{"v":1,"key":"k","expiresAt":null,"attachments":[10],"value":1}\nabc'),
      ],
    ])('%s', async (_label, bytes) => {
      await raw.set(`${tier.prefix}k`, bytes())
      expect(await tier.get('k')).toBeUndefined()
    })

    it("another key's entry copied under this key", async () => {
      await tier.set(makeEntry('a', 'for a', inAMinute()))
      await raw.set(`${tier.prefix}b`, (await raw.get(`${tier.prefix}a`))!)
      expect(await tier.get('b')).toBeUndefined()
      expect((await tier.get('a'))?.value).toBe('for a')
    })

    it('a hash under the key (WRONGTYPE)', async () => {
      await raw.hSet(`${tier.prefix}h`, 'field', 'value')
      expect(await tier.get('h')).toBeUndefined()
      await tier.set(makeEntry('h', 'mine', inAMinute()))
      expect((await tier.get('h'))?.value).toBe('mine')
    })
  })

  describe('clear(pattern)', () => {
    const keys = [
      'a[1]x',
      'a[1]',
      'a1x',
      'a]x', // brackets
      'b*c',
      'bxc',
      'b**c', // stars
      'q?r',
      'qzr', // question marks
      'back\\slash',
      'backslash', // a backslash
      '^caret',
      'caret',
      'x^y', // carets
      'clip_😀',
      'clip_é',
      'clip_😀😀',
      'clip_', // ? against multi-byte characters
    ]
    const clear = async (pattern: string | RegExp) => {
      for (const key of keys) await tier.set(makeEntry(key, key, inAMinute()))
      const removed = await tier.clear(compilePattern(pattern))
      const left = new Set<string>()
      for (const key of keys) if (await tier.get(key)) left.add(key)
      return { removed, gone: keys.filter((key) => !left.has(key)) }
    }

    it.each([
      ['a[1]*', ['a[1]x', 'a[1]']], // brackets are literal, not a class
      ['a]*', ['a]x']],
      ['b*c', ['b*c', 'bxc', 'b**c']], // * is a wildcard...
      ['q?r', ['q?r', 'qzr']], // ...and ? too
      ['back\\*', ['back\\slash']], // a backslash is literal, not an escape
      ['^*', ['^caret']],
      ['x^y', ['x^y']], // no wildcard: one key
      ['clip_?', ['clip_😀', 'clip_é']], // ? is one character, however many bytes
      ['*😀*', ['clip_😀', 'clip_😀😀']],
    ])("clear('%s') removes exactly what the glob matches", async (pattern, expected) => {
      const { removed, gone } = await clear(pattern)
      expect(gone.sort()).toEqual([...expected].sort())
      expect(removed).toBe(expected.length)
    })

    it('a RegExp is matched here, on the keys SCAN returns', async () => {
      const { removed, gone } = await clear(/^[ab].x$/)
      expect(gone.sort()).toEqual(
        ['a1x', 'a]x', 'bxc'].filter((key) => /^[ab].x$/.test(key)).sort(),
      )
      expect(removed).toBe(gone.length)
    })

    it('clear() without a pattern removes every entry of the prefix and nothing else', async () => {
      const neighbour = open()
      try {
        await neighbour.set(makeEntry('k', 'theirs', inAMinute()))
        await raw.set('unrelated', 'x')
        const many = Array.from({ length: 2_500 }, (_, i) => makeEntry(`k${i}`, i, inAMinute()))
        for (let i = 0; i < many.length; i += 250)
          // in bursts, as a busy worker writes
          await Promise.all(many.slice(i, i + 250).map((entry) => tier.set(entry)))
        expect(await tier.clear()).toBe(2_500)
        expect((await tier.stats()).entries).toBe(0)
        expect((await neighbour.get('k'))?.value).toBe('theirs')
        expect((await raw.get('unrelated'))?.toString()).toBe('x')
      } finally {
        await neighbour.close()
        await raw.del('unrelated')
      }
    })
  })

  it('stats() counts the entries of the prefix and their stored bytes', async () => {
    await tier.set(makeEntry('a', 'x'.repeat(1_000), inAMinute()))
    await tier.set(entryWithAttachments('b', randomBytes(100_000)))
    const stats = await tier.stats()
    expect(stats.entries).toBe(2)
    expect(stats.bytes).toBe(
      (await raw.strLen(`${tier.prefix}a`)) + (await raw.strLen(`${tier.prefix}b`)),
    )
    expect(stats.bytes).toBeGreaterThan(101_000)
  })

  describe('connections', () => {
    const connections = async () => (await raw.clientList()).length

    it('close() closes the connection the tier opened', async () => {
      const before = await connections()
      const own = open()
      await own.get('k') // connected
      expect(await connections()).toBe(before + 1)
      await own.close()
      await until(async () => (await connections()) === before, 'its connection is gone')
    })

    it("close() leaves a user's client open", async () => {
      const client = createClient({ url: server.url })
      await client.connect()
      try {
        const shared = new RedisTier({ client, prefix: uniquePrefix() })
        await shared.set(makeEntry('k', 'v', inAMinute()))
        expect((await shared.get('k'))?.value).toBe('v')
        await shared.close()
        expect(client.isReady).toBe(true)
        expect(await client.ping()).toBe('PONG')
      } finally {
        await client.close()
      }
    })

    it.each([
      [{}, /exactly one of the url, client or connection/],
      [{ url: 'redis://x', connection: {} }, /exactly one/],
      [{ url: 'redis://x', prefix: '' }, /prefix option must be a non-empty/],
      [{ url: 'redis://x', commandTimeout: Infinity }, /commandTimeout option must be finite/],
      [{ url: 'redis://x', breaker: { failures: 0 } }, /breaker.failures option/],
    ])('bad options fail early, naming the option: %j', (options, message) => {
      expect(() => new RedisTier(options as never)).toThrow(message)
    })
  })
})
