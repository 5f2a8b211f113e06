/**
 * One process of scenario 9c (run with ts-node, forked by redis.bench.ts). Every process has a Cache of
 * memory → Redis with a RedisBus. The sender ('A') deletes keys one by one and notes, on the system-wide
 * monotonic clock (process.hrtime), when each delete() resolved; each receiver ('B') notes when its memory
 * copy of a key is gone. For the raw baseline, A sends PUBLISH with node-redis and B notes each arrival on
 * a plain subscriber. IPC: the parent sends commands, each gets one reply.
 */
import { createClient } from 'redis'
import { Cache, MemoryTier } from '../../src'
import { RedisBus, RedisTier } from '../../src/redis'

const [url, role, prefix, channel] = process.argv.slice(2) as [string, 'A' | 'B', string, string]
const rawChannel = `${channel}:raw`
const now = () => Number(process.hrtime.bigint()) / 1e6 // ms, system-wide monotonic clock

const cache = new Cache({
  tiers: [new MemoryTier(), new RedisTier({ url, prefix })],
  bus: new RedisBus({ url, channel }),
  cleanupInterval: false,
})
const gone = new Map<string, number>()
cache.onInvalidate((target) => {
  if (!('key' in target)) return
  // The listener runs before the tiers are touched; the memory copy goes in the same tick.
  queueMicrotask(() => {
    if (!cache.memoryCache.has(target.key) && !gone.has(target.key)) gone.set(target.key, now())
  })
})
const raw = createClient({ url })
raw.on('error', () => {})
const rawArrivals = new Map<string, number>()

type Command =
  | { cmd: 'fill' | 'load' | 'delete'; keys: string[]; gapMs?: number }
  | { cmd: 'raw'; count: number; gapMs: number }
  | { cmd: 'collect' | 'exit' }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'fill':
      for (const key of command.keys) await cache.set(key, { key, payload: 'x'.repeat(1000) })
      return true
    case 'load':
      for (const key of command.keys)
        for (let tries = 0; !cache.memoryCache.has(key) && tries < 100; tries++) {
          await cache.get(key)
          if (!cache.memoryCache.has(key)) await sleep(1) // crossed the fill's own message: read again
        }
      gone.clear()
      return command.keys.every((key) => cache.memoryCache.has(key))
    case 'delete': {
      const resolved: number[] = []
      for (const key of command.keys) {
        await cache.delete(key)
        resolved.push(now())
        await sleep(command.gapMs ?? 2)
      }
      return resolved
    }
    case 'raw': {
      const sent: number[] = []
      for (let i = 0; i < command.count; i++) {
        await raw.publish(rawChannel, String(i))
        sent.push(now())
        await sleep(command.gapMs)
      }
      return sent
    }
    case 'collect': {
      const result = { gone: Object.fromEntries(gone), raw: Object.fromEntries(rawArrivals) }
      gone.clear()
      rawArrivals.clear()
      return result
    }
    case 'exit':
      await Promise.all([cache.close(), raw.close()])
      return true
  }
}

async function main() {
  await raw.connect()
  if (role === 'B') {
    const subscriber = raw.duplicate()
    subscriber.on('error', () => {})
    await subscriber.connect()
    await subscriber.subscribe(rawChannel, (message) => void rawArrivals.set(message, now()))
    process.on('exit', () => subscriber.destroy())
  }
  process.on('message', (command: Command) => {
    void handle(command).then(
      (reply) => {
        process.send!({ reply })
        if (command.cmd === 'exit') process.disconnect!()
      },
      (err: unknown) => process.send!({ error: String(err) }),
    )
  })
  process.send!({ ready: true })
}

void main()
