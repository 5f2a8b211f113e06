import { fromParsed } from '../../core/codec'
import type { Entry } from '../tier'
import type { TagStamps } from '../tier-tags'

/**
 * What an entry file holds. Without attachments, one JSON document:
 *   {"v":1,"key":"…","expiresAt":1732406400000,"value":…}
 *   {"v":2,"key":"…","expiresAt":1732410000000,"freshUntil":1732406400000,"refreshAt":…,"value":…}
 * With them: the document (listing their lengths), a newline (JSON text never holds a raw one), then the
 * raw bytes one after another. The format version is a field, so a later format never misreads this one.
 *
 * Format 2 adds the stale window (`freshUntil`, and `refreshAt` for eager refresh). It is written only for
 * entries that have one: an entry without reads the same in both formats, so it is still written as format 1,
 * byte for byte as 0.1.0 wrote it, and a process of 0.1.0 sharing the folder keeps reading it.
 * A tagged entry (either format) has a `tags` field, after `memoryTtl`, with the counters it saw.
 */
export const FORMAT_VERSION = 2

/** The times of an entry besides `expiresAt`, when it has a stale window or an eager refresh (format 2). */
interface Freshness {
  freshUntil: number
  refreshAt: number | undefined
}

/** The first bytes of an entry file, up to the value; the value's text and a closing `}` follow. */
export function entryHeader(
  key: string,
  expiresAt: number,
  memoryTtlMs?: number,
  attachmentLengths?: readonly number[],
  freshness?: Freshness,
  tags?: TagStamps,
): string {
  const memoryTtl = memoryTtlMs === undefined ? '' : `"memoryTtl":${memoryTtlMs},`
  // Optional: a file without it is an untagged entry. A reader that predates tags rebuilds the header without
  // it, fails its prefix check and reads a miss: it never serves a tagged value as untagged.
  const tagged = tags === undefined ? '' : `"tags":${JSON.stringify(stampsRecord(tags))},`
  const attachments = attachmentLengths?.length
    ? `"attachments":[${attachmentLengths.join(',')}],`
    : ''
  const expiry = `"expiresAt":${expiresAt === Infinity ? 'null' : expiresAt},`
  if (freshness === undefined)
    return `{"v":1,"key":${JSON.stringify(key)},${expiry}${memoryTtl}${tagged}${attachments}"value":`
  const { freshUntil, refreshAt } = freshness
  const refresh = refreshAt === undefined ? '' : `"refreshAt":${refreshAt},`
  return `{"v":2,"key":${JSON.stringify(key)},${expiry}"freshUntil":${freshUntil},${refresh}${memoryTtl}${tagged}${attachments}"value":`
}

/** The pieces to write for `entry`, in order: text, then raw attachment bytes. */
export function entryFileParts(entry: Entry): (string | Uint8Array)[] {
  const attachments = entry.attachments ?? []
  const header = entryHeader(
    entry.key,
    entry.expiresAt,
    entry.memoryTtlMs,
    attachments.map((a) => a.byteLength),
    freshnessOf(entry),
    entry.tags,
  )
  return attachments.length
    ? [header + entry.encoded + '}\n', ...attachments]
    : [header + entry.encoded + '}']
}

/** The size in bytes of what `entryFileParts` returned. */
export function partsLength(parts: readonly (string | Uint8Array)[]): number {
  return parts.reduce(
    (sum, part) => sum + (typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength),
    0,
  )
}

/** The entry in a file's bytes if they hold a whole, current-format entry for `key`; anything else is undefined. */
export function parseEntry(bytes: Buffer, key: string): Entry | undefined {
  const newline = bytes.indexOf(NEWLINE)
  const text = bytes.toString('utf8', 0, newline === -1 ? bytes.length : newline)
  let parsed: StoredEntry
  try {
    parsed = JSON.parse(text) as StoredEntry
  } catch {
    return undefined // truncated, empty or not JSON
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    (parsed.v !== 1 && parsed.v !== 2) ||
    parsed.key !== key
  )
    return undefined
  const expiresAt = parsed.expiresAt === null ? Infinity : parsed.expiresAt
  const { memoryTtl: memoryTtlMs, attachments: lengths = [] } = parsed
  const tags = parsed.tags === undefined ? undefined : toStamps(parsed.tags)
  if (
    typeof expiresAt !== 'number' ||
    !('value' in parsed) ||
    (memoryTtlMs !== undefined && typeof memoryTtlMs !== 'number') ||
    tags === null
  )
    return undefined
  const freshness = parsed.v === 2 ? storedFreshness(parsed, expiresAt) : undefined
  if (parsed.v === 2 && freshness === undefined) return undefined
  const attachments = sliceAttachments(bytes, newline, lengths)
  if (attachments === undefined) return undefined // cut short, or bytes after the document that it does not account for
  let value: unknown
  try {
    value = fromParsed(parsed.value, attachments)
  } catch {
    return undefined // a tag this version does not know
  }
  // The value's own text, sliced out rather than re-encoded: the promoted copy's size comes from it.
  const header = entryHeader(
    key,
    expiresAt,
    memoryTtlMs,
    lengths.length ? lengths : undefined,
    freshness,
    tags,
  )
  if (!text.startsWith(header)) return undefined // valid JSON, but not written by this tier
  const encoded = text.slice(header.length, -1)
  return {
    key,
    value,
    encoded,
    expiresAt,
    // Format 1 had no stale window: fresh until it expires.
    freshUntil: freshness?.freshUntil ?? expiresAt,
    ...(freshness?.refreshAt !== undefined && { refreshAt: freshness.refreshAt }),
    ...(memoryTtlMs !== undefined && { memoryTtlMs }),
    ...(attachments.length && { attachments }),
    ...(tags !== undefined && { tags }),
  }
}

