// Child of test/core/codec.through-files.test.ts: reads back, in a process of its own, the values the parent
// wrote, and reports for each key where it differs from the value the parent set (null: the same).
import { Cache } from '../../src/storage/cache'
import { faithfulValues } from './faithful-values'
import { difference } from './same-value'

async function main(dir: string): Promise<void> {
  const cache = new Cache({ cacheDir: dir, cleanupInterval: false })
  const report: Record<string, string | null> = {}
  for (const [key, value] of Object.entries(faithfulValues())) {
    const found = await cache.has(key)
    report[key] = found ? (difference(value, await cache.get(key)) ?? null) : 'missing'
  }
  await cache.close()
  process.send!(report, () => process.disconnect())
}

main(process.argv[2]!).catch((err) => {
  console.error(err)
  process.exit(1)
})
