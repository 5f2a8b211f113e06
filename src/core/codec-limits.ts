import { SerializationError } from './exceptions'

/** The limits on what the codec encodes: each one is what decoding and the file tier's read path can take back. */

/**
 * How deeply values may nest (arrays, objects, Maps and Sets inside one another). Decoding has no limit (it
 * does not recurse); encoding refuses deeper values, which also catches cycles, since it keeps no set of the
 * objects it has seen.
 */
export const MAX_DEPTH = 1000

/** The largest entry file the file tier's read path reads back (see storage/tiers/read-whole.ts). */
export const MAX_ENTRY_BYTES = 2 ** 31 - 1
/** Room left in an entry file for what the file tier writes around the value: its header, key included. */
export const ENTRY_HEADER_ROOM = 1024 * 1024
/** The largest encoded value (text and attachments): one entry file must hold it and be read back whole. */
export const MAX_VALUE_BYTES = MAX_ENTRY_BYTES - ENTRY_HEADER_ROOM
/** Bytes counted per attachment for its length in the header's list (`,2147483647`). */
export const ATTACHMENT_LISTING_BYTES = 11

/** `parts`, if they fit in `maxBytes`; the exact UTF-8 length of the text is only counted near the limit. */
export function checkSize<P extends { text: string; attachments: readonly Uint8Array[] }>(
  parts: P,
  maxBytes: number,
): P {
  let total = 0
  for (const attachment of parts.attachments)
    total += attachment.byteLength + ATTACHMENT_LISTING_BYTES
  if (total + parts.text.length * 3 <= maxBytes) return parts // at most 3 bytes of UTF-8 per UTF-16 unit
  total += Buffer.byteLength(parts.text)
  if (total <= maxBytes) return parts
  throw new SerializationError(
    `[tiercache] value cannot be stored: it encodes to ${total} bytes, larger than the ${maxBytes} an entry can hold and be read back`,
  )
}
