/**
 * Scenario 9: the Redis tier and the invalidation bus, on a redis-server the bench starts on a free
 * loopback port (skipped, with a note, when none is installed). 9a/9b: a cache of the Redis tier alone
 * (memory cold), 1 KB records, against raw node-redis and bentocache's Redis L2 (ioredis). 9c: bus latency,
 * from delete() resolving in one process to the memory copy being gone in three others.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { createClient } from 'redis'
import * as lib from '../src'
import { RedisTier } from '../src/redis'
import { ownClientOptions } from '../src/redis/node-redis'
import { startRedisServer, type RedisServer } from '../test/helpers/redis-server'
import { contender, randomOrder, record1K, typeName, type Record1K } from './fixtures'
import {
  formatRatio,
  timed,
  type Contender,
  type ContenderResult,
  type Profile,
  type Scenario,
  type Verdict,
} from './harness'
import { installedVersion, label, type Peers } from './peers'

let server: Promise<RedisServer> | undefined
const redisUrl = async () => (await (server ??= startRedisServer())).url

/** Stops the bench's redis-server, if one was started. */
export async function stopRedis(): Promise<void> {
  const started = server
  server = undefined
  if (started) await (await started).stop()
}

const TIERCACHE = 'tiercache (RedisTier alone)'
const bento = (all: readonly ContenderResult[]) => all.find((r) => r.name.startsWith('bentocache'))

interface RedisStore {
  set(key: string, value: Record1K): Promise<unknown>
  get(key: string): Promise<unknown>
  close(): Promise<unknown>
}

interface StoreSpec {
  name: string
  baseline?: boolean
  note?: string
  open(url: string, prefix: string): Promise<RedisStore>
}

/** A raw node-redis store: GET + JSON.parse, SET … PXAT; one round trip each, as tiercache's. */
async function rawNodeRedis(options: object, prefix: string): Promise<RedisStore> {
  const client = createClient(options)
  await client.connect()
  return {
    set: (key, value) =>
      client.set(prefix + key, JSON.stringify(value), {
        expiration: { type: 'PXAT', value: Date.now() + 3_600_000 },
      }),
    get: async (key) => {
      const text = await client.get(prefix + key)
      return text === null ? undefined : JSON.parse(text)
    },
    close: () => client.close(),
  }
}

function stores(peers: Peers): StoreSpec[] {
  const specs: StoreSpec[] = [
    {
      // Like with like: the client options tiercache's own client uses (RESP2, no offline queue, no
      // per-command timer), so the ratio is what tiercache adds on top of one GET or SET.
      name: 'raw node-redis GET + JSON.parse / SET … PXAT (baseline)',
      baseline: true,
      note: "tiercache's client options",
      open: (url, prefix) => rawNodeRedis(ownClientOptions(url, 1_000), prefix),
    },
    {
      name: 'raw node-redis, default client options',
      note: 'a 5 s AbortSignal.timeout per command',
      open: (url, prefix) => rawNodeRedis({ url }, prefix),
    },
    {
      name: `raw ioredis ${installedVersion('ioredis')} GET + JSON.parse / SET … PX`,
      note: "bentocache's client, default options",
      async open(url, prefix) {
        const { Redis } = await import('ioredis')
        const client = new Redis({ host: '127.0.0.1', port: Number(new URL(url).port) })
        return {
          set: (key, value) => client.set(prefix + key, JSON.stringify(value), 'PX', 3_600_000),
          get: async (key) => {
            const text = await client.get(prefix + key)
            return text === null ? undefined : JSON.parse(text)
          },
          close: () => client.quit(),
        }
      },
    },
    {
      name: TIERCACHE,
      note: 'typed codec: Date, Buffer, Map … round-trip',
      async open(url, prefix) {
        const cache = new lib.Cache({
          tiers: [new RedisTier({ url, prefix })],
          ttl: 3600,
          cleanupInterval: false,
        })
        return {
          set: (key, value) => cache.set(key, value),
          get: (key) => cache.get(key),
          close: () => cache.close(),
        }
      },
    },
  ]
  if (peers.bentocache && peers.bentoRedis) {
    const { BentoCache, bentostore } = peers.bentocache
    const { redisDriver } = peers.bentoRedis
    specs.push({
      name: label(peers, 'bentocache', '(Redis L2 driver, ioredis)'),
      async open(url, prefix) {
        const store = bentostore().useL2Layer(
          redisDriver({
            connection: { host: '127.0.0.1', port: Number(new URL(url).port) },
            prefix,
          }),
        )
        const cache = new BentoCache({ default: 'redis', stores: { redis: store }, ttl: '1h' })
        return {
          set: (key, value) => cache.set({ key, value }),
          get: (key) => cache.get({ key }),
          close: () => cache.disconnect(),
        }
      },
    })
  }
  return specs
}

