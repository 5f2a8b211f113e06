import { FileTier } from '../storage/tiers/file'
import { REDIS_OPTIONS, UsageError } from './args'
import type { Command, CommandContext } from './command'
import { folderProgress, redisSourceOf, requireFolder } from './command'
import { Progress } from './progress'
import { describeSource, type RedisSource } from './redis-source'
import { canAsk, confirm } from './confirm'
import { isFault } from './entry-head'
import { folderHeads, patternOf } from './ls'
import { bytes, count, writeJson, writeText } from './output'
import { clearTag } from './tags'

/**
 * `tiercache clear PATTERN`: removes the entries whose keys match. It counts (and with --dry-run lists) the
 * matches first; on a terminal it asks before removing, unless --yes. The removal is the tier's own
 * FileTier.clear, which re-checks that the folder is a tiercache folder and never touches other files.
 * Processes running on the cache keep their in-memory copies until their memory TTL: tell them through
 * cache.clear() (and the bus) when that matters.
 */

/** Keys a question shows before asking, so a mistyped pattern is seen. */
const SHOWN_BEFORE_ASKING = 10

export const clearCommand: Command = {
  spec: {
    name: 'clear',
    summary:
      "Removes the entries whose keys match PATTERN (a glob with * and ?: quote it, 'video:*'), or with\n--tag TAG invalidates the entries carrying that tag. On a terminal it asks first, unless --yes; elsewhere it needs --yes. --dry-run lists them only.",
    positionals: ['[PATTERN]'],
    options: {
      tag: {
        type: 'string',
        description: 'invalidate the entries carrying this tag instead (as cache.invalidateTags)',
      },
      'dry-run': {
        type: 'boolean',
        short: 'n',
        description: 'list what would be removed, remove nothing',
      },
      yes: { type: 'boolean', short: 'y', description: 'do not ask' },
      ...REDIS_OPTIONS,
    },
  },
  async run(ctx) {
    const tag = ctx.values.tag
    if (typeof tag === 'string') {
      if (ctx.positionals.length > 0)
        throw new UsageError('give a PATTERN or --tag, not both', 'clear')
      return clearTag(ctx, tag)
    }
    const pattern = ctx.positionals[0]
    if (pattern === undefined) throw new UsageError('clear needs PATTERN (or --tag TAG)', 'clear')
    patternOf(pattern) // a bad pattern is a usage error before anything else
    if (!ctx.values['dry-run'] && !ctx.values.yes && !canAsk(ctx.streams))
      throw new UsageError(
        'clear removes entries: give --yes (or --dry-run to list them) when not on a terminal',
        'clear',
      )
    const source = await redisSourceOf(ctx)
    try {
      return await clear(ctx, pattern, source)
    } finally {
      await source?.close()
    }
  },
}

async function clear(
  ctx: CommandContext,
  pattern: string,
  source: RedisSource | undefined,
): Promise<number> {
  const match = patternOf(pattern)
  const dryRun = ctx.values['dry-run'] === true
  const yes = ctx.values.yes === true
  if (!source) requireFolder(ctx.dir)
  const shown: string[] = []
  const found = await matches(ctx, pattern, source, (key) => {
    if (dryRun && !ctx.json) ctx.streams.out.write(`${key}\n`)
    else if (shown.length < SHOWN_BEFORE_ASKING || (dryRun && ctx.json)) shown.push(key)
  })
  if (dryRun) {
    if (ctx.json)
      writeJson(ctx.streams, {
        pattern,
        dryRun: true,
        entries: found.entries,
        bytes: found.bytes,
        keys: shown,
      })
    else
      writeText(
        ctx.streams,
        `(dry run: ${count(found.entries)} entries, ${bytes(found.bytes)}, would be removed)`,
      )
    return 0
  }
  if (found.entries === 0) {
    if (ctx.json) writeJson(ctx.streams, { pattern, removed: 0, bytes: 0 })
    else writeText(ctx.streams, `nothing matches ${pattern}`)
    return 0
  }
  if (!yes) {
    const more =
      found.entries > shown.length ? `\n  … and ${count(found.entries - shown.length)} more` : ''
    ctx.streams.err.write(`${shown.map((k) => `  ${k}`).join('\n')}${more}\n`)
    const question = `Remove ${count(found.entries)} entries (${bytes(found.bytes)}) matching ${pattern} from ${source ? describeSource(source) : ctx.dir}?`
    if (!(await confirm(ctx.streams, question))) {
      ctx.streams.err.write('nothing removed\n')
      return 0
    }
  }
  const removed = await (source ?? new FileTier({ dir: ctx.dir })).clear(match)
  if (ctx.json) writeJson(ctx.streams, { pattern, removed, bytes: found.bytes })
  else writeText(ctx.streams, `removed ${count(removed)} entries (${bytes(found.bytes)})`)
  return 0
}

/** Counts the matching entries and their bytes, handing each key to `each`. */
async function matches(
  ctx: CommandContext,
  pattern: string,
  source: RedisSource | undefined,
  each: (key: string) => void,
): Promise<{ entries: number; bytes: number }> {
  const match = patternOf(pattern)
  const found = { entries: 0, bytes: 0 }
  const progress = source ? new Progress(ctx.streams, 'matching') : folderProgress(ctx, 'matching')
  try {
    for await (const head of source ? source.heads(match) : folderHeads(ctx, match)) {
      progress.tick()
      if (isFault(head)) continue
      found.entries++
      found.bytes += head.bytes
      each(head.key)
    }
  } finally {
    progress.finish()
  }
  return found
}
