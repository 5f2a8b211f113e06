/**
 * The guide's maintenance task: periodic cleanup, a size check, health stats.
 * Run: npx ts-node examples/maintenance.ts
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache, isStorageError } from '../src'

const MAX_CACHE_BYTES = 10 * 1024 * 1024

async function main() {
  let now = Date.now()
  const clock = { now: () => now } // a movable clock, so the example shows expiry without waiting
  const cache = new Cache({
    cacheDir: mkdtempSync(join(tmpdir(), 'tiercache-maintenance-')),
    clock,
  })
  for (let i = 0; i < 20; i++)
    await cache.set(`frames_${i}`, { frame: i, pixels: 'x'.repeat(1000) }, i < 15 ? '1m' : '1d')
  now += 2 * 60_000 // two minutes later: 15 entries have expired

  try {
    console.log('expired entries removed:', await cache.cleanup())
    const stats = await cache.stats()
    console.log('health:', {
      memoryEntries: stats.memoryEntries,
      fileEntries: stats.fileEntries,
      fileBytes: stats.fileBytes,
      errors: stats.errors,
    })

    // The guide's size check, on the files themselves: one *.json per entry.
    const dir = cache.cacheDir!
    const total = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0)
    console.log(`cache size on disk: ${total} bytes (limit ${MAX_CACHE_BYTES})`)
    if (total > MAX_CACHE_BYTES) await cache.clear()
  } catch (err) {
    if (!isStorageError(err)) throw err
    console.error('cache maintenance failed:', err.message)
  }
  await cache.close()
}

void main()
