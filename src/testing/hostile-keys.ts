/**
 * Keys that break naive key-to-path mappings: traversal, absolute paths, separators, NUL, reserved device
 * names, dot names, case twins, escape characters of the file layout, a lone surrogate, and lengths on
 * both sides of the file-name limit.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, expect, it } from '@jest/globals'
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { Cache } from 'tiercache'
 * import { HOSTILE_KEYS, keyLabel } from 'tiercache/testing'
 *
 * let cache: Cache
 * beforeEach(() => void (cache = new Cache({ cacheDir: mkdtempSync(join(tmpdir(), 'keys-')) })))
 * afterEach(() => cache.close())
 * for (const key of HOSTILE_KEYS) {
 *   it(`keeps ${keyLabel(key)} inside the folder`, async () => {
 *     await cache.set(key, 'v')
 *     expect(await cache.get(key)).toBe('v')
 *   })
 * }
 * ```
 */
export const HOSTILE_KEYS: readonly string[] = [
  '../../x',
  '../../../../../../x',
  '/etc/passwd',
  'a/b\\c',
  'C:\\Windows\\x',
  'nul\u0000byte',
  'k'.repeat(10_240), // a 10 kB key
  '😀🎬 video',
  'CON',
  'con',
  'aux.json',
  '.',
  '..',
  '.tmp',
  'A',
  'a',
  'Video_42',
  'video_42',
  '100%',
  '%41', // what 'A' would percent-encode to
  '^a', // what 'A' escapes to
  'user@host',
  'video:42',
  '@', // what ':' escapes to
  'a=b',
  '=' + '0'.repeat(64), // looks like a hashed name
  'x.json',
  ' leading and trailing ',
  'line\nbreak\ttab',
  'café',
  '\uD800', // a lone surrogate
  'x'.repeat(250), // the longest plain name
  'x'.repeat(251), // one past it: hashed
  'ß'.repeat(100), // short in characters, long once escaped
]

/**
 * A short printable label for a test title.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, expect, it } from '@jest/globals'
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { Cache } from 'tiercache'
 * import { HOSTILE_KEYS, keyLabel } from 'tiercache/testing'
 *
 * let cache: Cache
 * beforeEach(() => void (cache = new Cache({ cacheDir: mkdtempSync(join(tmpdir(), 'keys-')) })))
 * afterEach(() => cache.close())
 * for (const key of HOSTILE_KEYS) {
 *   it(`keeps ${keyLabel(key)} inside the folder`, async () => {
 *     await cache.set(key, 'v')
 *     expect(await cache.get(key)).toBe('v')
 *   })
 * }
 * ```
 */
export function keyLabel(key: string): string {
  const json = JSON.stringify(key)
  return json.length > 40 ? `${json.slice(0, 30)}…" (${key.length} chars)` : json
}
