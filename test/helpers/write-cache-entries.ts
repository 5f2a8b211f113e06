import { encodeParts } from '../../src/core/codec'
import { argsKey } from '../../src/memoize/key'
import { keyPrefix } from '../../src/memoize/key-prefix'
import { FileTier } from '../../src/storage/tiers/file'

/**
 * Fills a cache folder with real entries written by FileTier, as a fleet of video workers would leave it:
 * several functions, several versions of one of them, values of every shape (plain JSON, Dates, Maps,
 * Buffers large enough to be attachments), some expired, some never expiring, one key too long for a file
 * name. Used by the command-line tests and, as a script, for the 100 k-entry figures:
 *
 *   node -r ts-node/register/transpile-only test/helpers/write-cache-entries.ts <dir> <count>
 */

/** The functions entries are spread over, with the share of entries each gets (out of 10). */
const FUNCTIONS = [
  { namespace: 'video', name: 'describe', version: 1, share: 2 },
  { namespace: 'video', name: 'describe', version: 2, share: 3 },
  { namespace: 'video', name: 'thumbnail', version: 3, share: 2 },
  { namespace: 'asr', name: 'transcribe', version: '1.2.0', share: 2 },
  { namespace: undefined, name: 'plainKey', version: undefined, share: 1 },
] as const

export interface WrittenSummary {
  entries: number
  expired: number
  keys: string[]
}

/** Writes `count` entries into `dir` through FileTier; `now` fixes which ones are expired. */
export async function writeCacheEntries(
  dir: string,
  count: number,
  now = Date.now(),
  keepKeys = count <= 1000,
): Promise<WrittenSummary> {
  const tier = new FileTier({ dir })
  const summary: WrittenSummary = { entries: 0, expired: 0, keys: [] }
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      const { key, value } = entryFor(i)
      // One in 10 has expired (spread over the functions), one in 7 never expires, the rest expire in 1 to 48 hours.
      const expiresAt =
        Math.floor(i / 10) % 10 === 3
          ? now - 60_000
          : i % 7 === 3
            ? Infinity
            : now + ((i % 48) + 1) * 3_600_000
      const { text, attachments } = encodeParts(value)
      await tier.set({ key, value, encoded: text, attachments, expiresAt })
      summary.entries++
      if (expiresAt <= now) summary.expired++
      if (keepKeys) summary.keys.push(key)
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  await tier.close()
  return summary
}

/** The key and value of the `i`th entry: the same for every run, so tests can name keys. */
export function entryFor(i: number): { key: string; value: unknown } {
  let slot = i % 10
  const fn = FUNCTIONS.find((f) => (slot -= f.share) < 0)!
  const id = `vid${(i * 7919) % 1_000_003}`
  if (fn.version === undefined) {
    const key = i % 1000 === 9 ? `report/${id}/${'x'.repeat(300)}` : `report_${id}`
    return { key, value: { id, views: i } }
  }
  const prefix = keyPrefix({ namespace: fn.namespace, name: fn.name, version: fn.version })
  const key = argsKey(prefix, [id, i % 5])
  switch (i % 4) {
    case 0:
      return { key, value: { id, title: `Video ${i}`, tags: ['a', 'b'], score: i / 3 } }
    case 1:
      return {
        key,
        value: { id, at: new Date(1_700_000_000_000 + i), labels: new Map([['k', i]]) },
      }
    case 2:
      return { key, value: { id, frame: Buffer.alloc(6000 + (i % 100), i % 256) } }
    default:
      return { key, value: `caption ${i} `.repeat(1 + (i % 20)) }
  }
}

if (require.main === module) {
  const [dir, count = '1000'] = process.argv.slice(2)
  if (!dir) throw new Error('usage: write-cache-entries.ts <dir> <count>')
  const started = Date.now()
  void writeCacheEntries(dir, Number(count)).then((s) =>
    console.log(`${s.entries} entries (${s.expired} expired) in ${Date.now() - started} ms`),
  )
}
