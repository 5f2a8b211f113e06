import {
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { FileTier } from '../../src/storage/tiers/file'
import { keyToFileName } from '../../src/storage/tiers/file-layout'
import { bumpTagCounter } from '../../src/storage/tiers/file-tags'
import { entryFor } from '../helpers/write-cache-entries'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { AT_NOW, fixtureCache, NOW } from './fixture-cache'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

/** An hour on: the temp file written now counts as left over by a writer that died. */
const AN_HOUR_ON = { TIERCACHE_NOW_MS: String(NOW + 3_600_000) }

/** A fixture cache with one of each problem verify reports, and what was planted. */
async function damagedCache() {
  const { dir, keys } = await fixtureCache(30)
  const cut = join(dir, keyToFileName(entryFor(2).key)) // a Buffer entry: cut inside its attachment
  truncateSync(cut, readFileSync(cut).length - 100)
  writeFileSync(join(dir, keyToFileName('empty:v1:x')), '')
  writeFileSync(join(dir, 'notes.txt'), 'not an entry')
  const target = join(makeTempDir(), 'precious.txt')
  writeFileSync(target, 'keep me')
  symlinkSync(target, join(dir, keyToFileName('linked:v1:x')))
  mkdirSync(join(dir, '.tmp'), { recursive: true })
  writeFileSync(join(dir, '.tmp', '42-0badcafe-1'), 'half a write')
  mkdirSync(join(dir, '.leases'))
  const lease = join(dir, '.leases', keyToFileName(entryFor(3).key))
  writeFileSync(lease, 'lease')
  const old = (NOW - 3_600_000) / 1000
  utimesSync(lease, old, old)
  return { dir, keys, target, lease, cut }
}

describe('tiercache verify', () => {
  it('a sound cache: no problems, exit code 0', async () => {
    const { dir } = await fixtureCache(30)
    const { code, stdout } = await runCli(['verify', '--dir', dir], { env: AT_NOW })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Entries\s+30 \(.*\) read back whole/m)
    expect(stdout).toMatch(/^Problems\s+none$/m)
  })

  it("a running process's idle lease file is not orphaned; a dead process's is", async () => {
    const { dir } = await fixtureCache(30)
    mkdirSync(join(dir, '.leases'))
    const old = (NOW - 3_600_000) / 1000
    const alive = join(dir, '.leases', `${process.pid}-0badcafe.own`)
    const dead = join(dir, '.leases', '999999999-0badcafe.own') // above any pid Linux gives
    for (const path of [alive, dead]) {
      writeFileSync(path, 'lease')
      utimesSync(path, old, old)
    }
    const { code, stdout } = await runCli(['verify', '--dir', dir, '--json'], { env: AN_HOUR_ON })
    const report = JSON.parse(stdout)
    expect(report.byKind).toEqual({ 'orphaned lease': 1 })
    expect(JSON.stringify(report)).toContain('999999999-0badcafe.own')
    expect(JSON.stringify(report)).not.toContain(`${process.pid}-0badcafe.own`)
    expect(code).toBe(1)
  })

  it("a cache whose tags were invalidated has no problems: the tag counters' folder is the tier's own", async () => {
    const { dir } = await fixtureCache(30)
    await bumpTagCounter(dir, 'video:abc')
    const { code, stdout } = await runCli(['verify', '--dir', dir], { env: AT_NOW })
    expect(stdout).toMatch(/^Problems\s+none$/m)
    expect(code).toBe(0)
  })

  it('reports corrupt, foreign and non-file entries, temp leftovers and orphaned leases, exit code 1', async () => {
    const { dir } = await damagedCache()
    const { code, stdout } = await runCli(['verify', '--dir', dir, '--json'], { env: AN_HOUR_ON })
    expect(code).toBe(1)
    const report = JSON.parse(stdout)
    expect(report.entries).toBe(29)
    expect(report.byKind).toEqual({
      corrupt: 2,
      foreign: 1,
      'not a file': 1,
      'temp leftover': 1,
      'orphaned lease': 1,
    })
    expect(report.listed.map((p: { file: string }) => p.file).sort()).toEqual(
      [
        keyToFileName(entryFor(2).key),
        keyToFileName('empty:v1:x'),
        'notes.txt',
        keyToFileName('linked:v1:x'),
        join('.tmp', '42-0badcafe-1'),
        join('.leases', keyToFileName(entryFor(3).key)),
      ].sort(),
    )
  })

  it('a temp file being written and a lease being renewed are no problems', async () => {
    const { dir } = await damagedCache()
    const { stdout } = await runCli(['verify', '--dir', dir, '--json'], { env: AT_NOW })
    const report = JSON.parse(stdout)
    expect(report.tempInProgress).toBe(1)
    expect(report.byKind['temp leftover']).toBeUndefined()
  })

  it('--fix removes every problem, and only them: the entries stay readable, a symlink target stays', async () => {
    const { dir, keys, target, lease } = await damagedCache()
    const fixed = await runCli(['verify', '--fix', '--dir', dir], { env: AN_HOUR_ON })
    expect(fixed.code).toBe(0)
    expect(fixed.stdout).toMatch(/^fixed 6 of 6$/m)
    expect(readFileSync(target, 'utf8')).toBe('keep me')
    expect(existsSync(lease)).toBe(false)
    const again = await runCli(['verify', '--dir', dir], { env: AN_HOUR_ON })
    expect(again.code).toBe(0)
    const tier = new FileTier({ dir })
    const readable = await Promise.all(keys.map(async (k) => (await tier.get(k)) !== undefined))
    expect(readable.filter(Boolean).length).toBe(29) // every entry but the cut one (none of 0 to 29 has expired)
  })

  it('--fix refuses a folder that is not a tiercache folder, and removes nothing', async () => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'thesis.json'), '{"chapter":1}')
    const { code, stderr } = await runCli(['verify', '--fix', '--dir', dir])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^tiercache: --fix refused: .* is not a tiercache folder/)
    expect(existsSync(join(dir, 'thesis.json'))).toBe(true)
  })
})
