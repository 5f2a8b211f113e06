/**
 * The measuring loop. Every scenario is a list of contenders, one of them the raw baseline. Each round runs
 * every contender once, in a new random order, as one timed batch of operations; a contender's ratio for the
 * round is its per-op time over the baseline's per-op time in that same round. What is reported is the median
 * per-op time and the median of the per-round ratios: on a noisy machine absolute times drift between
 * rounds, but two things measured side by side within a round drift together.
 */
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Sizes and budgets of one run (`--tiny`, `--quick` or the full run). */
export interface Profile {
  name: 'tiny' | 'quick' | 'full'
  /** Timed rounds per in-process scenario (after batch sizing and warm-up, which are discarded). */
  rounds: number
  /** Rounds of the child-process scenarios (7 and 8), which have no warm-up round. */
  processRounds: number
  /** A batch is sized to take about this long, within the scenario's bounds. */
  batchMs: number
  /**
   * After sizing, each contender keeps running (discarded) batches for this long before the first round:
   * on a busy 2-core machine V8's optimizing compiler runs late, and a deep call path (a cache's) reaches
   * its optimized code later than a Map lookup does. Without it the first rounds measure the JIT.
   */
  warmupMs: number
  /** Scenario 1, 2 and 5: distinct keys. */
  memoryKeys: number
  /** Scenario 4: concurrent calls. */
  stampedeCalls: number
  /** Scenario 6 and 7: entries of 1 KB JSON on disk. */
  fileKeys: number
  /** Scenario 6: the large value, in bytes. */
  bigBytes: number
  /** Scenario 8: file entries removed, and sets into the bounded memory tier. */
  scaleEntries: number
  rssSets: number
}

/** What a contender got wrong. The timing stays in the table; the failure is printed beside it. */
export class Verdict {
  failures = 0
  first: string | undefined
  /** Informational findings that are not failures (e.g. "a reordered object argument misses"). */
  readonly notes = new Set<string>()

  fail(message: string): void {
    this.failures++
    this.first ??= message
  }

  /** Fails unless `actual` is what was stored; returns whether it was. */
  expect(ok: boolean, message: () => string): boolean {
    if (!ok) this.fail(message())
    return ok
  }
}

export interface Contender {
  /** Library and how it is used, e.g. `lru-cache 11.5.3 fetch`. */
  name: string
  /** The raw baseline of the scenario; exactly one per scenario. */
  baseline?: boolean
  /** Static facts shown beside the result, e.g. "not atomic: writeFile in place". */
  note?: string
  readonly verdict: Verdict
  /** Once, before the first round (untimed): build the instance, fill it, warm it. */
  setup?(): Promise<void>
  /** Before every batch (untimed): e.g. a fresh instance for the miss scenarios. */
  prepare?(): Promise<void>
  /**
   * Runs `ops` operations and returns how long they took in ms. Most contenders time themselves with
   * `timed`; the child-process ones return the time their child measured.
   */
  batch(ops: number): Promise<Sample>
  /** After the batch (untimed): checks that need the whole batch done, e.g. reading back what was set. */
  after?(): Promise<void>
  /** Once, at the end. */
  teardown?(): Promise<void>
}

/** One timed batch. `extra` carries scenario-specific figures (function runs, peak RSS, …). */
export interface Sample {
  ms: number
  ops: number
  extra?: Record<string, number>
}

export interface Target {
  /** Human text, as in the issue: "≤ 1.0× raw Map". */
  text: string
  /** The contender the target applies to (default: `tiercache`). */
  contender?: string
  /** The ratio must be at most this. */
  maxRatio?: number
  /** Or a custom judgement over the contender's result (and the scenario's others, to compare with one). */
  judge?: (result: ContenderResult, all: readonly ContenderResult[]) => boolean
  /** What the judgement looked at, for the summary ("1 run", "152 MiB"). */
  show?: (result: ContenderResult, all: readonly ContenderResult[]) => string
}

export interface Scenario {
  /** Short id used by `--only` and in the table: '1', '3a', '6c', … */
  id: string
  title: string
  /** What the per-op time counts (default 'op'). */
  unit?: string
  contenders: Contender[]
  /** Fixed operations per batch (stampede: the concurrent calls; child scenarios: the entries). */
  fixedOps?: number
  /** Bounds of the batch size when it is sized by time. */
  minOps?: number
  maxOps?: number
  /** Child-process scenarios: no warm-up round, `processRounds` rounds. */
  inChildProcess?: boolean
  /** Overrides the profile's number of rounds. */
  rounds?: number
  targets?: Target[]
  /** Notes printed under the table for this scenario (sizes, what the baseline does). */
  notes?: string[]
  /** Renders `extra` figures in the result column. */
  describe?: (result: ContenderResult) => string | undefined
}

