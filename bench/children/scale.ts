/**
 * Scenario 8's child, one measurement per process so that one run's memory and open handles never weigh
 * on the next. Prints one JSON line.
 *
 *   node scale.js remove <raw|cleanup|clear> <template> <dir> <count>
 *     Copies <template>, a folder of <count> entries written through tiercache's file tier, to <dir>
 *     (untimed), then removes them all:
 *     raw: readdir + unlink, 32 at a time (as the file tier itself works);
 *     cleanup: Cache.cleanup() with a clock two days ahead, so every entry (TTL 24 h) has expired;
 *     clear: Cache.clear('prefix_*'), which every key matches.
 *
 *   node --expose-gc scale.js rss <tiercache|lru-cache> <sets>
 *     <sets> sets of distinct 1 KB JSON values into a memory cache bounded at 64 MiB; reports peak RSS.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, rmSync } from 'node:fs'
import { readdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { isDeepStrictEqual } from 'node:util'
import type * as Library from '../../src'
import { randomHex, record1K, type Record1K } from '../fixtures'
import { loadPeers } from '../peers'

const lib = require(process.env.TIERCACHE_LIB!) as typeof Library
const CONCURRENCY = 32
const MAX_BYTES = 64 << 20

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

async function entryFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.json'))
}

/** Copies the folder filled once by the bench process, keeping the files' times (their mtime is their expiry). */
function cloneFolder(template: string, dir: string): void {
  try {
    execFileSync('cp', ['-R', '--preserve=timestamps', template, dir], { stdio: 'ignore' })
  } catch {
    rmSync(dir, { recursive: true, force: true })
    cpSync(template, dir, { recursive: true, preserveTimestamps: true })
  }
}

async function remove(how: string, template: string, dir: string, count: number) {
  const cloneStart = performance.now()
  // Not flushed to disk: a system-wide sync costs seconds on a busy machine, six times a run. Every contender
  // removes an equally fresh copy, so the ratio holds; absolute times are lower than for files at rest.
  cloneFolder(template, dir)
  const cloneMs = performance.now() - cloneStart
  const present = (await entryFiles(dir)).length

  let removed = 0
  const start = performance.now()
  if (how === 'raw') {
    const names = await entryFiles(dir)
    await eachLimited(names, CONCURRENCY, async (name) => {
      await unlink(join(dir, name))
      removed++
    })
  } else if (how === 'cleanup') {
    const later = { now: () => Date.now() + 2 * 86_400_000 }
    const cache = new lib.Cache({
      tiers: [new lib.FileTier({ dir, clock: later })],
      clock: later,
      cleanupInterval: false,
    })
    removed = await cache.cleanup()
    await cache.close()
  } else if (how === 'clear') {
    const cache = new lib.Cache({ tiers: [new lib.FileTier({ dir })], cleanupInterval: false })
    removed = await cache.clear('prefix_*')
    await cache.close()
  } else {
    throw new Error(`unknown removal ${how}`)
  }
  const ms = performance.now() - start

  const left = (await entryFiles(dir)).length
  const failures: string[] = []
  if (present !== count) failures.push(`the copied folder held ${present} of ${count} entries`)
  if (removed !== count) failures.push(`reported ${removed} removed of ${count}`)
  if (left !== 0) failures.push(`${left} entries left on disk`)
  return { ms, ops: count, failures: failures.length, first: failures[0], extra: { cloneMs } }
}

async function rss(which: string, sets: number) {
  ;(globalThis as { gc?: () => void }).gc?.()
  const rssStart = process.memoryUsage.rss()
  let set: (key: string, value: Record1K) => unknown
  let get: (key: string) => unknown
  let held: () => Promise<{ entries: number; bytes: number }>
  if (which === 'tiercache') {
    const cache = new lib.Cache({
      tiers: [new lib.MemoryTier({ maxEntries: 1_000_000, maxBytes: MAX_BYTES })],
      cleanupInterval: false,
    })
    set = (key, value) => cache.set(key, value)
    get = (key) => cache.get(key)
    held = async () => {
      const stats = await cache.stats()
      return { entries: stats.memoryEntries, bytes: stats.memoryBytes }
    }
  } else if (which === 'lru-cache') {
    const { lruCache } = await loadPeers((pkg) => pkg === 'lru-cache')
    const lru = new lruCache!.LRUCache<string, Record1K>({
      max: 1_000_000,
      maxSize: MAX_BYTES,
      sizeCalculation: (value) => JSON.stringify(value).length,
    })
    set = (key, value) => lru.set(key, value)
    get = (key) => lru.get(key)
    held = async () => ({ entries: lru.size, bytes: lru.calculatedSize })
  } else {
    throw new Error(`unknown cache ${which}`)
  }

  const last: Record1K[] = []
  let sampledPeak = rssStart
  const start = performance.now()
  for (let i = 0; i < sets; i++) {
    const value = record1K(i, randomHex)
    await set(`video_${i}`, value)
    if (i >= sets - 3) last.push(value)
    if ((i & 4095) === 0) sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())
  }
  const ms = performance.now() - start
  const peakRss = Math.max(sampledPeak, process.resourceUsage().maxRSS * 1024)

  const failures: string[] = []
  for (const value of last)
    if (!isDeepStrictEqual(await get(value.key), value))
      failures.push(`${value.key} did not read back`)
  const { entries, bytes } = await held()
  if (bytes > MAX_BYTES) failures.push(`holds ${bytes} bytes, over the 64 MiB bound`)
  // What is live once the garbage is gone, to tell what the cache holds from what V8 had not collected yet.
  ;(globalThis as { gc?: () => void }).gc?.()
  const heapAfterGc = process.memoryUsage().heapUsed
  return {
    ms,
    ops: sets,
    failures: failures.length,
    first: failures[0],
    extra: { peakRss, rssStart, heapAfterGc, entries, bytes },
  }
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2)
  const result =
    mode === 'remove'
      ? await remove(args[0]!, args[1]!, args[2]!, Number(args[3]))
      : await rss(args[0]!, Number(args[1]))
  process.stdout.write(JSON.stringify(result) + '\n')
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
    process.exit(1)
  },
)
