/**
 * One process of the lease tests: a Cache over a shared folder (memory → file), or memory → own file tier →
 * Redis with a bus (a fleet member), and one cached function for the key `segment`. The function appends this
 * pid to `runsFile` when it starts (so the parent counts runs across processes and can kill the holder), then
 * works for `computeMs`; with `rejectOnce`, the first run of all (claimed with O_EXCL) rejects.
 * argv: JSON of WorkerOptions. IPC: sends {ready}; on {go} makes `calls` concurrent calls and sends {done};
 * with `reportWaiting`, sends {waiting} once this process waits on another holder's lease.
 */
import { appendFileSync, closeSync, existsSync, openSync } from 'node:fs'
import { Cache, FileTier, MemoryTier, withCache, type CacheStats, type Tier } from '../../src'
import { RedisBus, RedisTier } from '../../src/redis'

export interface WorkerOptions {
  dir: string
  runsFile: string
  computeMs: number
  calls: number
  leaseTtl?: number
  maxWait?: number
  rejectOnce?: string
  /** The first run of all (claimed with O_EXCL at this path + '.claim') works until this file exists. */
  holdUntil?: string
  reportWaiting?: boolean
  /** A fleet member: its own file tier at `dir`, then Redis at this url. */
  redis?: { url: string; prefix: string; channel: string }
}

export interface WorkerResult {
  done: true
  values: string[]
  errors: string[]
  leases: CacheStats['leases']
  storageErrors: string[]
}

const options = JSON.parse(process.argv[2]!) as WorkerOptions
const storageErrors: string[] = []
const tiers: Tier[] = [new MemoryTier(), new FileTier({ dir: options.dir })]
if (options.redis)
  tiers.push(new RedisTier({ url: options.redis.url, prefix: options.redis.prefix }))
const cache = new Cache({
  tiers,
  bus: options.redis
    ? new RedisBus({ url: options.redis.url, channel: options.redis.channel })
    : undefined,
  cleanupInterval: false,
  leaseTtl: options.leaseTtl === undefined ? undefined : `${options.leaseTtl}ms`,
  maxWait: options.maxWait === undefined ? undefined : `${options.maxWait}ms`,
  onError: (error) => storageErrors.push(error.message),
})

const segment = withCache(
  async (id: number) => {
    appendFileSync(options.runsFile, `${process.pid}\n`)
    await new Promise((resolve) => setTimeout(resolve, options.computeMs))
    if (options.holdUntil && claim(`${options.holdUntil}.claim`))
      while (!existsSync(options.holdUntil)) await new Promise((resolve) => setTimeout(resolve, 10))
    if (options.rejectOnce && claim(options.rejectOnce)) throw new Error('the model crashed')
    return `segment ${id} by ${process.pid}`
  },
  { cache, key: (id) => `segment_${id}` },
)

function claim(path: string): boolean {
  try {
    closeSync(openSync(path, 'wx'))
    return true
  } catch {
    return false
  }
}

async function reportWhenWaiting(): Promise<void> {
  while ((await cache.stats()).leases.waited === 0)
    await new Promise((resolve) => setTimeout(resolve, 20))
  process.send!({ waiting: true })
}

process.on('message', (message: { go?: true }) => {
  if (!message.go) return
  void (async () => {
    if (options.reportWaiting) void reportWhenWaiting()
    const outcomes = await Promise.allSettled(
      Array.from({ length: options.calls }, () => segment(1)),
    )
    const result: WorkerResult = {
      done: true,
      values: outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : [])),
      errors: outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : [])),
      leases: (await cache.stats()).leases,
      storageErrors,
    }
    await cache.close()
    process.send!(result, () => process.disconnect())
  })()
})
process.send!({ ready: true })