export interface ContenderResult {
  name: string
  baseline: boolean
  /** Median ms per op over the rounds; undefined when the contender errored before a round finished. */
  medianMsPerOp: number | undefined
  /** Median of per-round ratios to the baseline. */
  ratio: number | undefined
  /** Per-round ms per op, in round order. */
  roundsMsPerOp: number[]
  roundsRatio: number[]
  opsPerBatch: number[]
  /** Median of each `extra` figure over the rounds, and its maximum. */
  extra: Record<string, { median: number; max: number }>
  failures: number
  firstFailure: string | undefined
  notes: string[]
  note: string | undefined
  /** The scenario's own figures for this contender (function runs, peak RSS), as text. */
  summary: string | undefined
  error: string | undefined
}

export interface ScenarioResult {
  id: string
  title: string
  unit: string
  rounds: number
  contenders: ContenderResult[]
  targets: { text: string; contender: string; met: boolean | undefined; value: string }[]
  notes: string[]
  seconds: number
}

/** Times `body` (which runs `ops` operations) in ms. */
export async function timed(ops: number, body: () => Promise<void>): Promise<Sample> {
  const start = performance.now()
  await body()
  return { ms: performance.now() - start, ops }
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** A small seeded PRNG (mulberry32), so key orders are the same for every contender and every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Collect = (options?: { type: 'minor' | 'major' }) => void

/** V8's `gc()`: the global one under --expose-gc, or else the same function obtained by setting the flag now. */
function gcFunction(): Collect | undefined {
  const exposed = (globalThis as { gc?: Collect }).gc
  if (exposed) return exposed
  try {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as Collect
  } catch {
    return undefined
  }
}

const collect = gcFunction()

/** Whether `settle` can collect (it can on every Node we know of). */
export const canCollect = collect !== undefined

/**
 * Collects garbage between batches, so one contender's garbage is not another's pause: a minor GC (young
 * generation, about a millisecond) before every batch, a full one before every round.
 */
export function settle(full = false): void {
  collect?.(full ? undefined : { type: 'minor' })
}

function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message.split('\n')[0]!.slice(0, 160)
}

/**
 * Runs one scenario: setup; for in-process scenarios, batch sizing and warm-up (discarded); then `rounds`
 * timed rounds, each contender once per round in a new random order. A contender that throws is reported
 * with its error and left out of later rounds.
 */
