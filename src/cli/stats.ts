import type { Command, CommandContext } from './command'
import { folderProgress, isLeftover, redisSourceOf, requireFolder } from './command'
import { REDIS_OPTIONS } from './args'
import { Progress } from './progress'
import { describeSource, type RedisSource } from './redis-source'
import { isFault, readEntryHead, type EntryHead } from './entry-head'
import { walkFolder } from './folder-scan'
import { tagCounts, tagTable } from './tags'
import { functionOfKey } from './function-id'
import { bytes, count, fields, isoOrNull, span, table, when, writeJson, writeText } from './output'

/**
 * `tiercache stats`: what a cache folder holds, from one streamed pass that reads each entry's header only.
 * Memory holds one tally per function version, never the entries.
 */

interface Tally {
  entries: number
  bytes: number
  expired: number
  stale: number
}

export interface FolderStats extends Tally {
  dir: string
  /** Set when the entries are a Redis prefix's rather than a folder's. */
  redis?: string
  tagged: boolean
  expiredBytes: number
  corrupt: number
  corruptBytes: number
  foreign: number
  temp: { files: number; leftovers: number }
  leases: { files: number; orphaned: number }
  oldest?: number
  newest?: number
  functions: Map<string, Tally>
}

const OTHER_KEYS = '(keys not made by withCache)'

export async function collectStats(ctx: CommandContext, label = 'reading'): Promise<FolderStats> {
  const stats: FolderStats = {
    dir: ctx.dir,
    tagged: false,
    ...emptyTally(),
    expiredBytes: 0,
    corrupt: 0,
    corruptBytes: 0,
    foreign: 0,
    temp: { files: 0, leftovers: 0 },
    leases: { files: 0, orphaned: 0 },
    functions: new Map(),
  }
  const source = await redisSourceOf(ctx)
  if (source) return countRedis(ctx, source, stats)
  requireFolder(ctx.dir)
  const progress = folderProgress(ctx, label)
  try {
    for await (const item of walkFolder(ctx.dir)) {
      progress.tick()
      switch (item.kind) {
        case 'tag':
          stats.tagged = true
          break
        case 'foreign':
          stats.foreign++
          break
        case 'temp':
          stats.temp.files++
          if (!item.ours || isLeftover(item.path, 'temp', ctx.now)) stats.temp.leftovers++
          break
        case 'lease':
          stats.leases.files++
          if (isLeftover(item.path, 'lease', ctx.now)) stats.leases.orphaned++
          break
        case 'entry': {
          const head = readEntryHead(ctx.dir, item.name)
          if (head === undefined) break
          if (isFault(head)) {
            stats.corrupt++
            stats.corruptBytes += head.bytes
          } else countEntry(stats, head, ctx.now)
        }
      }
    }
  } finally {
    progress.finish()
  }
  return stats
}

export const statsCommand: Command = {
  spec: {
    name: 'stats',
    summary:
      'Entries, bytes, expired and stale counts, temp and lease leftovers, oldest and newest entry, and a\nbreakdown by function version (namespace:function:version).',
    positionals: [],
    options: {
      ...REDIS_OPTIONS,
      tags: {
        type: 'boolean',
        description: 'also count the valid entries per tag (reads every entry)',
      },
    },
  },
  async run(ctx) {
    const stats = await collectStats(ctx)
    const tags =
      ctx.values.tags === true && stats.redis === undefined ? await tagCounts(ctx.dir) : undefined
    if (ctx.json)
      writeJson(ctx.streams, tags ? { ...(statsJson(stats) as object), tags } : statsJson(stats))
    else writeText(ctx.streams, statsText(stats, ctx.now) + (tags ? `\n\n${tagTable(tags)}` : ''))
    return 0
  },
}

