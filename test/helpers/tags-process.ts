/**
 * Child of file-tags.test.ts: a second process on the same cache folder, without a bus. Answers IPC
 * requests: `{ bump, times }` increments tag `bump` that many times (concurrently with its siblings);
 * `{ get, through }` reads a key through a file-only cache or a memory → file one, and replies with the value.
 * argv: dir. Sends `{ ready: true }` first.
 */
import { Cache, FileTier, MemoryTier } from '../../src'

const [dir] = process.argv.slice(2) as [string]
const fileOnly = new Cache({ tiers: [new FileTier({ dir })], cleanupInterval: false })
const stacked = new Cache({
  tiers: [new MemoryTier(), new FileTier({ dir })],
  cleanupInterval: false,
})
const counters = new FileTier({ dir })

type Request = { bump: string; times: number } | { get: string; through: 'file' | 'stacked' }

process.on('message', (request: Request) => {
  void (async () => {
    try {
      if ('bump' in request) {
        for (let i = 0; i < request.times; i++) await counters.bumpTags([request.bump])
        process.send!({ done: true })
      } else {
        const cache = request.through === 'file' ? fileOnly : stacked
        process.send!({ value: (await cache.get(request.get)) ?? null })
      }
    } catch (err) {
      process.send!({ error: String(err) })
    }
  })()
})
process.on('disconnect', () => void Promise.all([fileOnly.close(), stacked.close()]))
process.send!({ ready: true })