export async function runScenario(
  scenario: Scenario,
  profile: Profile,
  random: () => number,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const started = performance.now()
  // A scenario without a baseline (the RSS one) reports times and figures, no ratios.
  const baseline = scenario.contenders.find((c) => c.baseline)
  const errors = new Map<Contender, string>()
  const samples = new Map<Contender, Sample[]>(scenario.contenders.map((c) => [c, []]))
  const ratios = new Map<Contender, number[]>(scenario.contenders.map((c) => [c, []]))
  const batchOps = new Map<Contender, number>()

  const attempt = async (contender: Contender, step: string, work: () => Promise<void>) => {
    if (errors.has(contender)) return
    try {
      await work()
    } catch (err) {
      errors.set(contender, `${step}: ${errorText(err)}`)
      log(`    ${contender.name}: ${step} failed: ${errorText(err)}`)
    }
  }

  const runBatch = async (contender: Contender, ops: number): Promise<Sample | undefined> => {
    let sample: Sample | undefined
    await attempt(contender, 'prepare', async () => contender.prepare?.())
    settle()
    await attempt(contender, 'run', async () => {
      sample = await contender.batch(ops)
    })
    await attempt(contender, 'check', async () => contender.after?.())
    return errors.has(contender) ? undefined : sample
  }

  settle(true)
  for (const contender of scenario.contenders)
    await attempt(contender, 'setup', async () => contender.setup?.())

  // Warm-up and calibration: grows each contender's batch until it takes about `batchMs` (the JIT settles
  // on the way), within the scenario's bounds. These batches are discarded.
  if (!scenario.inChildProcess) {
    for (const contender of shuffle(scenario.contenders, random)) {
      if (scenario.fixedOps !== undefined) {
        await runBatch(contender, scenario.fixedOps)
        continue
      }
      const min = scenario.minOps ?? 1
      const max = scenario.maxOps ?? Infinity
      let ops = min
      let sample: Sample | undefined
      for (let step = 0; step < 8; step++) {
        sample = await runBatch(contender, ops)
        if (!sample || sample.ms >= profile.batchMs / 2 || ops >= max) break
        ops = Math.min(
          max,
          ops * Math.min(16, Math.max(2, Math.ceil(profile.batchMs / Math.max(sample.ms, 0.01)))),
        )
      }
      if (!sample) continue
      const sized = Math.round(profile.batchMs / Math.max(sample.ms / sample.ops, 1e-6))
      batchOps.set(contender, Math.max(min, Math.min(max, sized)))
    }
    for (const contender of shuffle(scenario.contenders, random)) {
      const ops = batchOps.get(contender)
      if (ops === undefined) continue // fixed-size batches (the stampede) are not what the JIT decides
      const min = scenario.minOps ?? 1
      const max = scenario.maxOps ?? Infinity
      const until = performance.now() + profile.warmupMs
      let sized = ops
      while (performance.now() < until) {
        // Re-sized after every batch: the sizing above saw code the JIT had not optimized yet.
        const sample = await runBatch(contender, sized)
        if (!sample) break
        sized = Math.max(
          min,
          Math.min(max, Math.round(profile.batchMs / Math.max(sample.ms / sample.ops, 1e-6))),
        )
      }
      batchOps.set(contender, sized)
    }
  }

  const rounds =
    scenario.rounds ?? (scenario.inChildProcess ? profile.processRounds : profile.rounds)
  for (let round = 0; round < rounds; round++) {
    // A full collection per round (a minor one per batch): no round starts with another's marking under way.
    if (!scenario.inChildProcess) settle(true)
    const perOp = new Map<Contender, number>()
    for (const contender of shuffle(scenario.contenders, random)) {
      const ops = batchOps.get(contender) ?? scenario.fixedOps ?? scenario.minOps ?? 1
      const sample = await runBatch(contender, ops)
      if (!sample) continue
      samples.get(contender)!.push(sample)
      perOp.set(contender, sample.ms / sample.ops)
    }
    const base = baseline && perOp.get(baseline)
    if (base === undefined) continue
    for (const [contender, value] of perOp) ratios.get(contender)!.push(value / base)
  }

  for (const contender of scenario.contenders)
    await attempt(contender, 'teardown', async () => contender.teardown?.())

  const results: ContenderResult[] = scenario.contenders.map((contender): ContenderResult => {
    const own = samples.get(contender)!
    const extraKeys = new Set(own.flatMap((s) => Object.keys(s.extra ?? {})))
    const extra = Object.fromEntries(
      [...extraKeys].map((key) => {
        const values = own.map((s) => s.extra?.[key]).filter((v): v is number => v !== undefined)
        return [key, { median: median(values), max: Math.max(...values) }]
      }),
    )
    const roundsMsPerOp = own.map((s) => s.ms / s.ops)
    const result: ContenderResult = {
      name: contender.name,
      baseline: contender === baseline,
      medianMsPerOp: roundsMsPerOp.length ? median(roundsMsPerOp) : undefined,
      ratio: ratios.get(contender)!.length ? median(ratios.get(contender)!) : undefined,
      roundsMsPerOp,
      roundsRatio: ratios.get(contender)!,
      opsPerBatch: own.map((s) => s.ops),
      extra,
      failures: contender.verdict.failures,
      firstFailure: contender.verdict.first,
      notes: [...contender.verdict.notes],
      note: contender.note,
      summary: undefined,
      error: errors.get(contender),
    }
    result.summary = own.length ? scenario.describe?.(result) : undefined
    return result
  })

  const targets = (scenario.targets ?? []).map((target) => {
    const name = target.contender ?? 'tiercache'
    const result = results.find((r) => r.name === name)
    let met: boolean | undefined
    let value = 'n/a'
    if (result && !result.error) {
      if (target.judge) met = target.judge(result, results)
      else if (target.maxRatio !== undefined && result.ratio !== undefined)
        met = result.ratio <= target.maxRatio
      if (result.failures > 0) met = false
      value = target.show
        ? target.show(result, results)
        : result.ratio !== undefined
          ? `${formatRatio(result.ratio)}`
          : 'n/a'
      if (result.failures > 0) value += ' (failed checks)'
    }
    return { text: target.text, contender: name, met, value }
  })

  return {
    id: scenario.id,
    title: scenario.title,
    unit: scenario.unit ?? 'op',
    rounds,
    contenders: results,
    targets,
    notes: scenario.notes ?? [],
    seconds: (performance.now() - started) / 1000,
  }
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–'
  if (ms >= 1000) return `${(ms / 1000).toPrecision(3)} s`
  if (ms >= 1) return `${ms.toPrecision(3)} ms`
  if (ms >= 0.001) return `${(ms * 1000).toPrecision(3)} µs`
  return `${(ms * 1e6).toPrecision(3)} ns`
}

export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '–'
  return ratio >= 100
    ? `${ratio.toFixed(0)}×`
    : ratio >= 10
      ? `${ratio.toFixed(1)}×`
      : `${ratio.toFixed(2)}×`
}
