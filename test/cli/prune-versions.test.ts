import { join } from 'node:path'
import { encodeParts } from '../../src/core/codec'
import { argsKey } from '../../src/memoize/key'
import { keyPrefix } from '../../src/memoize/key-prefix'
import { FileTier } from '../../src/storage/tiers/file'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

/** Entries of video:describe at versions 1, 2, 9 and 10, of video:thumbnail v1 only, and a plain key. */
async function versionedCache(): Promise<{
  dir: string
  tier: FileTier
  keys: Record<string, string[]>
}> {
  const dir = join(makeTempDir('tiercache-cli-'), 'cache')
  const tier = new FileTier({ dir })
  const keys: Record<string, string[]> = {}
  const put = async (group: string, key: string) => {
    const { text, attachments } = encodeParts({ key })
    await tier.set({ key, value: { key }, encoded: text, attachments, expiresAt: Infinity })
    ;(keys[group] ??= []).push(key)
  }
  for (const version of [1, 2, 9, 10])
    for (const id of ['a', 'b'])
      await put(
        `describe v${version}`,
        argsKey(keyPrefix({ namespace: 'video', name: 'describe', version }), [id]),
      )
  await put(
    'thumbnail v1',
    argsKey(keyPrefix({ namespace: 'video', name: 'thumbnail', version: 1 }), ['a', 3]),
  )
  await put('plain', 'user_42')
  return { dir, tier, keys }
}

async function present(tier: FileTier, keys: string[]): Promise<string[]> {
  const found = await Promise.all(keys.map(async (k) => ((await tier.get(k)) ? k : undefined)))
  return found.filter((k): k is string => k !== undefined)
}

describe('tiercache prune-versions', () => {
  it("removes each function's older versions, ordered by number (v10 after v9), and nothing else", async () => {
    const { dir, tier, keys } = await versionedCache()
    const { code, stdout } = await runCli(['prune-versions', '--dir', dir])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^video:describe\s+v10\s+v9, v2, v1\s+6\s/m)
    expect(stdout).toMatch(/^removed 6 entries/m)
    const all = Object.values(keys).flat()
    expect((await present(tier, all)).sort()).toEqual(
      [...keys['describe v10']!, ...keys['thumbnail v1']!, ...keys.plain!].sort(),
    )
  })

  it('--keep 2 keeps the newest two versions', async () => {
    const { dir, tier, keys } = await versionedCache()
    const { stdout } = await runCli(['prune-versions', '--keep', '2', '--dir', dir, '--json'])
    const result = JSON.parse(stdout)
    const describe = result.functions.find(
      (f: { function: string }) => f.function === 'video:describe',
    )
    expect(describe.kept.map((v: { version: string }) => v.version)).toEqual(['v10', 'v9'])
    expect(result.entries).toBe(4)
    expect(await present(tier, [...keys['describe v9']!, ...keys['describe v10']!])).toHaveLength(4)
    expect(await present(tier, [...keys['describe v1']!, ...keys['describe v2']!])).toHaveLength(0)
  })

  it('--dry-run says what it would remove and removes nothing', async () => {
    const { dir, tier, keys } = await versionedCache()
    const { stdout } = await runCli(['prune-versions', '--dry-run', '--dir', dir])
    expect(stdout).toMatch(/^\(dry run: 6 entries, .* would be removed\)$/m)
    expect(await present(tier, Object.values(keys).flat())).toHaveLength(10)
  })

  it('refuses --keep 0 with exit code 2', async () => {
    const { dir } = await versionedCache()
    expect((await runCli(['prune-versions', '--keep', '0', '--dir', dir])).code).toBe(2)
  })
})