/** The times format 2 stores for `entry`, or undefined when it has neither a stale window nor an eager refresh. */
function freshnessOf(entry: Entry): Freshness | undefined {
  const { freshUntil, refreshAt, expiresAt } = entry
  const stale = freshUntil !== undefined && freshUntil < expiresAt
  const eager = refreshAt !== undefined && refreshAt < (stale ? freshUntil : expiresAt)
  if (!stale && !eager) return undefined
  return { freshUntil: stale ? freshUntil : expiresAt, refreshAt: eager ? refreshAt : undefined }
}

/** A format-2 document's times, if they are numbers in order (refreshAt ≤ freshUntil ≤ expiresAt). */
function storedFreshness(parsed: StoredEntry, expiresAt: number): Freshness | undefined {
  const { freshUntil, refreshAt } = parsed
  if (typeof freshUntil !== 'number' || !(freshUntil <= expiresAt)) return undefined
  if (refreshAt !== undefined && (typeof refreshAt !== 'number' || !(refreshAt <= freshUntil)))
    return undefined
  return { freshUntil, refreshAt }
}

/** Tag stamps as a file holds them: `{"tag":counter,…}`. */
function stampsRecord(stamps: TagStamps): Record<string, number> {
  return Object.fromEntries(stamps.tags.map((tag, i) => [tag, stamps.counters[i]!]))
}

/** The stamps a file's `tags` field holds, or null when it is not an object of non-negative integers. */
function toStamps(field: unknown): TagStamps | null {
  if (typeof field !== 'object' || field === null || Array.isArray(field)) return null
  const counters = Object.values(field)
  if (!counters.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return null
  return { tags: Object.keys(field), counters: counters as number[], checkedAt: -1 }
}

const NEWLINE = 0x0a

/** Views of the attachments after the newline, if their lengths add up to exactly the rest of the file. */
function sliceAttachments(
  bytes: Buffer,
  newline: number,
  lengths: unknown,
): Uint8Array[] | undefined {
  if (newline === -1) return Array.isArray(lengths) && lengths.length === 0 ? [] : undefined
  if (!Array.isArray(lengths) || lengths.length === 0) return undefined
  const attachments: Uint8Array[] = []
  let offset = newline + 1
  for (const length of lengths) {
    if (!Number.isInteger(length) || length < 0 || offset + length > bytes.length) return undefined
    attachments.push(bytes.subarray(offset, offset + length))
    offset += length
  }
  return offset === bytes.length ? attachments : undefined
}

/** The key an entry file says it holds (for hashed names, whose key only the file knows), or undefined. */
export function storedKey(bytes: Buffer): string | undefined {
  const newline = bytes.indexOf(NEWLINE)
  try {
    const parsed = JSON.parse(
      bytes.toString('utf8', 0, newline === -1 ? bytes.length : newline),
    ) as Partial<StoredEntry> | null
    return typeof parsed?.key === 'string' ? parsed.key : undefined
  } catch {
    return undefined
  }
}

/** The tag stamps an entry file holds, or undefined (untagged, or unreadable: left to the other checks). */
export function storedTags(bytes: Buffer): TagStamps | undefined {
  const newline = bytes.indexOf(NEWLINE)
  try {
    const parsed = JSON.parse(
      bytes.toString('utf8', 0, newline === -1 ? bytes.length : newline),
    ) as Partial<StoredEntry> | null
    return parsed?.tags === undefined ? undefined : (toStamps(parsed.tags) ?? undefined)
  } catch {
    return undefined
  }
}

interface StoredEntry {
  v: number
  key: string
  expiresAt: number | null
  freshUntil?: number
  refreshAt?: number
  memoryTtl?: number
  attachments?: number[]
  tags?: unknown
  value: unknown
}
