import { readdirSync } from 'node:fs'
import { compilePattern } from '../../src/core/pattern'
import { FileTier } from '../../src/storage/tiers/file'
import { useTempDirs } from '../helpers/temp-dir'
import { fixtureCache } from './fixture-cache'
import { ensureBuilt, runCli, runInTerminal } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

async function present(dir: string, keys: string[]): Promise<string[]> {
  const tier = new FileTier({ dir })
  const found = await Promise.all(keys.map(async (k) => ((await tier.get(k)) ? k : undefined)))
  return found.filter((k): k is string => k !== undefined)
}

const PATTERN = 'video:describe:*'

describe('tiercache clear', () => {
  it('with --yes removes exactly the matching entries', async () => {
    const { dir, keys } = await fixtureCache(20)
    const live = await present(dir, keys)
    const { code, stdout } = await runCli(['clear', PATTERN, '--yes', '--dir', dir])
    expect(code).toBe(0)
    const matching = keys.filter(compilePattern(PATTERN))
    expect(stdout).toMatch(new RegExp(`^removed ${matching.length} entries`))
    expect(await present(dir, keys)).toEqual(live.filter((k) => !matching.includes(k)))
  })

  it('--dry-run lists the matching keys and removes nothing', async () => {
    const { dir, keys } = await fixtureCache(20)
    const before = readdirSync(dir).sort()
    const { code, stdout } = await runCli(['clear', PATTERN, '--dry-run', '--dir', dir])
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines.slice(0, -1).sort()).toEqual(keys.filter(compilePattern(PATTERN)).sort())
    expect(lines.at(-1)).toMatch(/^\(dry run: 10 entries, .* would be removed\)$/)
    expect(readdirSync(dir).sort()).toEqual(before)
  })

  it('not on a terminal and without --yes: a usage error, nothing removed', async () => {
    const { dir } = await fixtureCache(5)
    const before = readdirSync(dir).sort()
    const { code, stderr } = await runCli(['clear', '*', '--dir', dir], { input: 'y\n' })
    expect(code).toBe(2)
    expect(stderr).toMatch(/give --yes/)
    expect(readdirSync(dir).sort()).toEqual(before)
  })

  it('on a terminal it asks first: "n" keeps everything, "y" removes', async () => {
    const { dir, keys } = await fixtureCache(20)
    const before = readdirSync(dir).sort()
    const no = await runInTerminal(['clear', PATTERN, '--dir', dir], { input: 'n\n' })
    expect(no.stdout).toMatch(
      /Remove 10 entries \(.*\) matching video:describe:\* from .*\? \[y\/N\]/,
    )
    expect(no.stdout).toContain('nothing removed')
    expect(readdirSync(dir).sort()).toEqual(before)
    const yes = await runInTerminal(['clear', PATTERN, '--dir', dir], { input: 'y\n' })
    expect(yes.code).toBe(0)
    expect(yes.stdout).toMatch(/removed 10 entries/)
    expect((await present(dir, keys)).filter(compilePattern(PATTERN))).toEqual([])
  })
})
