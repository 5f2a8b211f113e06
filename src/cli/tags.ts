import { bumpTagCounter, countEntriesByTag } from '../storage/tiers/file-tags'
import { UsageError } from './args'
import type { CommandContext } from './command'
import { requireFolder } from './command'
import { canAsk, confirm } from './confirm'
import { count, table, writeJson, writeText } from './output'

/**
 * The command line's side of tags (docs/tags.md): `tiercache clear --tag TAG` invalidates a tag in a
 * folder, as `cache.invalidateTags` does (its counter goes up by one, so every entry carrying it reads as a
 * miss), and `tiercache stats --tags` counts the valid entries per tag. Both read every entry file whole.
 * Running processes keep their memory copies until their memory TTL, as after any change made from outside.
 */

/** `clear --tag TAG`: with --dry-run, how many entries carry the tag; otherwise invalidates it. */
export async function clearTag(ctx: CommandContext, tag: string): Promise<number> {
  if (ctx.values.redis !== undefined)
    throw new UsageError(
      'clear --tag works on a folder; on Redis, call cache.invalidateTags()',
      'clear',
    )
  if (tag === '') throw new UsageError('--tag needs a tag name', 'clear')
  const dryRun = ctx.values['dry-run'] === true
  if (!dryRun && ctx.values.yes !== true && !canAsk(ctx.streams))
    throw new UsageError(
      'clear --tag invalidates entries: give --yes (or --dry-run to count them) when not on a terminal',
      'clear',
    )
  requireFolder(ctx.dir)
  const carrying = (await countEntriesByTag(ctx.dir)).get(tag)?.entries ?? 0
  if (dryRun) {
    if (ctx.json) writeJson(ctx.streams, { tag, dryRun: true, entries: carrying })
    else writeText(ctx.streams, `(dry run: ${count(carrying)} entries carry tag ${tag})`)
    return 0
  }
  if (ctx.values.yes !== true) {
    const question = `Invalidate tag ${tag} (${count(carrying)} entries) in ${ctx.dir}?`
    if (!(await confirm(ctx.streams, question))) {
      ctx.streams.err.write('nothing invalidated\n')
      return 0
    }
  }
  const counter = await bumpTagCounter(ctx.dir, tag)
  if (ctx.json) writeJson(ctx.streams, { tag, invalidated: carrying, counter })
  else
    writeText(
      ctx.streams,
      `invalidated tag ${tag}: ${count(carrying)} entries read as misses now (tiercache cleanup removes them)`,
    )
  return 0
}

/** `stats --tags`: the valid entries per tag, most first. */
export async function tagCounts(dir: string): Promise<{ tag: string; entries: number }[]> {
  const counts = await countEntriesByTag(dir)
  return [...counts]
    .map(([tag, { entries }]) => ({ tag, entries }))
    .sort((a, b) => b.entries - a.entries || a.tag.localeCompare(b.tag))
}

/** The `stats --tags` table. */
export function tagTable(rows: { tag: string; entries: number }[]): string {
  if (rows.length === 0) return 'no tagged entries'
  return table([['tag', 'entries'], ...rows.map(({ tag, entries }) => [tag, count(entries)])], [1])
}