function checkRecord(verdict: Verdict, got: unknown, expected: Record1K): void {
  if (got === null || typeof got !== 'object') verdict.fail(`wrong type: ${typeName(got)}`)
  else if (!isDeepStrictEqual(got, expected)) verdict.fail(`wrong value for ${expected.key}`)
}

function getSet(peers: Peers, profile: Profile, random: () => number, op: 'get' | 'set'): Scenario {
  const keys = profile.fileKeys
  const values = Array.from({ length: keys }, (_, k) => record1K(k))
  const order = randomOrder(1 << 16, keys, random)
  const contenders = stores(peers).map((spec, index): Contender => {
    let store: RedisStore
    let cursor = 0
    let lastWritten: number[] = []
    return contender({
      name: spec.name,
      baseline: spec.baseline,
      note: spec.note,
      async setup(verdict) {
        store = await spec.open(await redisUrl(), `bench${op}${index}:`)
        if (op === 'get') {
          for (let k = 0; k < keys; k++) await store.set(`video_${k}`, values[k]!)
          for (let k = 0; k < 3; k++)
            checkRecord(verdict, await store.get(`video_${k}`), values[k]!)
        }
      },
      async batch(ops, verdict) {
        if (op === 'get') {
          const got: unknown[] = new Array(ops)
          const asked = new Uint32Array(ops)
          const sample = await timed(ops, async () => {
            for (let i = 0; i < ops; i++) {
              const k = order[cursor++ & (order.length - 1)]!
              asked[i] = k
              got[i] = await store.get(`video_${k}`)
            }
          })
          for (let i = 0; i < ops; i++) checkRecord(verdict, got[i], values[asked[i]!]!)
          return sample
        }
        lastWritten = []
        return timed(ops, async () => {
          for (let i = 0; i < ops; i++) {
            const k = cursor++ % keys
            await store.set(`video_${k}`, values[k]!)
            if (i >= ops - 3) lastWritten.push(k)
          }
        })
      },
      async after(verdict) {
        for (const k of lastWritten) checkRecord(verdict, await store.get(`video_${k}`), values[k]!)
      },
      teardown: async () => void (await store?.close()),
    })
  })
  return {
    id: op === 'get' ? '9a' : '9b',
    title:
      op === 'get'
        ? `Redis tier hit, memory cold: get of 1 KB JSON, ${keys} keys`
        : `Redis tier set of 1 KB JSON, ${keys} keys`,
    contenders,
    minOps: 20,
    maxOps: 20_000,
    targets: [
      {
        text: op === 'get' ? '≤ 1.2× raw GET + JSON.parse' : '≤ 1.2× raw SET … PXAT',
        contender: TIERCACHE,
        maxRatio: 1.2,
      },
      ...(op === 'get'
        ? [
            {
              text: "ahead of bentocache's Redis L2",
              contender: TIERCACHE,
              judge: (r: ContenderResult, all: readonly ContenderResult[]) =>
                (r.ratio ?? Infinity) < (bento(all)?.ratio ?? -Infinity),
              show: (r: ContenderResult, all: readonly ContenderResult[]) =>
                `${formatRatio(r.ratio)} vs ${formatRatio(bento(all)?.ratio)}`,
            },
          ]
        : []),
    ],
    notes: [
      'One connection per contender, on a redis-server the bench started on loopback; sequential awaits (one command in flight).',
    ],
  }
}

