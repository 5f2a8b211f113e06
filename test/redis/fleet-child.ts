/**
 * One worker of the fleet test: memory → Redis, and a RedisBus. As the writer it sets, deletes, clears by
 * pattern, invalidates and refreshes keys `grp_0`…`grp_7` in a loop, each value stamped with the sequence
 * number of the call that wrote it, and logs when each call resolved. As a reader it reads random keys
 * through its memory tier in a loop and logs what it was served and when the read began.
 * argv: url prefix channel role(writer|reader) durationMs. IPC: sends {ready}, waits for {go}, sends {log}.
 */
import { Cache, MemoryTier, withCache } from '../../src'
import { RedisBus, RedisTier } from '../../src/redis'

const [url, prefix, channel, role, duration] = process.argv.slice(2) as [
  string,
  string,
  string,
  'writer' | 'reader',
  string,
]
const KEYS = 8
const cache = new Cache({
  tiers: [new MemoryTier(), new RedisTier({ url, prefix })],
  bus: new RedisBus({ url, channel }),
  ttl: 600,
  memoryTtl: 600, // a copy the bus failed to drop would be served for minutes: the test would see it
  cleanupInterval: false,
  onError: (error) => process.send!({ error: error.message }),
})

/** What the writer did: the key (or every key, for a clear) and the call's sequence number, when it resolved. */
export type WriterEvent = [op: string, key: number, seq: number, resolvedAt: number]
/** What a reader was served: the key, the value's sequence number (-1: a miss), when the read began. */
export type ReaderEvent = [key: number, seq: number, startedAt: number]

async function write(until: number): Promise<WriterEvent[]> {
  const log: WriterEvent[] = []
  let seq = 0
  let nextValue = 0
  const segment = withCache(async (id: number) => ({ seq: nextValue, id }), {
    cache,
    key: (id) => `grp_${id}`,
  })
  while (Date.now() < until) {
    const key = Math.floor(Math.random() * KEYS)
    const dice = Math.random()
    const current = ++seq
    let op: string
    if (dice < 0.5) {
      op = 'set'
      await cache.set(`grp_${key}`, { seq: current, id: key })
    } else if (dice < 0.65) {
      op = 'delete'
      await cache.delete(`grp_${key}`)
    } else if (dice < 0.75) {
      op = 'invalidate'
      await segment.invalidate(key)
    } else if (dice < 0.9) {
      op = 'refresh'
      nextValue = current
      await segment.refresh(key)
    } else {
      op = 'clear'
      await cache.clear(key % 2 ? 'grp_*' : /^grp_/)
      log.push([op, -1, current, Date.now()])
      continue
    }
    log.push([op, key, current, Date.now()])
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  return log
}

async function read(until: number): Promise<ReaderEvent[]> {
  const log: ReaderEvent[] = []
  while (Date.now() < until) {
    const key = Math.floor(Math.random() * KEYS)
    const startedAt = Date.now()
    const value = await cache.get<{ seq: number }>(`grp_${key}`)
    log.push([key, value?.seq ?? -1, startedAt])
    // About one read per 0.2 ms: enough to catch a stale copy, few enough to send back over IPC.
    await new Promise((resolve) => setTimeout(resolve, log.length % 5 === 0 ? 1 : 0))
  }
  return log
}

process.on('message', (message: { go: number; readFor: number }) => {
  void (async () => {
    const until = Date.now() + (role === 'writer' ? Number(duration) : message.readFor)
    const log = role === 'writer' ? await write(until) : await read(until)
    const served = (await cache.stats()).hits
    await cache.close()
    process.send!({ log, served }, () => process.disconnect())
  })()
})
process.send!({ ready: true })
