import { FileTier } from '../storage/tiers/file'
import { intOption } from './args'
import type { Command, CommandContext } from './command'
import { folderProgress, requireFolder } from './command'
import { isFault, readEntryHead } from './entry-head'
import { walkFolder } from './folder-scan'
import { functionOfKey, newerFirst } from './function-id'
import { bytes, count, table, writeJson, writeText } from './output'

/**
 * `tiercache prune-versions [--keep N] [--dry-run]`: removes the entries of each function's older versions
 * (`video:describe:v1` when `v2` entries exist). Keys say their function and version
 * (`namespace:name:v<version>:args`, see function-id.ts); versions are ordered by number, or by the newest
 * entry written when they are not numbers (source fingerprints, named versions). The removal is the tier's
 * own FileTier.clear, with a predicate on the function version.
 */

interface VersionTally {
  version: string
  id: string
  entries: number
  bytes: number
  newestWrite: number
}

interface Plan {
  fn: string
  kept: VersionTally[]
  removed: VersionTally[]
}

export const pruneVersionsCommand: Command = {
  spec: {
    name: 'prune-versions',
    summary:
      "Removes the entries of each function's older versions (video:describe:v1 once v2 entries exist);\n--keep N keeps the newest N versions (default 1). --dry-run says what it would remove.",
    positionals: [],
    options: {
      keep: {
        type: 'string',
        short: 'k',
        description: 'versions to keep per function (default 1)',
      },
      'dry-run': {
        type: 'boolean',
        short: 'n',
        description: 'say what would be removed, remove nothing',
      },
    },
  },
  async run(ctx) {
    const keep = intOption(ctx.values, 'keep', 1, 'prune-versions') ?? 1
    const dryRun = ctx.values['dry-run'] === true
    requireFolder(ctx.dir)
    const plans = planOf(await tallyVersions(ctx), keep)
    const doomed = new Set(plans.flatMap((p) => p.removed.map((v) => v.id)))
    const sum = (pick: (v: VersionTally) => number) =>
      plans.reduce((n, p) => n + p.removed.reduce((m, v) => m + pick(v), 0), 0)
    let removed = 0
    if (!dryRun && doomed.size > 0) {
      const progress = folderProgress(ctx, 'removing')
      const match = (key: string) => (progress.tick(), doomed.has(functionOfKey(key)?.id ?? ''))
      removed = await progress.during(new FileTier({ dir: ctx.dir }).clear(match))
    }
    if (ctx.json) {
      writeJson(ctx.streams, {
        keep,
        dryRun,
        functions: plans.map((p) => ({
          function: p.fn,
          kept: p.kept.map(({ id: _id, newestWrite: _n, ...v }) => v),
          removed: p.removed.map(({ id: _id, newestWrite: _n, ...v }) => v),
        })),
        entries: dryRun ? sum((v) => v.entries) : removed,
        bytes: sum((v) => v.bytes),
      })
      return 0
    }
    const rows = [['function', 'keeps', 'removes', 'entries', 'bytes']]
    for (const p of plans)
      rows.push([
        p.fn,
        p.kept.map((v) => v.version).join(', '),
        p.removed.map((v) => v.version).join(', ') || '-',
        count(p.removed.reduce((n, v) => n + v.entries, 0)),
        bytes(p.removed.reduce((n, v) => n + v.bytes, 0)),
      ])
    const outcome =
      doomed.size === 0
        ? `nothing to remove: no function has more than ${keep} version${keep > 1 ? 's' : ''}`
        : dryRun
          ? `(dry run: ${count(sum((v) => v.entries))} entries, ${bytes(sum((v) => v.bytes))}, would be removed)`
          : `removed ${count(removed)} entries (${bytes(sum((v) => v.bytes))})`
    writeText(
      ctx.streams,
      plans.length ? `${table(rows, [3, 4])}\n\n${outcome}` : 'no entries made by withCache',
    )
    return 0
  },
}

/** One tally per function version: memory grows with versions, never with entries. */
async function tallyVersions(ctx: CommandContext): Promise<Map<string, Map<string, VersionTally>>> {
  const byFunction = new Map<string, Map<string, VersionTally>>()
  const progress = folderProgress(ctx, 'reading versions')
  try {
    for await (const item of walkFolder(ctx.dir)) {
      progress.tick()
      if (item.kind !== 'entry') continue
      const head = readEntryHead(ctx.dir, item.name)
      if (head === undefined || isFault(head)) continue // left to verify and cleanup
      const fn = functionOfKey(head.key)
      if (fn === undefined) continue
      let versions = byFunction.get(fn.fn)
      if (versions === undefined) byFunction.set(fn.fn, (versions = new Map()))
      let tally = versions.get(fn.version)
      if (tally === undefined)
        versions.set(
          fn.version,
          (tally = { version: fn.version, id: fn.id, entries: 0, bytes: 0, newestWrite: 0 }),
        )
      tally.entries++
      tally.bytes += head.bytes
      tally.newestWrite = Math.max(tally.newestWrite, head.writtenAt)
    }
  } finally {
    progress.finish()
  }
  return byFunction
}

/** For each function, the newest `keep` versions kept and the others removed. */
function planOf(byFunction: Map<string, Map<string, VersionTally>>, keep: number): Plan[] {
  return [...byFunction]
    .map(([fn, versions]) => {
      const newestFirst = [...versions.values()].sort(newerFirst)
      return { fn, kept: newestFirst.slice(0, keep), removed: newestFirst.slice(keep) }
    })
    .sort((a, b) => a.fn.localeCompare(b.fn))
}
