/**
 * Scenario 7's child: a fresh process opens a folder filled by the bench process and reads every key once.
 * Timed from opening the store to the last read; module loading is not counted. Every value read is
 * compared with the one stored, after the clock stops. Prints one JSON line.
 *
 * Usage (transpiled; see build.ts): node restart.js <store id> <dir> <count>, with TIERCACHE_LIB set.
 */
import { performance } from 'node:perf_hooks'
import { isDeepStrictEqual } from 'node:util'
import type * as Library from '../../src'
import { fileStores } from '../file-stores'
import { record1K } from '../fixtures'
import { loadPeers } from '../peers'

/** Which peer packages each store needs, so the child loads only those. */
const NEEDS: Record<string, string[]> = {
  'keyv-file': ['keyv', 'keyv-file'],
  bentocache: ['bentocache'],
  'bentocache-file': ['bentocache'],
  cacache: ['cacache'],
}

async function main(): Promise<void> {
  const [storeId = '', dir = '', countText = ''] = process.argv.slice(2)
  const count = Number(countText)
  const lib = require(process.env.TIERCACHE_LIB!) as typeof Library
  const peers = await loadPeers((pkg) => (NEEDS[storeId] ?? []).includes(pkg))
  const fileStore = fileStores(lib, peers).find((s) => s.id === storeId)
  if (!fileStore)
    throw new Error(`unknown or unavailable store ${storeId}: ${JSON.stringify(peers.skipped)}`)
  const expected = Array.from({ length: count }, (_, k) => record1K(k))
  const keys = expected.map((r) => r.key)
  const got: unknown[] = new Array(count)

  const start = performance.now()
  const store = await fileStore.open(dir, 'json')
  for (let k = 0; k < count; k++) got[k] = await store.get(keys[k]!)
  const ms = performance.now() - start

  let failures = 0
  let first: string | undefined
  for (let k = 0; k < count; k++) {
    if (!isDeepStrictEqual(got[k], expected[k])) {
      failures++
      first ??= got[k] === undefined ? `${keys[k]} not found` : `${keys[k]} read back different`
    }
  }
  await store.close()
  process.stdout.write(JSON.stringify({ ms, ops: count, failures, first }) + '\n')
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
    process.exit(1)
  },
)
