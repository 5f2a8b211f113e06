import { compilePattern, type KeyMatcher } from '../core/pattern'
import { choiceOption, intOption, REDIS_OPTIONS, UsageError } from './args'
import type { Command, CommandContext } from './command'
import { folderProgress, redisSourceOf, requireFolder } from './command'
import { isFault, readEntryHead, type EntryFault, type EntryHead } from './entry-head'
import { Progress } from './progress'
import { walkFolder } from './folder-scan'
import { bytes, count, expiresIn, isoOrNull } from './output'
import { TopN } from './top-n'

/**
 * `tiercache ls [PATTERN]`: key, tier, size and time to expiry of the entries whose keys match. Without
 * --limit (and --sort) it streams in folder order; with --limit it keeps the top N in a bounded heap, so
 * `ls --limit 20` over 100 k entries holds 20.
 */

const SORTS = ['size', 'age', 'expiry', 'none'] as const
type Sort = (typeof SORTS)[number]

/** Ranks `a` above `b` (positive) for each order: largest, oldest, soonest to expire first. */
const RANK: Record<Exclude<Sort, 'none'>, (a: EntryHead, b: EntryHead) => number> = {
  size: (a, b) => a.bytes - b.bytes || b.key.localeCompare(a.key),
  age: (a, b) => b.writtenAt - a.writtenAt || b.key.localeCompare(a.key),
  expiry: (a, b) =>
    a.expiresAt === b.expiresAt ? b.key.localeCompare(a.key) : a.expiresAt < b.expiresAt ? 1 : -1,
}

export const lsCommand: Command = {
  spec: {
    name: 'ls',
    summary:
      'Lists entries (key, tier, size, time to expiry) whose keys match PATTERN (a glob with * and ?).\nWith --limit, the top N by --sort (size by default); without, every match in folder order.',
    positionals: ['[PATTERN]'],
    options: {
      limit: {
        type: 'string',
        short: 'n',
        description: 'show the first N only (kept in a bounded heap)',
      },
      sort: {
        type: 'string',
        description: `order: ${SORTS.join(', ')} (size: largest first, age: oldest first)`,
      },
      ...REDIS_OPTIONS,
    },
  },
  async run(ctx) {
    const limit = intOption(ctx.values, 'limit', 1, 'ls')
    const sort = choiceOption(
      ctx.values,
      'sort',
      SORTS,
      limit === undefined ? 'none' : 'size',
      'ls',
    )
    const match = ctx.positionals[0] === undefined ? undefined : patternOf(ctx.positionals[0])
    const source = await redisSourceOf(ctx)
    if (!source) requireFolder(ctx.dir)
    const rows = new Rows(ctx, source ? 'redis' : 'file')
    let matched = 0
    const top = sort === 'none' ? undefined : new TopN(limit ?? Infinity, RANK[sort])
    const progress = source ? new Progress(ctx.streams, 'listing') : folderProgress(ctx, 'listing')
    try {
      for await (const head of source ? source.heads(match) : folderHeads(ctx, match)) {
        progress.tick()
        if (isFault(head)) continue
        matched++
        if (top) top.push(head)
        else if (limit === undefined || matched <= limit) rows.add(head)
      }
    } finally {
      progress.finish()
      await source?.close()
    }
    for (const head of top?.sorted() ?? []) rows.add(head)
    rows.end(
      limit !== undefined && matched > limit
        ? `${count(limit)} of ${count(matched)} matching entries, by ${sort}`
        : undefined,
    )
    return 0
  },
}

export function patternOf(pattern: string): KeyMatcher {
  try {
    return compilePattern(pattern)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** The heads of the folder's entries whose keys `match` accepts; a key the name tells is matched without a read. */
export async function* folderHeads(
  ctx: CommandContext,
  match: KeyMatcher | undefined,
): AsyncGenerator<EntryHead | EntryFault> {
  for await (const item of walkFolder(ctx.dir)) {
    if (item.kind !== 'entry' || (match && item.key !== null && !match(item.key))) continue
    const head = readEntryHead(ctx.dir, item.name)
    if (head !== undefined && (isFault(head) || !match || match(head.key))) yield head
  }
}

/** Writes rows as they come: JSON array items, or text lines whose fixed-width columns need no look-ahead. */
class Rows {
  #first = true
  constructor(
    readonly ctx: CommandContext,
    readonly tier: string,
  ) {
    if (ctx.json) ctx.streams.out.write('[')
  }

  add(head: EntryHead): void {
    const { out } = this.ctx.streams
    if (this.ctx.json) {
      out.write(`${this.#first ? '' : ','}\n  ${JSON.stringify(rowJson(head, this.tier))}`)
    } else {
      if (this.#first) out.write(`${'SIZE'.padStart(10)}  ${'EXPIRES'.padEnd(24)}  TIER  KEY\n`)
      out.write(
        `${bytes(head.bytes).padStart(10)}  ${expiresIn(head.expiresAt, this.ctx.now).padEnd(24)}  ${this.tier.padEnd(5)} ${head.key}\n`,
      )
    }
    this.#first = false
  }

  end(footer: string | undefined): void {
    const { out, err } = this.ctx.streams
    if (this.ctx.json) out.write(this.#first ? ']\n' : '\n]\n')
    else if (this.#first) err.write('no matching entries\n')
    else if (footer) out.write(`(${footer})\n`)
  }
}

function rowJson(head: EntryHead, tier: string): unknown {
  return {
    key: head.key,
    tier,
    bytes: head.bytes,
    expiresAt: isoOrNull(head.expiresAt),
    ...(head.freshUntil !== undefined && { freshUntil: isoOrNull(head.freshUntil) }),
    ...(tier === 'file' && { writtenAt: isoOrNull(head.writtenAt), file: head.name }),
  }
}
