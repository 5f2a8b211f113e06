import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { MAX_ENTRY_BYTES } from '../core/codec-limits'
import { FORMAT_VERSION } from '../storage/tiers/file-format'
import { codeOf, isMissing, isNotRegular } from '../storage/tiers/file-io'
import { keyToFileName } from '../storage/tiers/file-layout'
import { SAFE_READ_FLAGS } from '../storage/tiers/read-whole'

/**
 * An entry file's header (key, expiry, format, size) without its value. file-format.ts writes the value
 * last (`{"v":1,"key":…,"expiresAt":…,…,"value":…}`), so the bytes up to `"value":` hold every other field:
 * one read of 1 KiB covers all but very long keys, whatever the value's size. The fields are read by name,
 * so a later format's extra fields (`freshUntil`) come through; the full check, value included, is the
 * tier's own parseEntry (see `readEntryBytes`, used by `verify` and `inspect`).
 * Files are opened as the tier opens them (read-whole.ts): never through a symlink, never blocking on a FIFO,
 * and read only once fstat says they are regular files.
 */

export interface EntryHead {
  name: string
  key: string
  /** The entry format's version (`v`). */
  format: number
  /** Epoch ms; Infinity for never. */
  expiresAt: number
  /** Epoch ms after which the entry is stale (format 2's stale window), when the entry has one. */
  freshUntil?: number
  /** Size of the file in bytes. */
  bytes: number
  /** When the file was written (its ctime: the tier stamps the mtime with the expiry just after the rename); NaN when not known (Redis). */
  writtenAt: number
  /** Every field of the header as written, for `inspect` and `--json`. */
  fields: Record<string, unknown>
}

/** A file under an entry name that holds no readable entry. */
export interface EntryFault {
  name: string
  fault: 'corrupt' | 'not a file' | 'unreadable' | 'too large'
  reason: string
  bytes: number
}

/** The first read; a header that does not fit (a key of over ~1,000 characters) is read again, larger. */
const FIRST_READ_BYTES = 1024
const VALUE_FIELD = '"value":'

/** The header of the entry file `name` in `dir`; a fault when it holds none; undefined when it vanished. */
export function readEntryHead(dir: string, name: string): EntryHead | EntryFault | undefined {
  return withEntryFile(dir, name, (fd, info) => {
    let wanted = Math.min(FIRST_READ_BYTES, info.size)
    for (;;) {
      const buffer = Buffer.allocUnsafe(wanted)
      const got = readSync(fd, buffer, 0, wanted, 0)
      const fields = parseHeader(buffer.toString('utf8', 0, got))
      if (fields !== undefined || got < wanted || wanted >= info.size)
        return headOf(name, fields, info.size, info.ctimeMs, (key) => keyToFileName(key) === name)
      wanted = Math.min(info.size, wanted * 16)
    }
  })
}

/**
 * The whole entry file, for a full check by the tier's own parseEntry: its head and bytes; a fault for a
 * file over the largest entry the tier reads back (never read), or not a regular file.
 */
export function readEntryBytes(
  dir: string,
  name: string,
): { head: EntryHead | EntryFault; bytes: Buffer } | EntryFault | undefined {
  return withEntryFile<{ head: EntryHead | EntryFault; bytes: Buffer } | EntryFault>(
    dir,
    name,
    (fd, info) => {
      if (info.size > MAX_ENTRY_BYTES)
        return {
          name,
          fault: 'too large',
          reason: `over ${MAX_ENTRY_BYTES} bytes`,
          bytes: info.size,
        }
      const bytes = Buffer.allocUnsafe(info.size)
      let length = 0
      while (length < info.size) {
        const got = readSync(fd, bytes, length, info.size - length, length)
        if (got === 0) break // shrank meanwhile: what is there is judged
        length += got
      }
      const whole = bytes.subarray(0, length)
      const header = parseHeader(whole.toString('utf8', 0, Math.min(length, 1 << 20)))
      const ours = (key: string) => keyToFileName(key) === name
      return { head: headOf(name, header, info.size, info.ctimeMs, ours), bytes: whole }
    },
  )
}

/** The header's fields, if `text` begins with a whole one; the value itself is left out. */
export function parseHeader(text: string): Record<string, unknown> | undefined {
  // The first `"value":` that ends a valid object is the field: one inside the key is escaped (`\"value\":`).
  for (let at = text.indexOf(VALUE_FIELD); at !== -1; at = text.indexOf(VALUE_FIELD, at + 1)) {
    try {
      const parsed: unknown = JSON.parse(`${text.slice(0, at)}${VALUE_FIELD}null}`)
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const { value: _value, ...fields } = parsed as Record<string, unknown>
        return fields
      }
    } catch {
      // not the end of the header: look for the next one
    }
  }
  return undefined
}

export function isFault(head: EntryHead | EntryFault): head is EntryFault {
  return 'fault' in head
}

// --- Internal helpers ---

/** Opens an entry file safely, fstat-checks it is a regular file, and hands it to `use`; always closes it. */
function withEntryFile<T>(
  dir: string,
  name: string,
  use: (fd: number, info: Stats) => T,
): T | EntryFault | undefined {
  let fd: number
  try {
    fd = openSync(join(dir, name), SAFE_READ_FLAGS)
  } catch (err) {
    if (isNotRegular(err)) return fault(name, 'not a file', whatItIs(codeOf(err)))
    if (isMissing(err)) return undefined // removed meanwhile
    return fault(name, 'unreadable', codeOf(err) ?? String(err))
  }
  try {
    const info = fstatSync(fd)
    if (!info.isFile())
      return fault(name, 'not a file', whatItIs(info.isDirectory() ? 'EISDIR' : undefined))
    return use(fd, info)
  } catch (err) {
    return fault(name, 'unreadable', codeOf(err) ?? String(err))
  } finally {
    closeSync(fd)
  }
}

/** What stands under an entry name that is not a regular file, from the code opening it failed with. */
function whatItIs(code: string | undefined): string {
  if (code === 'ELOOP') return 'a symbolic link'
  if (code === 'EISDIR') return 'a folder'
  return 'a FIFO, socket or device'
}

function fault(name: string, kind: EntryFault['fault'], reason: string): EntryFault {
  return { name, fault: kind, reason, bytes: 0 }
}

/**
 * The head for a header's fields, or why they are not an entry: `name` is where it was found (a file name, a
 * Redis key), `holds` whether a key belongs under that name, `writtenAt` NaN where it is not known (Redis).
 */
export function headOf(
  name: string,
  fields: Record<string, unknown> | undefined,
  size: number,
  writtenAt: number,
  holds: (key: string) => boolean,
): EntryHead | EntryFault {
  const corrupt = (reason: string): EntryFault => ({ name, fault: 'corrupt', reason, bytes: size })
  if (fields === undefined) return corrupt(size === 0 ? 'empty file' : 'no entry header')
  const { v, key, expiresAt, freshUntil } = fields
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > FORMAT_VERSION)
    return corrupt(`unknown format ${JSON.stringify(v)}`)
  if (typeof key !== 'string') return corrupt('no key')
  if (!holds(key)) return corrupt('holds another key than its name says')
  if (expiresAt !== null && typeof expiresAt !== 'number') return corrupt('bad expiry')
  if (freshUntil !== undefined && freshUntil !== null && typeof freshUntil !== 'number')
    return corrupt('bad freshness time')
  return {
    name,
    key,
    format: v,
    expiresAt: expiresAt ?? Infinity,
    ...(typeof freshUntil === 'number' && { freshUntil }),
    bytes: size,
    writtenAt,
    fields,
  }
}
