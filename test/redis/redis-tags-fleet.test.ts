import { join } from 'node:path'
import { forkHelper, type Child } from '../helpers/fork-child'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'
import type { ReaderEvent, WriterEvent } from './tags-fleet-child'

jest.setTimeout(90_000)

const WRITE_MS = 3_000
/** How long after a call resolved every other process must have dropped its copy. Generous for a busy CI box. */
const SETTLE_MS = 250

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(() => server.stop())

/**
 * A read is stale when it served a value that was written before a change that replaced or invalidated it
 * (a later set of the key, an invalidation of its tag) and that change had resolved more than SETTLE_MS
 * before the read began.
 */
function staleReads(writes: WriterEvent[], reads: ReaderEvent[]): ReaderEvent[] {
  return reads.filter(([key, seq, startedAt]) => {
    if (seq === -1) return false // a miss serves nothing old
    return writes.some(
      ([, target, wseq, resolvedAt]) =>
        target === key && // a set of the key, or an invalidation of its tag
        wseq > seq &&
        resolvedAt + SETTLE_MS < startedAt,
    )
  })
}

describe('a fleet of 4 processes, each memory → Redis with a RedisBus, invalidating by tag', () => {
  it('after invalidateTags resolved and a bounded settling time, no process serves a value of the tag', async () => {
    const prefix = uniquePrefix('tags-fleet')
    const roles = ['writer', 'reader', 'reader', 'reader'] as const
    const children: Child[] = roles.map((role) =>
      forkHelper(join('..', 'redis', 'tags-fleet-child'), [
        server.url,
        prefix,
        `${prefix}bus`,
        role,
        String(WRITE_MS),
      ]),
    )
    try {
      for (const child of children) expect(await child.next()).toEqual({ ready: true })
      for (const child of children)
        child.process.send({ go: Date.now(), readFor: WRITE_MS + SETTLE_MS * 2 })
      const results = await Promise.all(
        children.map((child) =>
          child.next<{ log: unknown[]; served: Record<string, number>; error?: string }>(),
        ),
      )
      for (const result of results) expect(result.error).toBeUndefined()
      const writes = results[0]!.log as WriterEvent[]
      const reads = results.slice(1).flatMap((result) => result.log as ReaderEvent[])
      const stale = staleReads(writes, reads)
      const counts = {
        sets: writes.filter(([op]) => op === 'set').length,
        tagInvalidations: writes.filter(([op]) => op === 'tag').length,
        reads: reads.length,
        valuesServed: reads.filter(([, seq]) => seq !== -1).length,
        memoryHits: results.slice(1).reduce((sum, r) => sum + (r.served.memory ?? 0), 0),
        staleAfterSettling: stale.length,
      }
      console.log(`tags fleet: ${JSON.stringify(counts)}`)
      expect(counts.tagInvalidations).toBeGreaterThan(20)
      expect(counts.valuesServed).toBeGreaterThan(50)
      expect(counts.memoryHits).toBeGreaterThan(30)
      expect(stale).toEqual([])
    } finally {
      for (const child of children) if (child.process.connected) child.process.kill()
      await Promise.all(children.map((child) => child.exited))
    }
  })
})
