import { mkdirSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { keyToFileName } from '../../src/storage/tiers/file-layout'
import { entryFor } from '../helpers/write-cache-entries'
import { useTempDirs } from '../helpers/temp-dir'
import { AT_NOW, entrySizes, fixtureCache, NOW } from './fixture-cache'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

describe('tiercache stats', () => {
  it('counts entries, bytes and expired entries, with a breakdown by function version', async () => {
    const { dir } = await fixtureCache(40)
    const { code, stdout, stderr } = await runCli(['stats', '--dir', dir, '--json'], {
      env: AT_NOW,
    })
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    const stats = JSON.parse(stdout)
    const sizes = [...entrySizes(dir).values()]
    expect(stats).toMatchObject({
      entries: 40,
      bytes: sizes.reduce((a, b) => a + b, 0),
      tagged: true,
    })
    expect(stats.expired.entries).toBe(10)
    expect(stats.corrupt.files).toBe(0)
    const byId = Object.fromEntries(stats.functions.map((f: { id: string }) => [f.id, f]))
    expect(byId['video:describe:v1']).toMatchObject({ entries: 8, expired: 2 })
    expect(byId['video:describe:v2']).toMatchObject({ entries: 12, expired: 3 })
    expect(byId['video:thumbnail:v3']).toMatchObject({ entries: 8, expired: 2 })
    expect(byId['asr:transcribe:v1.2.0']).toMatchObject({ entries: 8, expired: 2 })
    expect(byId['(keys not made by withCache)']).toMatchObject({ entries: 4, expired: 1 })
  })

  it('tells corrupt, foreign, temp and lease files apart from entries', async () => {
    const { dir } = await fixtureCache(20)
    truncateSync(join(dir, keyToFileName(entryFor(0).key)), 10) // cut inside the header
    writeFileSync(join(dir, 'notes.txt'), 'mine')
    symlinkSync('/etc/hostname', join(dir, 'linked@v1.json'))
    mkdirSync(join(dir, '.tmp'), { recursive: true })
    writeFileSync(join(dir, '.tmp', '1-0badcafe-1'), 'half a write')
    mkdirSync(join(dir, '.leases'))
    writeFileSync(join(dir, '.leases', keyToFileName(entryFor(3).key)), 'lease')
    const old = (NOW - 3_600_000) / 1000
    utimesSync(join(dir, '.leases', keyToFileName(entryFor(3).key)), old, old)
    const stats = JSON.parse(
      (await runCli(['stats', '--dir', dir, '--json'], { env: AT_NOW })).stdout,
    )
    expect(stats.entries).toBe(19)
    expect(stats.corrupt.files).toBe(2) // the cut entry, and the symlink under an entry name
    expect(stats.foreign).toBe(1)
    expect(stats.temp).toEqual({ files: 1, leftovers: 0 })
    expect(stats.leases).toEqual({ files: 1, orphaned: 1 })
  })

  it('prints a summary and a table for people', async () => {
    const { dir } = await fixtureCache(40)
    const { code, stdout } = await runCli(['stats', '--dir', dir], { env: AT_NOW })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Entries\s+40 \(/m)
    expect(stdout).toMatch(/^Expired\s+10 \(/m)
    expect(stdout).toMatch(/^video:describe:v2\s+12\s/m)
  })

  it('fails with one line and exit code 1 when the folder does not exist', async () => {
    const { code, stdout, stderr } = await runCli(['stats', '--dir', '/nonexistent/cache'])
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' })
    expect(stderr).toBe(
      'tiercache: no cache folder at /nonexistent/cache (give the folder with --dir)\n',
    )
  })
})
