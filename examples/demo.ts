/**
 * `npm run demo`: the video pipeline, run twice in one process and once more in a fresh process over the
 * same cache folder, with a table of where each call was served from.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache } from '../src'
import { makePipeline } from './video-pipeline'

type Row = { run: string; call: string; servedFrom: string; ms: string }

/** Runs the pipeline's calls once, telling from the cache's hit counters which tier answered each call. */
async function runCalls(cache: Cache, run: string): Promise<Row[]> {
  const { processVideoSegment, getVideoMetadata } = makePipeline(cache)
  const calls: [string, () => Promise<unknown>][] = [
    ["getVideoMetadata('abc')", () => getVideoMetadata('abc')],
    ["processVideoSegment('abc', 1)", () => processVideoSegment('abc', 1)],
    ["processVideoSegment('abc', 2)", () => processVideoSegment('abc', 2)],
  ]
  const rows: Row[] = []
  for (const [call, invoke] of calls) {
    const before = (await cache.stats()).hits
    const started = process.hrtime.bigint()
    await invoke()
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    const after = (await cache.stats()).hits
    const tier = Object.keys(after).find((name) => after[name]! > (before[name] ?? 0))
    rows.push({ run, call, servedFrom: tier ?? 'computed', ms: ms.toFixed(ms < 10 ? 3 : 0) })
  }
  return rows
}

async function main() {
  const [mode, dir] = process.argv.slice(2)
  if (mode === '--restarted') {
    // The child: a new process, a new Cache, the same folder. Its rows go back to the parent as JSON.
    const cache = new Cache({ cacheDir: dir! })
    process.stdout.write(JSON.stringify(await runCalls(cache, 'after restart')))
    await cache.close()
    return
  }

  const cacheDir = mkdtempSync(join(tmpdir(), 'tiercache-demo-'))
  const cache = new Cache({ cacheDir })
  const rows = [...(await runCalls(cache, 'first run')), ...(await runCalls(cache, 'second run'))]
  await cache.close()
  const child = execFileSync(
    process.execPath,
    [...process.execArgv, __filename, '--restarted', cacheDir],
    { encoding: 'utf8' },
  )
  rows.push(...(JSON.parse(child) as Row[]))
  rmSync(cacheDir, { recursive: true, force: true })

  console.log(
    'tiercache demo: a slow model (300 ms) and a metadata API (100 ms), cached in memory and in JSON files\n',
  )
  const widths = [14, 32, 12, 10]
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |'
  console.log(line(['run', 'call', 'served from', 'ms']))
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  for (const row of rows) console.log(line([row.run, row.call, row.servedFrom, row.ms]))
}

void main()
