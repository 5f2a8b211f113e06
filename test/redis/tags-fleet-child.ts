/**
 * One worker of the tags fleet test: memory → Redis, and a RedisBus. As the writer it sets keys `v_0`…`v_15`
 * (key i tagged `video:<i>`), each value stamped with the call's sequence number, and invalidates tags,
 * logging when each call resolved. As a reader it reads random keys in a loop (mostly memory hits) and logs
 * what it was served and when the read began.
 * argv: url prefix channel role(writer|reader) durationMs. IPC: sends {ready}, waits for {go}, sends {log}.
 */
import { Cache, MemoryTier } from '../../src'
import { RedisBus, RedisTier } from '../../src/redis'

const [url, prefix, channel, role, duration] = process.argv.slice(2) as [
  string,
  string,
  string,
  'writer' | 'reader',
  string,
]
// Few sets, many invalidations, one tag per key: a key is set again (and its tag's counter read again by the
// readers) only about once a second, so a copy that an invalidation failed to reach would be served long past
// the settling time, and the test would see it.
const KEYS = 16
const SET_SHARE = 0.15
export const tagOf = (key: number) => `video:${key}`
const cache = new Cache({
  tiers: [new MemoryTier(), new RedisTier({ url, prefix })],
  bus: new RedisBus({ url, channel }),
  ttl: 600,
  memoryTtl: 600, // a copy the bus failed to invalidate would be served for minutes: the test would see it
  cleanupInterval: false,
  onError: (error) => process.send!({ error: error.message }),
})

/** What the writer did: 'set' of a key or 'tag' invalidation of a tag number, its sequence number, when it resolved. */
export type WriterEvent = [op: 'set' | 'tag', target: number, seq: number, resolvedAt: number]
/** What a reader was served: the key, the value's sequence number (-1: a miss), when the read began. */
export type ReaderEvent = [key: number, seq: number, startedAt: number]

async function write(until: number): Promise<WriterEvent[]> {
  const log: WriterEvent[] = []
  let seq = 0
  while (Date.now() < until) {
    const key = Math.floor(Math.random() * KEYS)
    const current = ++seq
    if (Math.random() < SET_SHARE) {
      await cache.set(`v_${key}`, { seq: current }, { tags: [tagOf(key)] })
      log.push(['set', key, current, Date.now()])
    } else {
      await cache.invalidateTags([tagOf(key)])
      log.push(['tag', key, current, Date.now()])
    }
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  return log
}

async function read(until: number): Promise<ReaderEvent[]> {
  const log: ReaderEvent[] = []
  while (Date.now() < until) {
    const key = Math.floor(Math.random() * KEYS)
    const startedAt = Date.now()
    const value = await cache.get<{ seq: number }>(`v_${key}`)
    log.push([key, value?.seq ?? -1, startedAt])
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
