/**
 * `npm run demo:fleet`: four worker processes share one Redis tier and an invalidation bus. A segment one
 * worker computed is served to the others from Redis; an invalidation on one worker reaches them all; when all
 * four ask for a new segment at once, one computes it under the fleet lease and the others wait for it. Uses
 * REDIS_URL, or starts a throwaway redis-server on a free port when one is installed.
 */
import { spawn, type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from 'redis'
import { Cache, MemoryTier, withCache } from '../src'
import { RedisBus, RedisTier } from '../src/redis'

type Row = { step: string; worker: string; call: string; servedFrom: string }
type Command = { call: 'analyze' | 'invalidate' | 'holds'; segment: number }

/** A worker: memory → Redis, a bus, and one cached function. Answers the parent's commands over IPC. */
async function worker(name: string, url: string, prefix: string) {
  const cache = new Cache({
    tiers: [new MemoryTier(), new RedisTier({ url, prefix })],
    bus: new RedisBus({ url, channel: `${prefix}bus` }),
    cleanupInterval: false,
  })
  const analyze = withCache(
    async (segment: number) => {
      await new Promise((resolve) => setTimeout(resolve, 100)) // the slow model
      return { segment, objects: ['cat', 'tree'], by: name }
    },
    { cache, key: (segment) => `segment_${segment}` },
  )
  process.on('message', (command: Command | 'exit') => {
    void (async () => {
      if (command === 'exit') {
        await cache.close()
        return process.disconnect()
      }
      if (command.call === 'invalidate') {
        await analyze.invalidate(command.segment)
        return process.send!({ servedFrom: 'invalidated here' })
      }
      if (command.call === 'holds')
        return process.send!({
          servedFrom: cache.memoryCache.has(`segment_${command.segment}`)
            ? 'memory copy'
            : 'no copy',
        })
      const before = await cache.stats()
      const value = await analyze(command.segment)
      const after = await cache.stats()
      const tier = Object.keys(after.hits).find(
        (tierName) => after.hits[tierName]! > (before.hits[tierName] ?? 0),
      )
      // A waiter on another worker's lease gets the value from Redis once it is stored.
      const waited = after.leases.waited > before.leases.waited ? `, waited on ${value.by}` : ''
      process.send!({
        servedFrom: tier ? `${tier}${waited}` : `computed (by ${value.by})`,
        computedBy: value.by,
      })
    })()
  })
  process.send!({ ready: true })
}

/** A throwaway redis-server on a free port, or undefined when none is installed. */
async function startRedis(): Promise<{ url: string; stop(): void } | undefined> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number }
      probe.close(() => resolve(free))
    })
  })
  const dir = mkdtempSync(join(tmpdir(), 'tiercache-fleet-'))
  const server: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  )
  const missing = new Promise<undefined>((resolve) =>
    server.once('error', () => resolve(undefined)),
  )
  const url = `redis://127.0.0.1:${port}`
  const stop = () => {
    server.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  const up = (async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const client = createClient({ url, socket: { reconnectStrategy: false } })
      client.on('error', () => {})
      try {
        await client.connect()
        client.destroy()
        return { url, stop }
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    stop()
    return undefined
  })()
  const started = await Promise.race([up, missing])
  if (started === undefined) rmSync(dir, { recursive: true, force: true })
  return started
}

async function main() {
  const [mode, name, url, workerPrefix] = process.argv.slice(2)
  if (mode === '--worker') return worker(name!, url!, workerPrefix!)

  const local = process.env.REDIS_URL ? undefined : await startRedis()
  const redisUrl = process.env.REDIS_URL ?? local?.url
  if (redisUrl === undefined) {
    console.log('fleet demo skipped: no Redis (set REDIS_URL, or install redis-server)')
    return
  }
  const prefix = `tc-fleet-demo-${process.pid}:`
  const names = ['worker 1', 'worker 2', 'worker 3', 'worker 4']
  const workers = names.map((workerName) =>
    fork(__filename, ['--worker', workerName, redisUrl, prefix], { execArgv: process.execArgv }),
  )
  const answer = (child: ChildProcess) =>
    new Promise<{ servedFrom: string; computedBy?: string }>((resolve) =>
      child.once('message', resolve as never),
    )
  /** Per segment, the workers whose calls computed it (one entry per computation). */
  const computedBy = new Map<number, string[]>()
  await Promise.all(workers.map(answer)) // ready (subscribed shortly after)
  await new Promise((resolve) => setTimeout(resolve, 200))

  const rows: Row[] = []
  const ask = async (step: string, index: number, command: Command) => {
    const reply = answer(workers[index]!)
    workers[index]!.send(command)
    const call =
      command.call === 'analyze'
        ? `analyze(${command.segment})`
        : `${command.call}(${command.segment})`
    const { servedFrom } = await reply
    rows.push({ step, worker: names[index]!, call, servedFrom })
    if (command.call === 'analyze' && servedFrom.startsWith('computed'))
      computedBy.set(command.segment, [...(computedBy.get(command.segment) ?? []), names[index]!])
  }
  const everyone = async (step: string, command: Command) => {
    for (let i = 0; i < workers.length; i++) await ask(step, i, command)
  }

  await ask('1. compute', 0, { call: 'analyze', segment: 7 })
  await everyone('2. share', { call: 'analyze', segment: 7 })
  await everyone('2. copies', { call: 'holds', segment: 7 })
  await ask('3. invalidate', 1, { call: 'invalidate', segment: 7 })
  await new Promise((resolve) => setTimeout(resolve, 50))
  await everyone('4. reached all', { call: 'holds', segment: 7 })
  await ask('5. recompute', 2, { call: 'analyze', segment: 7 })
  await everyone('6. share again', { call: 'analyze', segment: 7 })
  // All four at once, for segments nobody computed yet: one computation each, under the fleet lease.
  for (const segment of [8, 9])
    await Promise.all(workers.map((_, i) => ask(`7. all at once`, i, { call: 'analyze', segment })))

  for (const child of workers) child.send('exit')
  await Promise.all(workers.map((child) => new Promise((resolve) => child.once('exit', resolve))))
  if (local) {
    // A Redis of our own: nothing of the demo outlives it.
    local.stop()
  } else {
    const tier = new RedisTier({ url: redisUrl, prefix })
    await tier.clear()
    await tier.close()
  }

  console.log(
    `tiercache fleet demo: 4 processes, memory → Redis (${local ? 'a local redis-server' : 'REDIS_URL'}) + a bus\n`,
  )
  const widths = [16, 10, 16, 28]
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')
  console.log(line(['step', 'worker', 'call', 'served from']))
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  for (const row of rows) console.log(line([row.step, row.worker, row.call, row.servedFrom]))

  console.log('\ncomputations per segment (step 5 recomputed 7 after its invalidation)')
  for (const [segment, by] of [...computedBy].sort(([a], [b]) => a - b))
    console.log(`segment ${segment}: computed ${by.length}× (by ${by.join(', ')})`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
