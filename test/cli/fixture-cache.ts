import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { writeCacheEntries, type WrittenSummary } from '../helpers/write-cache-entries'
import { makeTempDir } from '../helpers/temp-dir'

/** The time the fixture caches are written at, and the commands judge expiry by (TIERCACHE_NOW_MS). */
export const NOW = Date.now()
export const AT_NOW = { TIERCACHE_NOW_MS: String(NOW) }

/**
 * A cache folder of `count` real entries written by FileTier (see write-cache-entries.ts). With 40: 8 of
 * video:describe:v1, 12 of video:describe:v2, 8 of video:thumbnail:v3, 8 of asr:transcribe:v1.2.0 and 4 keys
 * not made by withCache (one of them too long for a file name, so hashed); entries 30 to 39 have expired.
 */
export async function fixtureCache(count = 40): Promise<{ dir: string } & WrittenSummary> {
  const dir = join(makeTempDir('tiercache-cli-'), 'cache')
  return { dir, ...(await writeCacheEntries(dir, count, NOW, true)) }
}

/** The sizes of the `*.json` files in `dir`, by name. */
export function entrySizes(dir: string): Map<string, number> {
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [name, statSync(join(dir, name)).size]),
  )
}
