import { parseEntry } from '../storage/tiers/file-format'
import { keyToFileName } from '../storage/tiers/file-layout'
import { REDIS_OPTIONS } from './args'
import type { Command, CommandContext } from './command'
import { CommandError, redisSourceOf, requireFolder } from './command'
import { headOf, isFault, parseHeader, readEntryBytes, type EntryHead } from './entry-head'
import { describeSource } from './redis-source'
import { bytes, expiresIn, fields, isoOrNull, when, writeJson, writeText } from './output'
import { previewValue, typeLabel } from './value-preview'

/**
 * `tiercache inspect KEY`: one entry's metadata and a preview of its value with the types shown. The value
 * is decoded by the tier's own parseEntry, so what is shown is what a read would return.
 */
export const inspectCommand: Command = {
  spec: {
    name: 'inspect',
    summary:
      'Shows one entry: its metadata and a preview of its value with the types shown\n(Date, Buffer 1.2 MiB, Map(3)). KEY is the exact key (quote it for the shell).',
    positionals: ['KEY'],
    options: { ...REDIS_OPTIONS },
  },
  async run(ctx) {
    const key = ctx.positionals[0]!
    const { head, raw, tier, name } = await readStored(ctx, key)
    const entry = parseEntry(raw, key)
    if (entry === undefined)
      throw new CommandError(
        `${name}: corrupt (its value does not decode)${tier === 'file' ? '; tiercache verify --fix removes it' : ''}`,
      )
    const expired = entry.expiresAt <= ctx.now
    const stale = !expired && head.freshUntil !== undefined && head.freshUntil <= ctx.now
    const state = expired
      ? 'expired (a read misses; cleanup removes it)'
      : stale
        ? 'stale'
        : 'fresh'
    const attachments = entry.attachments?.length ?? 0
    if (ctx.json) {
      writeJson(ctx.streams, {
        key,
        tier,
        ...(tier === 'file' ? { file: name } : { redisKey: name }),
        bytes: head.bytes,
        format: head.format,
        state: expired ? 'expired' : stale ? 'stale' : 'fresh',
        expiresAt: isoOrNull(entry.expiresAt),
        ...(head.freshUntil !== undefined && { freshUntil: isoOrNull(head.freshUntil) }),
        ...(entry.memoryTtlMs !== undefined && { memoryTtlMs: entry.memoryTtlMs }),
        ...(tier === 'file' && { writtenAt: isoOrNull(head.writtenAt) }),
        attachments,
        type: typeLabel(entry.value),
        preview: previewValue(entry.value),
      })
      return 0
    }
    const meta: [string, string][] = [
      ['Key', key],
      ['Tier', `${tier} (${name})`],
      [
        'Size',
        `${bytes(head.bytes)} (format ${head.format}${attachments ? `, ${attachments} attachment${attachments > 1 ? 's' : ''}` : ''})`,
      ],
      ...(tier === 'file' ? [['Written', when(head.writtenAt)] as [string, string]] : []),
      [
        'Expires',
        entry.expiresAt === Infinity
          ? 'never'
          : `${when(entry.expiresAt)} (${expiresIn(entry.expiresAt, ctx.now)})`,
      ],
    ]
    if (head.freshUntil !== undefined)
      meta.push([
        'Fresh until',
        `${when(head.freshUntil)} (${expiresIn(head.freshUntil, ctx.now)})`,
      ])
    if (entry.memoryTtlMs !== undefined) meta.push(['Memory TTL', `${entry.memoryTtlMs / 1000} s`])
    meta.push(['State', state], ['Type', typeLabel(entry.value)])
    writeText(ctx.streams, `${fields(meta)}\n\n${previewValue(entry.value)}`)
    return 0
  },
}

/** The stored bytes of `key` and their head, from the folder or the Redis prefix; a CommandError when none. */
async function readStored(
  ctx: CommandContext,
  key: string,
): Promise<{ head: EntryHead; raw: Buffer; tier: string; name: string }> {
  const source = await redisSourceOf(ctx)
  if (source) {
    const name = source.prefix + key
    let raw: Buffer | null
    try {
      raw = await source.read(key)
    } finally {
      await source.close()
    }
    if (raw === null)
      throw new CommandError(`no entry for ${JSON.stringify(key)} in ${describeSource(source)}`)
    const fields = parseHeader(raw.toString('utf8', 0, Math.min(raw.length, 1 << 20)))
    const head = headOf(name, fields, raw.length, NaN, (k) => k === key)
    if (isFault(head)) throw new CommandError(`${name}: ${head.fault} (${head.reason})`)
    return { head, raw, tier: 'redis', name }
  }
  requireFolder(ctx.dir)
  const name = keyToFileName(key)
  const read = readEntryBytes(ctx.dir, name)
  if (read === undefined)
    throw new CommandError(`no entry for ${JSON.stringify(key)} in ${ctx.dir}`)
  if ('fault' in read) throw new CommandError(`${name}: ${read.fault} (${read.reason})`)
  if (isFault(read.head))
    throw new CommandError(
      `${name}: ${read.head.fault} (${read.head.reason}); tiercache verify --fix removes it`,
    )
  return { head: read.head, raw: read.bytes, tier: 'file', name }
}
