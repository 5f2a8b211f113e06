import type { KeyMatcher } from '../core/pattern'
import type { KeyPredicate } from '../storage/tier'

/**
 * Redis keys are bytes. A key is sent as its UTF-8, except that a lone surrogate (which UTF-8 cannot hold, and
 * which `Buffer.from` would turn into U+FFFD, the bytes of another key) is written as its own three bytes
 * (WTF-8). Every key string thus has one byte form and two strings never share one.
 *
 * @example
 * ```ts
 * import { RedisTier, type RedisConnection, type RedisKey, type RedisScanNode } from 'tiercache/redis'
 *
 * // A connection over a Map, for tests without a server (it keeps entries until they are deleted).
 * const store = new Map<string, Buffer>()
 * const id = (key: RedisKey) => (typeof key === 'string' ? Buffer.from(key) : key).toString('hex')
 * const node: RedisScanNode = {
 *   scan: async () => ['0', [...store.keys()].map((hex) => Buffer.from(hex, 'hex'))], // one batch, done
 * }
 * const connection: RedisConnection = {
 *   get: async (key) => store.get(id(key)) ?? null,
 *   set: async (key, value) => void store.set(id(key), Buffer.from(value)),
 *   unlink: async (keys) => keys.filter((key) => store.delete(id(key))).length,
 *   strlen: async (keys) => keys.map((key) => store.get(id(key))?.length ?? 0),
 *   scanNodes: async () => [node],
 * }
 * const tier = new RedisTier({ connection, prefix: 'test:' })
 * ```
 */
export type RedisKey = string | Buffer

/** The bytes of `text` as Redis should see them: a string when UTF-8 holds it, else its WTF-8 bytes. */
export function keyBytes(text: string): RedisKey {
  return text.isWellFormed() ? text : wtf8(text)
}

/** `prefix` + `key` as one Redis key. */
export function joinKey(prefix: string, key: string): RedisKey {
  const text = prefix + key
  return text.isWellFormed() ? text : wtf8(text)
}

function wtf8(text: string): Buffer {
  const parts: Buffer[] = []
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0xd800 || unit > 0xdfff) continue
    if (unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++ // a well-formed pair: UTF-8 holds it
      continue
    }
    parts.push(
      Buffer.from(text.slice(start, i), 'utf8'),
      Buffer.of(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)),
    )
    start = i + 1
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'))
  return Buffer.concat(parts)
}

/** The string `keyBytes` made `bytes` from. Bytes no key encodes to (another writer's) decode lossily. */
export function keyFromBytes(bytes: Buffer): string {
  let text = ''
  let start = 0
  // 0xED followed by 0xA0..0xBF starts an encoded surrogate; UTF-8 proper never has that pair.
  for (
    let i = bytes.indexOf(0xed);
    i !== -1 && i + 2 < bytes.length;
    i = bytes.indexOf(0xed, i + 1)
  ) {
    const second = bytes[i + 1]!
    const third = bytes[i + 2]!
    if (second < 0xa0 || second > 0xbf || (third & 0xc0) !== 0x80) continue
    text +=
      bytes.toString('utf8', start, i) +
      String.fromCharCode(0xd000 | ((second & 0x3f) << 6) | (third & 0x3f))
    start = i + 3
    i += 2
  }
  return text + bytes.toString('utf8', start)
}

/** Characters Redis's glob matcher treats specially; a backslash before any byte makes it literal. */
const GLOB_SPECIAL = new Set([0x2a, 0x3f, 0x5b, 0x5d, 0x5c, 0x5e]) // * ? [ ] \ ^

function escapeLiteral(text: string): Buffer {
  const raw = keyBytes(text)
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw
  const out: number[] = []
  for (const byte of bytes) {
    if (GLOB_SPECIAL.has(byte)) out.push(0x5c)
    out.push(byte)
  }
  return Buffer.from(out)
}

/**
 * The `SCAN MATCH` pattern for the keys under `prefix` that `match` may accept: its glob when it has one,
 * else its literal prefix, else everything. Redis's `?` matches one byte where tiercache's matches one
 * character, so every wildcard run becomes `*`: the pattern may let through more than `match` accepts, never
 * less, and the caller filters with `match` itself.
 */
export function scanPattern(prefix: string, match?: KeyPredicate): Buffer {
  const glob = (match as Partial<KeyMatcher> | undefined)?.glob
  if (typeof glob !== 'string')
    return Buffer.concat([escapeLiteral(prefix + (match?.prefix ?? '')), STAR])
  const parts: Buffer[] = [escapeLiteral(prefix)]
  let literal = ''
  let lastWasStar = false
  for (const ch of glob) {
    if (ch === '*' || ch === '?') {
      if (literal) parts.push(escapeLiteral(literal))
      literal = ''
      if (!lastWasStar) parts.push(STAR)
      lastWasStar = true
    } else {
      literal += ch
      lastWasStar = false
    }
  }
  if (literal) parts.push(escapeLiteral(literal))
  return Buffer.concat(parts)
}

const STAR = Buffer.from('*')
