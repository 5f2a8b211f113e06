import { Cache } from '../../src/storage/cache'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

/** A folder with 3 entries tagged video:abc (one also video:xyz), 2 tagged video:xyz and 1 untagged. */
async function taggedFolder(): Promise<string> {
  const dir = makeTempDir()
  const cache = new Cache({ cacheDir: dir, cleanupInterval: false })
  await cache.set('describe:abc:1', 'a1', { tags: ['video:abc'] })
  await cache.set('describe:abc:2', 'a2', { tags: ['video:abc'] })
  await cache.set('playlist:p1', ['abc', 'xyz'], { tags: ['video:abc', 'video:xyz'] })
  await cache.set('describe:xyz:1', 'x1', { tags: ['video:xyz'] })
  await cache.set('plain', 'p')
  await cache.close()
  return dir
}

/** What a process started now reads, key by key. */
async function readAll(dir: string): Promise<Record<string, unknown>> {
  const cache = new Cache({ cacheDir: dir, cleanupInterval: false })
  const keys = ['describe:abc:1', 'describe:abc:2', 'playlist:p1', 'describe:xyz:1', 'plain']
  const values = Object.fromEntries(
    await Promise.all(keys.map(async (k) => [k, await cache.get(k)])),
  )
  await cache.close()
  return values
}

describe('tiercache and tags', () => {
  it('stats --tags counts the valid entries per tag', async () => {
    const dir = await taggedFolder()
    const { code, stdout } = await runCli(['stats', '--tags', '--json', '--dir', dir])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).tags).toEqual([
      { tag: 'video:abc', entries: 3 },
      { tag: 'video:xyz', entries: 2 },
    ])
  })

  it('clear --tag invalidates exactly the entries carrying the tag, for every process reading the folder', async () => {
    const dir = await taggedFolder()
    const dry = await runCli(['clear', '--tag', 'video:abc', '--dry-run', '--json', '--dir', dir])
    expect(JSON.parse(dry.stdout)).toEqual({ tag: 'video:abc', dryRun: true, entries: 3 })
    expect(Object.values(await readAll(dir)).filter((v) => v !== undefined)).toHaveLength(5)

    const { code, stdout } = await runCli(['clear', '--tag', 'video:abc', '--yes', '--dir', dir])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^invalidated tag video:abc: 3 entries/)
    expect(await readAll(dir)).toEqual({
      'describe:abc:1': undefined,
      'describe:abc:2': undefined,
      'playlist:p1': undefined,
      'describe:xyz:1': 'x1',
      plain: 'p',
    })
    const after = await runCli(['stats', '--tags', '--json', '--dir', dir])
    expect(JSON.parse(after.stdout).tags).toEqual([{ tag: 'video:xyz', entries: 1 }])
  })

  it('a PATTERN and --tag together, or neither, is a usage error (exit code 2)', async () => {
    const dir = await taggedFolder()
    const both = await runCli(['clear', 'describe:*', '--tag', 'video:abc', '--yes', '--dir', dir])
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/PATTERN or --tag, not both/)
    const neither = await runCli(['clear', '--yes', '--dir', dir])
    expect(neither.code).toBe(2)
    expect(neither.stderr).toMatch(/needs PATTERN/)
  })
})
