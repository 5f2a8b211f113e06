import { encodeParts } from '../../src/core/codec'
import { compilePattern } from '../../src/core/pattern'
import { RedisTier } from '../../src/redis'
import { entryFor } from '../helpers/write-cache-entries'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)

let server: RedisServer
beforeAll(async () => {
  ensureBuilt()
  server = await startRedisServer()
}, 300_000)
afterAll(() => server.stop())

/** `count` fixture entries (as in the folder tests) written by a RedisTier under a prefix of their own. */
async function redisCache(
  count: number,
): Promise<{ prefix: string; keys: string[]; tier: RedisTier }> {
  const prefix = uniquePrefix('cli')
  const tier = new RedisTier({ url: server.url, prefix })
  const keys: string[] = []
  for (let i = 0; i < count; i++) {
    const { key, value } = entryFor(i)
    const { text, attachments } = encodeParts(value)
    await tier.set({ key, value, encoded: text, attachments, expiresAt: Date.now() + 3_600_000 })
    keys.push(key)
  }
  return { prefix, keys, tier }
}

describe('the tiercache command on a Redis prefix (--redis URL --prefix P)', () => {
  it('stats counts the entries under the prefix, by function version, and nothing else', async () => {
    const { prefix, tier } = await redisCache(20)
    const other = await redisCache(3) // another prefix: not counted
    await other.tier.close()
    const { code, stdout } = await runCli([
      'stats',
      '--redis',
      server.url,
      '--prefix',
      prefix,
      '--json',
    ])
    expect(code).toBe(0)
    const stats = JSON.parse(stdout)
    expect(stats).toMatchObject({ redis: `redis ${server.url} (prefix ${prefix})`, entries: 20 })
    expect(stats.bytes).toBeGreaterThan(20 * 100)
    const byId = Object.fromEntries(
      stats.functions.map((f: { id: string; entries: number }) => [f.id, f.entries]),
    )
    expect(byId).toEqual({
      'video:describe:v1': 4,
      'video:describe:v2': 6,
      'video:thumbnail:v3': 4,
      'asr:transcribe:v1.2.0': 4,
      '(keys not made by withCache)': 2,
    })
    await tier.close()
  })

  it('ls lists the matching keys with tier "redis"; inspect previews a value', async () => {
    const { prefix, keys, tier } = await redisCache(20)
    const ls = await runCli([
      'ls',
      'video:describe:*',
      '--redis',
      server.url,
      '--prefix',
      prefix,
      '--json',
    ])
    const rows = JSON.parse(ls.stdout) as { key: string; tier: string }[]
    expect(rows.map((r) => r.key).sort()).toEqual(
      keys.filter(compilePattern('video:describe:*')).sort(),
    )
    expect(new Set(rows.map((r) => r.tier))).toEqual(new Set(['redis']))
    const inspect = await runCli([
      'inspect',
      entryFor(1).key,
      '--redis',
      server.url,
      '--prefix',
      prefix,
    ])
    expect(inspect.code).toBe(0)
    expect(inspect.stdout).toMatch(/^Tier\s+redis \(/m)
    expect(inspect.stdout).toContain('labels: Map(1) { "k" => 1 }')
    await tier.close()
  })

  it('clear --yes removes exactly the matching keys under the prefix', async () => {
    const { prefix, keys, tier } = await redisCache(20)
    const { code, stdout } = await runCli([
      'clear',
      'asr:*',
      '--yes',
      '--redis',
      server.url,
      '--prefix',
      prefix,
    ])
    expect(code).toBe(0)
    const matching = keys.filter(compilePattern('asr:*'))
    expect(stdout).toMatch(new RegExp(`^removed ${matching.length} entries`))
    const left = await Promise.all(keys.map(async (k) => ((await tier.get(k)) ? k : undefined)))
    expect(left.filter(Boolean)).toEqual(keys.filter((k) => !matching.includes(k)))
    await tier.close()
  })

  it('an unreachable server fails with one line and exit code 1; --prefix without --redis is a usage error', async () => {
    const down = await runCli(['stats', '--redis', 'redis://127.0.0.1:9'])
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/^tiercache: cannot reach Redis at redis:\/\/127\.0\.0\.1:9: .*\n$/)
    const usage = await runCli(['stats', '--prefix', 'x:'])
    expect(usage.code).toBe(2)
  })
})
