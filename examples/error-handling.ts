/**
 * Graceful fallback: a cache whose folder cannot be used still answers, and errors carry codes.
 * Run: npx ts-node examples/error-handling.ts
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache, isStorageError, withCache } from '../src'

async function computeFreshData(key: string) {
  return { key, computedAt: Date.now() }
}

async function main() {
  // A folder path that is really a file: every write to the file tier fails.
  const blocked = join(mkdtempSync(join(tmpdir(), 'tiercache-errors-')), 'not-a-folder')
  writeFileSync(blocked, '')
  const cache = new Cache({ cacheDir: blocked })

  // 1. Explicit handling, as the guide does it.
  try {
    await cache.set('report', { ok: true })
  } catch (err) {
    if (isStorageError(err))
      // not instanceof: true across ESM and CJS copies too
      console.log(`set failed: code=${err.code} tier=${err.tier} key=${err.key}`)
  }

  // 2. withCache falls back by itself: the caller gets the computed value, the error goes to onError.
  const cached = withCache(computeFreshData, {
    cache,
    onError: (err) => console.log('onError:', err.code, err.message),
  })
  const result = await cached('report')
  console.log('result despite the broken disk:', result.key)

  // 3. Bad input is a typed error, never a crash.
  await cache
    .get('')
    .catch((err: { name: string; code: string }) => console.log('empty key:', err.name, err.code))
  await cache
    .set('fn', () => 1)
    .catch((err: { name: string; code: string }) =>
      console.log('a function value:', err.name, err.code),
    )
  await cache.close()
}

void main()
