import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'
import { forkHelper, type Child } from '../helpers/fork-child'
import { join } from 'node:path'
import type { ReaderEvent, WriterEvent } from './fleet-child'

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
 * A read is stale when it served a value (or the older absence) that some change of the writer replaced
 * and that change had resolved more than SETTLE_MS before the read began.
 */
function staleReads(writes: WriterEvent[], reads: ReaderEvent[]): ReaderEvent[] {
  return reads.filter(([key, seq, startedAt]) => {
    if (seq === -1) return false // a miss serves nothing old
    return writes.some(
      ([, wkey, wseq, resolvedAt]) =>
        (wkey === key || wkey === -1) && wseq > seq && resolvedAt + SETTLE_MS < startedAt,
    )
  })
}

describe('a fleet of 4 processes, each memory → Redis with a RedisBus', () => {
  it('after a change resolved and a bounded settling time, no other process serves the value it replaced', async () => {
    const prefix = uniquePrefix('fleet')
    const channel = `${prefix}bus`
    const roles = ['writer', 'reader', 'reader', 'reader'] as const
    const children: Child[] = roles.map((role) =>
      forkHelper(join('..', 'redis', 'fleet-child'), [
        server.url,
        prefix,
        channel,
        role,
        String(WRITE_MS),
      ]),
    )
    try {
      for (const child of children) expect(await child.next()).toEqual({ ready: true })
      // Readers start a little later and end after the settling time: they see the last changes settle too.
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
        changes: writes.length,
        byOp: writes.reduce<Record<string, number>>(
          (acc, [op]) => ({ ...acc, [op]: (acc[op] ?? 0) + 1 }),
          {},
        ),
        reads: reads.length,
        valuesServed: reads.filter(([, seq]) => seq !== -1).length,
        staleAfterSettling: stale.length,
      }
      console.log(`fleet: ${JSON.stringify(counts)}`)
      expect(counts.changes).toBeGreaterThan(50)
      expect(Object.keys(counts.byOp).sort()).toEqual([
        'clear',
        'delete',
        'invalidate',
        'refresh',
        'set',
      ])
      expect(counts.valuesServed).toBeGreaterThan(100)
      expect(stale).toEqual([])
    } finally {
      for (const child of children) if (child.process.connected) child.process.kill()
      await Promise.all(children.map((child) => child.exited))
    }
  })
})
