/**
 * Call latency while a background refresh runs (docs/freshness.md): 10 k calls on one stale key, spread over
 * ~300 ms so that they overlap a refresh that takes 200 ms, against the same calls on a fresh key.
 * Prints p50 / p99 per call (time until the caller's await resumes).
 *   cd bench && node -r ts-node/register/transpile-only swr-latency.ts
 */
import { Cache, MemoryTier, FileTier } from '../src'
import { FakeClock } from '../src/testing'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CALLS = 10_000
const PER_PAUSE = 100 // calls between 3 ms pauses: 100 pauses ≈ 300 ms, longer than the refresh
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function measure(layout: 'memory' | 'memory + file', stale: boolean) {
  const clock = new FakeClock(Date.now())
  const dir = mkdtempSync(join(tmpdir(), 'swr-latency-'))
  const tiers =
    layout === 'memory'
      ? [new MemoryTier({ clock })]
      : [new MemoryTier({ clock }), new FileTier({ dir, clock })]
  const cache = new Cache({ tiers, clock, cleanupInterval: false, staleWhileRevalidate: '1h' })
  let refreshes = 0
  let refreshing = false
  const model = async () => {
    refreshes++
    refreshing = true
    await sleep(200)
    refreshing = false
    return { answer: refreshes }
  }
  await cache.set('k', { answer: 0 }, 60)
  if (stale) clock.advance(60_001)
  const latencies: number[] = []
  let during = 0
  for (let i = 0; i < CALLS; i++) {
    const start = process.hrtime.bigint()
    await cache.getOrSet('k', model, 60)
    latencies.push(Number(process.hrtime.bigint() - start))
    if (refreshing) during++
    if (i % PER_PAUSE === PER_PAUSE - 1) await sleep(3)
  }
  await sleep(250)
  await cache.close()
  rmSync(dir, { recursive: true, force: true })
  latencies.sort((a, b) => a - b)
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
  const us = (ns: number) => `${(ns / 1000).toFixed(2)} µs`
  console.log(
    `| ${layout} | ${stale ? 'stale (refresh of 200 ms under way)' : 'fresh'} | ${us(pct(0.5))} | ${us(pct(0.99))} | ${us(latencies.at(-1)!)} | ${during} | ${refreshes} |`,
  )
}

async function main() {
  console.log('| tiers | key | p50 | p99 | max | calls during the refresh | model runs |')
  console.log('|---|---|---:|---:|---:|---:|---:|')
  for (let round = 0; round < 2; round++)
    for (const layout of ['memory', 'memory + file'] as const)
      for (const stale of [false, true]) await measure(layout, stale)
}

void main()
