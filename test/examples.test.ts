import { execFile, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** Every example runs as its own process, so the README's snippets cannot rot. */
const run = promisify(execFile)
const examplesDir = join(__dirname, '..', 'examples')
const runExample = (file: string) =>
  run(process.execPath, ['-r', 'ts-node/register/transpile-only', join(examplesDir, file)], {
    cwd: join(__dirname, '..'),
    timeout: 60_000,
  })

const hasRedis =
  process.env.REDIS_URL !== undefined || spawnSync('redis-server', ['--version']).status === 0

/** What each example must print: proof that it did its job, not just that it exited. */
const EXPECTED: Record<string, RegExp[]> = {
  'basic.ts': [
    /analysis: 12 scenes, detected at a Date/,
    /removed by clear\("v2:video:abc:\*"\): 3/,
    /has analysis afterwards: false/,
  ],
  'cache-manager.ts': [
    /read back: \{ name: 'Ada' \}/,
    /wrap twice: report #1 \/ report #1 \(computed 1 time\)/,
    /tiercache holds: keyv:user:1/,
    /a new process would find user:1: true/,
  ],
  'custom-tier.ts': [/read back: \{ text: 'hello' \}/, /map: 1 entries/],
  'decorators.ts': [
    /model runs after two calls: 1/,
    /model runs after an update invalidated the video: 2/,
  ],
  'demo.ts': [
    /second run +\| getVideoMetadata\('abc'\) +\| memory/,
    /after restart +\| processVideoSegment\('abc', 1\) +\| file/,
  ],
  // Needs a Redis: without REDIS_URL or an installed redis-server it says so and exits cleanly.
  'fleet.ts': hasRedis
    ? [
        /1\. compute +\| worker 1 +\| analyze\(7\) +\| computed \(by worker 1\)/,
        /2\. share +\| worker 4 +\| analyze\(7\) +\| redis/,
        /2\. copies +\| worker 4 +\| holds\(7\) +\| memory copy/,
        /4\. reached all +\| worker 1 +\| holds\(7\) +\| no copy/,
        /4\. reached all +\| worker 4 +\| holds\(7\) +\| no copy/,
        /6\. share again +\| worker 1 +\| analyze\(7\) +\| redis/,
        /7\. all at once +\| worker \d +\| analyze\(8\) +\| redis, waited on worker \d/,
        /segment 8: computed 1× \(by worker \d\)/,
        /segment 9: computed 1× \(by worker \d\)/,
      ]
    : [/fleet demo skipped: no Redis/],
  'error-handling.ts': [
    /set failed: code=E_STORAGE tier=file key=report/,
    /result despite the broken disk: report/,
    /a function value: SerializationError E_SERIALIZATION/,
  ],
  'monitoring.ts': [
    /health: \{ memoryEntries: 4, fileEntries: 4, cacheBytes: \d+, errors: 0 \}/,
    /usage video:describeScene:v2: 7 calls, 3 runs, 0 joined/,
    /usage audio:transcribe:v1: 6 calls, 1 runs, 4 joined/,
    /spans exported: 4 cache\.compute/,
    /video:describeScene:v2: 3 spans/,
    /metric tiercache\.compute\.duration: audio:transcribe:v1=1 video:describeScene:v2=3/,
    /metric tiercache\.hits: memory\/audio:transcribe:v1=1 memory\/video:describeScene:v2=4/,
  ],
  'resilient-model.ts': [
    /\+ 70 s \| up +\| summary of doc-1 v1 \| stale +\| -/,
    /\+ 75 s \| up +\| summary of doc-1 v2 \| fresh/,
    /\+140 s \| down +\| summary of doc-1 v2 \| stale +\| E_REFRESH <- 503 from the model service/,
    /\+150 s \| down +\| summary of doc-1 v2 \| stale +\| -/,
    /\+260 s \| hangs \| summary of doc-1 v2 \| stale +\| E_REFRESH <- E_TIMEOUT/,
    /\+400 s \| up +\| summary of doc-1 v3 \| recomputed/,
  ],
  'maintenance.ts': [/expired entries removed: 15/, /fileEntries: 5/],
  'tags.ts': [
    /computations for two rounds of calls: 6/,
    /recomputed after updateVideo\("abc"\): describeFrames\(abc\), transcribe\(abc\), summarizePlaylist\(weekly\)$/m,
    /recomputed on the next round: 0/,
  ],
  'video-cache.ts': [
    /entries removed for video 42: 2/,
    /analysis of 42 afterwards: undefined/,
    /analysis of 43 untouched: \{ objects: \[ 'cat' \] \}/,
  ],
  'video-pipeline.ts': [
    /second call: \d+ ms/,
    /key of segment 4: video:processVideoSegment:v2:abc:4/,
  ],
}

describe('examples', () => {
  it('has an expectation for every example file', () => {
    expect(
      readdirSync(examplesDir)
        .filter((f) => f.endsWith('.ts'))
        .sort(),
    ).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(Object.keys(EXPECTED))(
    '%s runs and prints what it promises',
    async (file) => {
      const { stdout } = await runExample(file)
      for (const pattern of EXPECTED[file]!) expect(stdout).toMatch(pattern)
    },
    60_000,
  )

  it('the video pipeline answers its second call from the cache, far faster than the first', async () => {
    const { stdout } = await runExample('video-pipeline.ts')
    const [first, second] = [...stdout.matchAll(/call: (\d+) ms/g)].map((m) => Number(m[1]))
    expect(first).toBeGreaterThanOrEqual(300) // the simulated model takes 300 ms
    expect(second!).toBeLessThan(first! / 10)
  }, 60_000)
})