export function statsJson(stats: FolderStats): unknown {
  if (stats.redis !== undefined) {
    const {
      dir: _d,
      tagged: _t,
      foreign: _f,
      temp: _tmp,
      leases: _l,
      ...rest
    } = statsJson({ ...stats, redis: undefined }) as Record<string, unknown>
    return { redis: stats.redis, ...rest }
  }
  return {
    dir: stats.dir,
    tagged: stats.tagged,
    entries: stats.entries,
    bytes: stats.bytes,
    expired: { entries: stats.expired, bytes: stats.expiredBytes },
    stale: stats.stale,
    corrupt: { files: stats.corrupt, bytes: stats.corruptBytes },
    foreign: stats.foreign,
    temp: stats.temp,
    leases: stats.leases,
    oldest: isoOrNull(stats.oldest),
    newest: isoOrNull(stats.newest),
    functions: sortedFunctions(stats).map(([id, t]) => ({ id, ...t })),
  }
}

function statsText(stats: FolderStats, now: number): string {
  const ago = (ms: number | undefined) =>
    ms === undefined ? '-' : `${when(ms)} (${span(now - ms)} ago)`
  const onDisk: [string, string][] = [
    ['Foreign files', count(stats.foreign)],
    ['Temp files', `${count(stats.temp.files)} (${count(stats.temp.leftovers)} left over)`],
    ['Lease files', `${count(stats.leases.files)} (${count(stats.leases.orphaned)} orphaned)`],
    ['Oldest entry', ago(stats.oldest)],
    ['Newest entry', ago(stats.newest)],
  ]
  const summary = fields([
    stats.redis !== undefined
      ? ['Redis', stats.redis]
      : ['Folder', `${stats.dir}${stats.tagged ? '' : ' (no CACHEDIR.TAG)'}`],
    ['Entries', `${count(stats.entries)} (${bytes(stats.bytes)})`],
    [
      'Expired',
      `${count(stats.expired)} (${bytes(stats.expiredBytes)}): tiercache cleanup removes them`,
    ],
    ['Stale', count(stats.stale)],
    [
      'Corrupt',
      `${count(stats.corrupt)}${stats.corrupt ? ': tiercache verify --fix removes them' : ''}`,
    ],
    ...(stats.redis === undefined ? onDisk : []),
  ])
  const functions = sortedFunctions(stats)
  if (functions.length === 0) return summary
  const rows = [['function version', 'entries', 'bytes', 'expired', 'stale']]
  for (const [id, t] of functions)
    rows.push([id, count(t.entries), bytes(t.bytes), count(t.expired), count(t.stale)])
  return `${summary}\n\n${table(rows, [1, 2, 3, 4])}`
}

// --- Internal helpers ---

async function countRedis(
  ctx: CommandContext,
  source: RedisSource,
  stats: FolderStats,
): Promise<FolderStats> {
  stats.redis = describeSource(source)
  const progress = new Progress(ctx.streams, 'reading')
  try {
    for await (const head of source.heads()) {
      progress.tick()
      if (!isFault(head)) countEntry(stats, head, ctx.now)
      else
        [stats.corrupt, stats.corruptBytes] = [stats.corrupt + 1, stats.corruptBytes + head.bytes]
    }
  } finally {
    progress.finish()
    await source.close()
  }
  return stats
}

function emptyTally(): Tally {
  return { entries: 0, bytes: 0, expired: 0, stale: 0 }
}

function countEntry(stats: FolderStats, head: EntryHead, now: number): void {
  const id = functionOfKey(head.key)?.id ?? OTHER_KEYS
  let fn = stats.functions.get(id)
  if (fn === undefined) stats.functions.set(id, (fn = emptyTally()))
  const expired = head.expiresAt <= now
  const stale = !expired && head.freshUntil !== undefined && head.freshUntil <= now
  for (const tally of [stats, fn]) {
    tally.entries++
    tally.bytes += head.bytes
    if (expired) tally.expired++
    if (stale) tally.stale++
  }
  if (expired) stats.expiredBytes += head.bytes
  if (Number.isNaN(head.writtenAt)) return // not known (Redis)
  stats.oldest = Math.min(stats.oldest ?? Infinity, head.writtenAt)
  stats.newest = Math.max(stats.newest ?? -Infinity, head.writtenAt)
}

/** By bytes, largest first; the keys not made by withCache last. */
function sortedFunctions(stats: FolderStats): [string, Tally][] {
  return [...stats.functions].sort(([a, ta], [b, tb]) =>
    a === OTHER_KEYS ? 1 : b === OTHER_KEYS ? -1 : tb.bytes - ta.bytes,
  )
}
