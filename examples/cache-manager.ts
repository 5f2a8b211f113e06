/**
 * cache-manager 7 on tiercache: its Keyv store is `toKeyvStore(cache)`, so what cache-manager stores lands in
 * tiercache's tiers (here memory over the crash-safe file tier) and outlives the process.
 * Run: npx ts-node examples/cache-manager.ts
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCache } from 'cache-manager'
import Keyv from 'keyv'
import { Cache } from '../src'
import { toKeyvStore } from '../src/keyv'

async function main() {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tiercache-cache-manager-'))
  const tiered = new Cache({ cacheDir })
  const cache = createCache({ stores: [new Keyv({ store: toKeyvStore(tiered) })] })

  // cache-manager's TTLs are milliseconds, as Keyv's are.
  await cache.set('user:1', { name: 'Ada' }, 60_000)
  console.log('read back:', await cache.get('user:1'))

  let reports = 0
  const report = () => cache.wrap('report:daily', async () => `report #${++reports}`, 60_000)
  console.log('wrap twice:', await report(), '/', await report(), `(computed ${reports} time)`)

  // The same entries, seen by tiercache (Keyv put its namespace in front), and on disk for the next run.
  for await (const key of tiered.keys()) console.log('tiercache holds:', key)
  const nextRun = new Cache({ cacheDir })
  console.log('a new process would find user:1:', await nextRun.has('keyv:user:1'))
  await nextRun.close()

  await cache.disconnect() // closes the tiercache Cache too
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
