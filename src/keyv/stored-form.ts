import { createHash } from 'node:crypto'
import type { Entry } from '../storage/tier'
import { entryFileParts, parseEntry, storedKey } from '../storage/tiers/file-format'

/**
 * How `KeyvTier` puts an entry into a Keyv store: the key and the value as text any store takes (SQL `TEXT`
 * and `VARCHAR` columns included), the entry itself in the file tier's format, so Date, Buffer, Map and the rest
 * of tiercache's codec survive whatever serializer the Keyv has.
 */

/** Hashed store keys start with this; a key that starts with it is hashed too, so no two keys share one. */
const HASHED = '#sha256:'
/** Large byte arrays ride along base64-encoded after this marker (the format's raw bytes are no text). */
const BASE64 = 'b64:'

/**
 * The store key of `key`: the key itself when any store can hold it (well-formed text, no NUL, short enough for
 * `maxLength`), else a hash of it. The real key is always inside the value, and checked on read.
 */
export function storeKeyOf(key: string, maxLength: number): string {
  if (
    key.length <= maxLength &&
    key.isWellFormed() &&
    !key.includes('\0') &&
    !key.startsWith(HASHED)
  )
    return key
  // UTF-16 code units, so keys that differ only in a lone surrogate hash apart.
  return HASHED + createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('hex')
}

/** The text stored for `entry`. */
export function toStoredText(entry: Entry): string {
  const parts = entryFileParts(entry)
  if (parts.length === 1) return parts[0] as string
  const bytes = Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)),
  )
  return BASE64 + bytes.toString('base64')
}

/** The bytes of a stored text, in the file tier's format; undefined for anything this tier did not write. */
function bytesOf(stored: unknown): Buffer | undefined {
  if (typeof stored !== 'string') return undefined
  if (stored.startsWith(BASE64)) return Buffer.from(stored.slice(BASE64.length), 'base64')
  return stored.startsWith('{') ? Buffer.from(stored) : undefined
}

/** The entry stored for `key`, or undefined (another key's, foreign or damaged). */
export function fromStoredText(stored: unknown, key: string): Entry | undefined {
  const bytes = bytesOf(stored)
  return bytes === undefined ? undefined : parseEntry(bytes, key)
}

/** The entry a stored text holds whatever its key, when it is the one `storeKey` names; else undefined. */
export function entryUnder(
  storeKey: string,
  stored: unknown,
  maxLength: number,
): Entry | undefined {
  const bytes = bytesOf(stored)
  const key = bytes === undefined ? undefined : storedKey(bytes)
  if (key === undefined || storeKeyOf(key, maxLength) !== storeKey) return undefined
  return parseEntry(bytes!, key)
}
