import { compilePattern } from '../../src/core/pattern'
import { keyToFileName } from '../../src/storage/tiers/file-layout'
import { useTempDirs } from '../helpers/temp-dir'
import { AT_NOW, entrySizes, fixtureCache } from './fixture-cache'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

interface Row {
  key: string
  bytes: number
  tier: string
}

describe('tiercache ls', () => {
  it('--limit N lists the N largest entries, largest first', async () => {
    const { dir, keys } = await fixtureCache(40)
    const { code, stdout } = await runCli(['ls', '--dir', dir, '--limit', '5', '--json'], {
      env: AT_NOW,
    })
    expect(code).toBe(0)
    const rows: Row[] = JSON.parse(stdout)
    const sizes = entrySizes(dir)
    const expected = keys
      .map((key) => ({ key, bytes: sizes.get(keyToFileName(key))! }))
      .sort((a, b) => b.bytes - a.bytes || a.key.localeCompare(b.key))
      .slice(0, 5)
    expect(rows.map(({ key, bytes }) => ({ key, bytes }))).toEqual(expected)
    expect(rows.every((r) => r.tier === 'file')).toBe(true)
  })

  it('a pattern lists exactly the matching keys, a hashed (too long) key included', async () => {
    const { dir, keys } = await fixtureCache(40)
    for (const pattern of ['video:describe:v2:*', 'report*']) {
      const { stdout } = await runCli(['ls', pattern, '--dir', dir, '--json'], { env: AT_NOW })
      const listed = (JSON.parse(stdout) as Row[]).map((r) => r.key).sort()
      expect(listed).toEqual(keys.filter(compilePattern(pattern)).sort())
    }
    expect(keys.some((k) => k.length > 300)).toBe(true)
  })

  it('prints size, expiry, tier and key in columns, and says how many it left out', async () => {
    const { dir } = await fixtureCache(40)
    const { stdout } = await runCli(['ls', '--dir', dir, '-n', '3', '--sort', 'age'], {
      env: AT_NOW,
    })
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^\s+SIZE\s+EXPIRES\s+TIER\s+KEY$/)
    expect(
      lines.slice(1, 4).every((l) => /^\s+\d+(\.\d)? (B|KiB)\s+(in |expired |never)/.test(l)),
    ).toBe(true)
    expect(lines[4]).toBe('(3 of 40 matching entries, by age)')
  })

  it('refuses a bad --limit or --sort with exit code 2', async () => {
    const { dir } = await fixtureCache(1)
    for (const args of [
      ['--limit', '0'],
      ['--limit', 'ten'],
      ['--sort', 'color'],
    ]) {
      const { code, stderr } = await runCli(['ls', '--dir', dir, ...args])
      expect(code).toBe(2)
      expect(stderr).toMatch(
        /^tiercache: --(limit|sort) must be .*\nSee "tiercache ls --help"\.\n$/,
      )
    }
  })
})
