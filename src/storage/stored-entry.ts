import { encodeParts } from '../core/codec'
import { SerializationError } from '../core/exceptions'
import { shortenKey } from '../core/keys'

/** The codec's text and attachments for `value`, or a SerializationError naming the key. */
export function encodeForStorage(
  key: string,
  value: unknown,
): { text: string; attachments: Uint8Array[] } {
  try {
    return encodeParts(value)
  } catch (err) {
    const reason = (err as Error).message.replace(/^\[tiercache\] /, '')
    const message = `[tiercache] cannot store ${JSON.stringify(shortenKey(key))}: ${reason}`
    throw new SerializationError(message, { key, cause: err })
  }
}