/** Scenario 9c: 4 processes (A deletes; B, C, D hold memory copies), and the raw Pub/Sub baseline. */
function busLatency(profile: Profile): Scenario {
  const perBatch = profile.name === 'tiny' ? 20 : 200
  let children: ChildProcess[] = []
  const replies = new Map<ChildProcess, ((reply: unknown) => void)[]>()
  const ask = (child: ChildProcess, command: object) =>
    new Promise<unknown>((resolve) => {
      replies.get(child)!.push(resolve)
      child.send(command)
    })
  const start = async () => {
    if (children.length) return
    const url = await redisUrl()
    const prefix = `bus${process.pid}:`
    children = ['A', 'B', 'B', 'B'].map((role) =>
      fork(join(__dirname, 'children', 'bus-latency.ts'), [url, role, prefix, `${prefix}bus`], {
        execArgv: ['-r', 'ts-node/register/transpile-only'],
      }),
    )
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            replies.set(child, [])
            child.once('exit', () => reject(new Error('bus-latency child exited')))
            child.on('message', (message: { ready?: true; reply?: unknown; error?: string }) => {
              if (message.ready) return resolve()
              replies.get(child)!.shift()?.(
                message.error ? new Error(message.error) : message.reply,
              )
            })
          }),
      ),
    )
    await new Promise((resolve) => setTimeout(resolve, 200)) // subscriptions under way
  }
  const percentiles = (latencies: number[]) => {
    const sorted = [...latencies].sort((a, b) => a - b)
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
    return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! }
  }
  let round = 0
  const measure = async (verdict: Verdict, raw: boolean) => {
    await start()
    const [a, ...bs] = children as [ChildProcess, ...ChildProcess[]]
    const keys = Array.from({ length: perBatch }, (_, i) => `lat_${round}_${i}`)
    round++
    let sent: number[]
    if (raw) sent = (await ask(a, { cmd: 'raw', count: perBatch, gapMs: 2 })) as number[]
    else {
      await ask(a, { cmd: 'fill', keys })
      await new Promise((resolve) => setTimeout(resolve, 20)) // the fill's own messages go by
      for (const b of bs)
        if (!(await ask(b, { cmd: 'load', keys })))
          verdict.fail('a receiver could not load its copies')
      sent = (await ask(a, { cmd: 'delete', keys, gapMs: 2 })) as number[]
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
    const latencies: number[] = []
    for (const b of bs) {
      const seen = (await ask(b, { cmd: 'collect' })) as {
        gone: Record<string, number>
        raw: Record<string, number>
      }
      sent.forEach((at, i) => {
        const arrived = raw ? seen.raw[String(i)] : seen.gone[keys[i]!]
        if (arrived === undefined) verdict.fail(`message ${i} never arrived`)
        else latencies.push(Math.max(0, arrived - at))
      })
    }
    const { p50, p99, max } = percentiles(latencies)
    const total = latencies.reduce((sum, ms) => sum + ms, 0)
    return { ms: total, ops: latencies.length, extra: { p50, p99, max } }
  }
  return {
    id: '9c',
    title:
      'bus invalidation latency, 4 processes: delete() resolved in A → memory copy gone in B, C, D',
    unit: 'delivery',
    fixedOps: perBatch * 3,
    rounds: profile.name === 'tiny' ? 1 : 5,
    inChildProcess: true,
    contenders: [
      contender({
        name: 'raw node-redis PUBLISH → subscriber (baseline)',
        baseline: true,
        batch: (_ops, verdict) => measure(verdict, true),
      }),
      contender({
        name: 'tiercache RedisBus',
        batch: (_ops, verdict) => measure(verdict, false),
        teardown: async () => {
          await Promise.all(children.map((child) => ask(child, { cmd: 'exit' })))
          for (const child of children) child.kill()
          children = []
        },
      }),
    ],
    describe: (r) =>
      r.extra.p50
        ? `p50 ${r.extra.p50.median.toFixed(2)} ms, p99 ${r.extra.p99!.median.toFixed(2)} ms, max ${r.extra.max!.max.toFixed(1)} ms`
        : undefined,
    targets: [
      {
        text: 'p50 ≤ 2 ms',
        contender: 'tiercache RedisBus',
        judge: (r) => (r.extra.p50?.median ?? Infinity) <= 2,
        show: (r) => (r.extra.p50 ? `${r.extra.p50.median.toFixed(2)} ms` : 'n/a'),
      },
      {
        text: 'p99 ≤ 10 ms',
        contender: 'tiercache RedisBus',
        judge: (r) => (r.extra.p99?.median ?? Infinity) <= 10,
        show: (r) => (r.extra.p99 ? `${r.extra.p99.median.toFixed(2)} ms` : 'n/a'),
      },
    ],
    notes: [
      `${perBatch} deletes per round, 2 ms apart, each seen by 3 receivers; times on the system-wide monotonic clock. The per-op figure is the mean latency. The baseline is a bare PUBLISH from A to plain subscribers in B, C, D.`,
    ],
  }
}

/** The Redis scenarios, or none (and a note in `peers.skipped`) when redis-server is not installed. */
export function redisScenarios(
  peers: Peers,
  profile: Profile,
  random: () => number,
  only: (id: string) => boolean,
): Scenario[] {
  if (!only('9a') && !only('9b') && !only('9c')) return []
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    peers.skipped['redis-server'] = 'not installed: scenarios 9a–9c (Redis tier, bus) skipped'
    return []
  }
  return [
    getSet(peers, profile, random, 'get'),
    getSet(peers, profile, random, 'set'),
    busLatency(profile),
  ]
}
