// Child of test/storage/entry-info.test.ts: opens a cache over the parent's folder, its clock at the time the
// parent gives, and reports what getEntry shows for each key.
import { Cache } from '../../src/storage/cache'
import { FileTier } from '../../src/storage/tiers/file'
import { FakeClock } from '../../src/testing/fake-clock'

async function main(dir: string, now: number, keys: string[]): Promise<void> {
  const clock = new FakeClock(now)
  const cache = new Cache({ tiers: [new FileTier({ dir, clock })], clock, cleanupInterval: false })
  const report: Record<string, unknown> = {}
  for (const key of keys) report[key] = (await cache.getEntry(key)) ?? null
  await cache.close()
  process.send!(report, () => process.disconnect())
}

main(process.argv[2]!, Number(process.argv[3]), process.argv.slice(4)).catch((err) => {
  console.error(err)
  process.exit(1)
})
