/**
 * Keeps `npm run bench` from rotting: runs it on tiny sizes and checks that it finishes, prints a row for
 * every scenario and writes a results file that parses. No timing is asserted (a tiny run's figures mean
 * nothing); what is asserted is that tiercache passed the bench's own checks of its results.
 *
 * Not part of `npm test` (it needs the peer libraries): `npm run bench:check` runs it, and CI runs that as a
 * step of its own.
 */
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = join(__dirname, '..')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
/** Scenario 9 (Redis) runs when redis-server is installed; the bench skips it with a note otherwise. */
const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0
const SCENARIOS = [
  ...['1', '2', '3a', '3b', '4', '1t', '5a', '5b', '6a', '6b', '6c', '6d', '7', '8a', '8b'],
  ...(HAS_REDIS ? ['9a', '9b', '9c'] : []),
]

interface Results {
  meta: { profile: string; node: string; cpu: string }
  scenarios: {
    id: string
    contenders: {
      name: string
      baseline: boolean
      medianMsPerOp?: number
      failures: number
      firstFailure?: string
      error?: string
    }[]
  }[]
}

describe('npm run bench -- --tiny', () => {
  let dir: string
  let stdout: string
  let results: Results

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiercache-bench-test-'))
    const out = join(dir, 'results.json')
    // Rejects, with the output, if the bench exits non-zero.
    ;({ stdout } = await run(NPM, ['run', 'bench', '--', '--tiny', '--out', out], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
      timeout: 240_000,
    }))
    results = JSON.parse(readFileSync(out, 'utf8')) as Results
  }, 300_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('prints a markdown table with a row for every scenario, and the machine it ran on', () => {
    expect(stdout).toMatch(
      /^\| # \| scenario \| contender \| per op \| × baseline \| check \| notes \|$/m,
    )
    for (const id of SCENARIOS) expect(stdout).toMatch(new RegExp(`^\\| ${id} \\| `, 'm'))
    expect(stdout).toContain(`Node ${process.versions.node}`)
    expect(stdout).toContain('### Targets')
  })

  it('writes results JSON holding every scenario, each measured against its baseline', () => {
    expect(results.meta.profile).toBe('tiny')
    expect(results.meta.cpu).toEqual(expect.any(String))
    expect(results.scenarios.map((s) => s.id)).toEqual(SCENARIOS)
    for (const scenario of results.scenarios) {
      const baselines = scenario.contenders.filter((c) => c.baseline)
      expect(baselines.length).toBe(scenario.id === '8b' ? 0 : 1) // 8b reports RSS, with no baseline
      expect(scenario.contenders.some((c) => c.name.startsWith('tiercache'))).toBe(true)
      for (const c of scenario.contenders.filter((c) => !c.error))
        expect(c.medianMsPerOp).toEqual(expect.any(Number))
    }
  })

  it('finds every tiercache result correct (peers may fail their checks; tiercache may not)', () => {
    const failed = results.scenarios.flatMap((s) =>
      s.contenders
        .filter((c) => c.name.startsWith('tiercache') && (c.failures > 0 || c.error))
        .map((c) => `${s.id} ${c.name}: ${c.error ?? c.firstFailure}`),
    )
    expect(failed).toEqual([])
  })
})
