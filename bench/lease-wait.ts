/**
 * How soon a waiter gets the value after the lease holder stored it (docs/leases.md, "Speed"). Two caches in
 * one process stand for two processes (each has its own flights): the holder computes behind a gate, the
 * waiter calls for the same key and waits on the lease; the gate opens, the holder stores. The figure is the
 * time from the holder's store resolving (stamped by its slowest tier) to the waiter's call resolving.
 * File: memory → file on one folder (woken by the poll). Redis: memory → Redis with a RedisBus each (woken by
 * the holder's bus message). Run: node -r ts-node/register/transpile-only bench/lease-wait.ts [rounds]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache, FileTier, MemoryTier, type Entry, type Tier } from '../src'
import { RedisBus, RedisTier } from '../src/redis'
import { startRedisServer } from '../test/helpers/redis-server'

const rounds = Number(process.argv[2] ?? 40)

/** Marks when a write to `tier` resolved. */
function stamped<T extends Tier>(tier: T, stamp: { at: number }): T {
  const set = tier.set.bind(tier)
  tier.set = async (entry: Entry) => {
    await set(entry)
    stamp.at = performance.now()
  }
  return tier
}

async function measure(make: (stamp: { at: number }) => [Cache, Cache]): Promise<number[]> {
  const delays: number[] = []
  for (let round = 0; round < rounds; round++) {
    const stamp = { at: 0 }
    const [holder, waiter] = make(stamp)
    await new Promise((resolve) => setTimeout(resolve, 50)) // buses subscribe
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const key = `segment_${round}`
    const held = holder.getOrSet(key, async () => (await gate, 'value'))
    await new Promise((resolve) => setTimeout(resolve, 20)) // the holder has the lease
    const waited = waiter.getOrSet(key, () => 'computed twice')
    await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 100)) // mid-poll
    open()
    const value = await waited
    const at = performance.now()
    await held
    if (value !== 'value') throw new Error(`the waiter computed: ${value}`)
    delays.push(at - stamp.at)
    await Promise.all([holder.close(), waiter.close()])
  }
  return delays
}

function summary(name: string, delays: number[]): string {
  const sorted = [...delays].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return `${name}: p50 ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${at(1).toFixed(1)} ms (${delays.length} rounds)`
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'lease-wait-'))
  const fileDelays = await measure((stamp) => [
    new Cache({
      tiers: [new MemoryTier(), stamped(new FileTier({ dir }), stamp)],
      cleanupInterval: false,
    }),
    new Cache({ tiers: [new MemoryTier(), new FileTier({ dir })], cleanupInterval: false }),
  ])
  rmSync(dir, { recursive: true, force: true })
  console.log(summary('file tier (poll)', fileDelays))

  const server = await startRedisServer()
  try {
    let n = 0
    const redisDelays = await measure((stamp) => {
      const prefix = `lease-wait-${n++}:`
      const open = (tier: RedisTier) =>
        new Cache({
          tiers: [new MemoryTier(), tier],
          bus: new RedisBus({ url: server.url, channel: `${prefix}bus` }),
          cleanupInterval: false,
        })
      return [
        open(stamped(new RedisTier({ url: server.url, prefix }), stamp)),
        open(new RedisTier({ url: server.url, prefix })),
      ]
    })
    console.log(summary('Redis + bus', redisDelays))
  } finally {
    await server.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
