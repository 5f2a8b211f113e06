/**
 * A model endpoint that fails for a while, then hangs, then comes back: callers keep getting answers. The
 * table shows, call by call, what was served: fresh, stale (and why), or computed.
 * The clock is simulated, so ten minutes of traffic take a moment (timeouts still run on real timers).
 * Run: npx ts-node examples/resilient-model.ts
 */
import { Cache, MemoryTier, withCache, type StorageError } from '../src'
import { FakeClock } from '../src/testing'

type Health = 'up' | 'down' | 'hangs'

async function main() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 9, 0, 0))
  const start = clock.now()
  let health: Health = 'up'
  let version = 0
  const reports: string[] = []

  // The slow, flaky service we want to protect callers from.
  async function summarize(docId: string): Promise<string> {
    if (health === 'down') throw new Error('503 from the model service')
    if (health === 'hangs') return new Promise<string>(() => {}) // never answers
    return `summary of ${docId} v${++version}`
  }

  const cache = new Cache({
    tiers: [new MemoryTier({ clock })],
    clock,
    cleanupInterval: false,
    onError: (err: StorageError) => {
      const cause = err.cause as { code?: string; message: string }
      reports.push(`${err.code} <- ${cause.code ?? cause.message}`)
    },
  })
  const summary = withCache(summarize, {
    cache,
    ttl: '1m', // fresh for a minute
    staleWhileRevalidate: '30s', // then served at once while one refresh runs in the background
    staleIfError: '1h', // a failing or hanging model gets the last good answer, up to an hour old
    errorBackoff: '30s', // and is not called again for 30 s after a failure
    hardTimeout: '50ms', // nobody waits longer than this for the model
  })

  const rows: string[][] = [['time', 'model', 'answer', 'served', 'reported to onError']]
  const at = async (seconds: number, state: Health) => {
    clock.advance(start + seconds * 1_000 - clock.now())
    health = state
    const before = await cache.getEntry<string>(summary.keyFor('doc-1'))
    const reported = reports.length
    const answer = await summary('doc-1')
    await new Promise((resolve) => setTimeout(resolve, 10)) // let a background refresh land
    const served =
      before === undefined
        ? 'computed'
        : !before.stale
          ? 'fresh'
          : answer === before.value
            ? 'stale'
            : 'recomputed'
    const time = `+${String(seconds).padStart(3)} s`
    rows.push([time, state, answer, served, reports.slice(reported).join('; ') || '-'])
  }

  await at(0, 'up') // first call: computed
  await at(30, 'up') // fresh hit
  await at(70, 'up') // stale: served at once, refreshed in the background
  await at(75, 'up') // the refreshed answer
  await at(140, 'down') // stale again; the background refresh fails
  await at(150, 'down') // within the error backoff: stale, the model is left alone
  await at(200, 'down') // past the revalidation window: the model fails, the stale answer stands in
  await at(260, 'hangs') // the model hangs: after 50 ms, the stale answer
  await at(400, 'up') // the hung call never landed; the model is back: a new answer
  await at(420, 'up') // fresh hit

  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | '))
  await cache.close()
}

void main()
