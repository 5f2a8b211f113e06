/**
 * tiercache benchmarks, side by side with the libraries its users would pick instead.
 *
 *   npm run bench                      full run (several minutes)
 *   npm run bench -- --quick           about a minute; scenario 8 on 20 k entries / 200 k sets
 *   npm run bench -- --tiny            a few seconds, tiny sizes (the test uses it; its figures mean nothing)
 *   npm run bench -- --only 1,6b       only these scenarios (a prefix: `--only 6` is 6a–6d)
 *   npm run bench -- --contender tier,lru  only the baselines and the contenders whose name contains one of these
 *                                          (`=name` matches a whole name: --contender =tiercache)
 *   npm run bench -- --rounds 9        override the number of rounds
 *   npm run bench -- --out file.json   results elsewhere than bench/results/latest.json
 *
 * Markdown goes to stdout, progress to stderr, results (with every round's figures) to the JSON file.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileScenarios } from './file.bench'
import { removeScratch } from './fixtures'
import {
  canCollect,
  formatMs,
  formatRatio,
  runScenario,
  seeded,
  type ContenderResult,
  type Profile,
  type ScenarioResult,
} from './harness'
import { memoScenarios } from './memo.bench'
import { memoryScenarios } from './memory.bench'
import { loadPeers, type Peers } from './peers'
import { processScenarios } from './process.bench'
import { redisScenarios, stopRedis } from './redis.bench'
import { tagScenarios } from './tags.bench'

const PROFILES: Record<Profile['name'], Profile> = {
  tiny: {
    name: 'tiny',
    rounds: 2,
    processRounds: 1,
    batchMs: 2,
    warmupMs: 0,
    memoryKeys: 200,
    stampedeCalls: 100,
    fileKeys: 50,
    bigBytes: 64 << 10,
    scaleEntries: 300,
    rssSets: 2_000,
  },
  quick: {
    name: 'quick',
    rounds: 5,
    processRounds: 2,
    batchMs: 10,
    warmupMs: 60,
    memoryKeys: 10_000,
    stampedeCalls: 1_000,
    fileKeys: 2_000,
    bigBytes: 1 << 20,
    scaleEntries: 20_000,
    rssSets: 200_000,
  },
  full: {
    name: 'full',
    rounds: 15,
    processRounds: 5,
    batchMs: 25,
    warmupMs: 500,
    memoryKeys: 10_000,
    stampedeCalls: 1_000,
    fileKeys: 2_000,
    bigBytes: 1 << 20,
    scaleEntries: 100_000,
    rssSets: 1_000_000,
  },
}

interface Args {
  profile: Profile
  only: string[]
  contender: string | undefined
  out: string
}

function parseArgs(argv: string[]): Args {
  let profile = PROFILES.full
  let only: string[] = []
  let contender: string | undefined
  let rounds: number | undefined
  let out = join(__dirname, 'results', 'latest.json')
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value`)
      return v
    }
    if (arg === '--quick') profile = PROFILES.quick
    else if (arg === '--tiny') profile = PROFILES.tiny
    else if (arg === '--only')
      only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    else if (arg === '--contender') contender = value()
    else if (arg === '--rounds') rounds = Number(value())
    else if (arg === '--out') out = resolve(process.env.INIT_CWD ?? process.cwd(), value())
    else throw new Error(`unknown argument ${arg} (see the top of bench/run.ts)`)
  }
  if (rounds !== undefined) {
    if (!Number.isInteger(rounds) || rounds < 1)
      throw new Error('--rounds needs a positive integer')
    profile = { ...profile, rounds, processRounds: rounds }
  }
  return { profile, only, contender, out }
}

// --- Output ---

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function checkCell(r: ContenderResult): string {
  if (r.error) return `✗ error: ${r.error}`
  if (r.failures > 0)
    return `✗ ${r.firstFailure}${r.failures > 1 ? ` (${r.failures} failures)` : ''}`
  return 'ok'
}

function markdown(results: ScenarioResult[], meta: Record<string, unknown>, peers: Peers): string {
  const lines: string[] = []
  lines.push(`## tiercache benchmarks (${meta.profile} run)`, '')
  lines.push(
    `Node ${meta.node} on ${meta.platform}, ${meta.cpu} × ${meta.cores}, ${meta.memory}; ${meta.date}; load average ${meta.load}.`,
  )
  lines.push(
    `Median per-op time over ${meta.rounds} rounds (contenders in shuffled order each round); "× baseline" is the median of the per-round ratios to the baseline measured in the same round.`,
    '',
  )
  lines.push(
    '| # | scenario | contender | per op | × baseline | check | notes |',
    '|---|---|---|---:|---:|---|---|',
  )
  for (const s of results) {
    s.contenders.forEach((r, i) => {
      const notes = [r.summary, r.note, ...r.notes].filter(Boolean).join('; ')
      lines.push(
        `| ${i === 0 ? s.id : ''} | ${i === 0 ? escapeCell(s.title) : ''} | ${escapeCell(r.baseline ? `**${r.name}**` : r.name)} | ${formatMs(r.medianMsPerOp)} | ${r.baseline ? '1' : formatRatio(r.ratio)} | ${escapeCell(checkCell(r))} | ${escapeCell(notes)} |`,
      )
    })
  }
  lines.push(
    '',
    '### Targets (issue 4)',
    '',
    '| # | target | contender | measured | met |',
    '|---|---|---|---:|---|',
  )
  for (const s of results) {
    for (const t of s.targets)
      lines.push(
        `| ${s.id} | ${escapeCell(t.text)} | ${escapeCell(t.contender)} | ${escapeCell(t.value)} | ${t.met === undefined ? '?' : t.met ? 'yes' : '**no**'} |`,
      )
  }
  lines.push('', '### Notes', '')
  for (const s of results) for (const note of s.notes) lines.push(`- ${s.id}: ${note}`)
  const versions = Object.entries(peers.versions).map(([name, version]) => `${name} ${version}`)
  lines.push(`- Peers: ${versions.join(', ')}.`)
  for (const [name, reason] of Object.entries(peers.skipped))
    lines.push(`- Skipped ${name}: ${reason}`)
  lines.push(`- Total time ${meta.seconds} s.`)
  return lines.join('\n') + '\n'
}

async function main(): Promise<void> {
  const started = performance.now()
  const loadAtStart = loadavg()[0]!
  const args = parseArgs(process.argv.slice(2))
  const { profile } = args
  const log = (line: string) => process.stderr.write(line + '\n')
  const selected = (id: string) =>
    args.only.length === 0 || args.only.some((prefix) => id.startsWith(prefix))
  if (!canCollect) log('note: no access to gc(); figures will be less steady')

  const peers = await loadPeers()
  for (const [name, reason] of Object.entries(peers.skipped)) log(`skipping ${name}: ${reason}`)
  const random = seeded(20_260_424)
  const scenarios = [
    ...memoScenarios(peers, profile, random, selected),
    ...tagScenarios(profile, random, selected),
    ...memoryScenarios(peers, profile, random, selected),
    ...fileScenarios(peers, profile, random, selected),
    ...processScenarios(peers, profile, selected),
    ...redisScenarios(peers, profile, random, selected),
  ].filter((s) => selected(s.id))
  if (scenarios.length === 0) throw new Error(`--only ${args.only.join(',')} selects no scenario`)
  if (args.contender) {
    const wanted = args.contender.split(',').map((t) => t.trim())
    const matches = (name: string, t: string) =>
      t.startsWith('=') ? name === t.slice(1) : name.includes(t)
    for (const s of scenarios)
      s.contenders = s.contenders.filter(
        (c) => c.baseline || wanted.some((t) => matches(c.name, t)),
      )
  }

  const results: ScenarioResult[] = []
  try {
    // Each scenario is dropped once measured, so that what it filled is garbage before the next one runs.
    for (let scenario = scenarios.shift(); scenario; scenario = scenarios.shift()) {
      log(`${scenario.id} ${scenario.title} …`)
      const result = await runScenario(scenario, profile, random, log)
      log(`  ${result.seconds.toFixed(1)} s`)
      results.push(result)
    }
  } finally {
    removeScratch()
    await stopRedis()
  }

  const cpu = cpus()
  const meta = {
    profile: profile.name,
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model.trim() ?? 'unknown CPU',
    cores: cpu.length,
    memory: `${Math.round(totalmem() / (1 << 30))} GiB`,
    date: new Date().toISOString(),
    rounds: `${profile.rounds} (child-process scenarios: ${profile.processRounds})`,
    /** 1-minute load average at start and end: other work on the machine shows here. */
    load: `${loadAtStart.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
    argv: process.argv.slice(2),
    seconds: ((performance.now() - started) / 1000).toFixed(1),
  }
  process.stdout.write(markdown(results, meta, peers))
  mkdirSync(dirname(args.out), { recursive: true })
  writeFileSync(
    args.out,
    JSON.stringify(
      {
        meta,
        profile,
        peers: { versions: peers.versions, skipped: peers.skipped },
        scenarios: results,
      },
      null,
      2,
    ) + '\n',
  )
  log(`results written to ${args.out}`)
}

main().catch((err: unknown) => {
  removeScratch()
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exit(1)
})
