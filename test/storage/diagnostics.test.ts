import { AsyncLocalStorage } from 'node:async_hooks'
import diagnosticsChannel from 'node:diagnostics_channel'
import { Cache, FileTier, MemoryTier, withCache } from '../../src'
import { diagnosticChannels, DiagnosticsEvents } from '../../src/storage/diagnostics'
import { FunctionRecord } from '../../src/storage/function-stats'
import { FailingTier } from '../helpers/failing-tier'
import { delivered, LocalHub } from '../helpers/local-bus'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

type Name = Exclude<keyof typeof diagnosticChannels, 'compute'>
const COMPUTE_EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const

/** Subscribes to the named channels (and the compute TracingChannel) and records what arrives, in order. */
function listen(names: readonly Name[], compute = false) {
  const seen: [string, Record<string, unknown>][] = []
  const stops: (() => void)[] = []
  for (const name of names) {
    const onMessage = (message: unknown) => seen.push([name, { ...(message as object) }])
    diagnosticsChannel.subscribe(diagnosticChannels[name], onMessage)
    stops.push(() => diagnosticsChannel.unsubscribe(diagnosticChannels[name], onMessage))
  }
  if (compute) {
    const tracing = diagnosticsChannel.tracingChannel(diagnosticChannels.compute)
    const handlers = Object.fromEntries(
      COMPUTE_EVENTS.map((event) => [
        event,
        (context: object) => seen.push([`compute:${event}`, { ...context }]),
      ]),
    ) as unknown as Parameters<typeof tracing.subscribe>[0]
    tracing.subscribe(handlers)
    stops.push(() => tracing.unsubscribe(handlers))
  }
  return { seen, stop: () => stops.forEach((stop) => stop()) }
}

let listening: ReturnType<typeof listen> | undefined
let open: Cache[] = []
afterEach(async () => {
  listening?.stop()
  listening = undefined
  await Promise.all(open.map((cache) => cache.close()))
  open = []
})
const track = (cache: Cache) => (open.push(cache), cache)
const twoTiers = (dir = makeTempDir(), options = {}) =>
  track(
    new Cache({
      tiers: [new MemoryTier(), new FileTier({ dir })],
      cleanupInterval: false,
      ...options,
    }),
  )

describe('DiagnosticsEvents on a Cache', () => {
  it('publishes hits and misses with the tier by name, and the function of the key', async () => {
    const dir = makeTempDir()
    const first = twoTiers(dir)
    async function describe(id: string) {
      return `scene ${id}`
    }
    const describeVideo = withCache(describe, {
      cache: first,
      namespace: 'video',
      version: 2,
    })
    listening = listen(['hit', 'miss'])
    await describeVideo('a') // memory miss, file miss, computed
    await describeVideo('a') // memory hit
    const second = twoTiers(dir) // a restart: the value is on disk only
    const again = withCache(describe, {
      cache: second,
      namespace: 'video',
      version: 2,
    })
    await again('a')
    const key = describeVideo.keyFor('a')
    const fn = 'video:describe:v2'
    expect(listening.seen).toEqual([
      ['miss', { key, tier: 'memory', function: fn }],
      ['miss', { key, tier: 'file', function: fn }],
      ['hit', { key, tier: 'memory', function: fn }],
      ['miss', { key, tier: 'memory', function: fn }],
      ['hit', { key, tier: 'file', function: fn }],
    ])
  })

  it('publishes sets, deletes and clears, never with a value', async () => {
    const cache = twoTiers()
    listening = listen(['set', 'delete', 'clear'])
    await cache.set('user_1', { secret: 'VALUE-MARKER' })
    await cache.delete('user_1')
    await cache.clear('user_*')
    expect(listening.seen).toEqual([
      ['set', { key: 'user_1' }],
      ['delete', { key: 'user_1' }],
      ['clear', {}],
    ])
    expect(JSON.stringify(listening.seen)).not.toContain('VALUE-MARKER')
  })

  it('publishes tier failures with the tier name, the key and the StorageError', async () => {
    const cache = track(
      new Cache({
        tiers: [new MemoryTier(), new FailingTier('disk')],
        cleanupInterval: false,
        onError: () => {},
      }),
    )
    listening = listen(['error'])
    await cache.getOrSet('k', () => 1)
    const [read] = listening.seen
    expect(read?.[0]).toBe('error')
    expect(read?.[1]).toMatchObject({ tier: 'disk', key: 'k', error: { code: 'E_STORAGE' } })
  })

  it('traces each computation on tiercache:compute: start, end, asyncStart, asyncEnd with its duration, never its result', async () => {
    const cache = twoTiers()
    async function analyze(n: number) {
      return { marker: `RESULT-${n}` }
    }
    const analyzeVideo = withCache(analyze, { cache, namespace: 'video' })
    listening = listen([], true)
    await analyzeVideo(1)
    await analyzeVideo(1) // a hit: no computation
    const events = listening.seen.map(([name]) => name)
    expect(events).toEqual([
      'compute:start',
      'compute:end',
      'compute:asyncStart',
      'compute:asyncEnd',
    ])
    const last = listening.seen.at(-1)![1]
    expect(last).toMatchObject({
      key: analyzeVideo.keyFor(1),
      function: 'video:analyze:v1',
      refresh: false,
    })
    expect(last.durationMs).toEqual(expect.any(Number))
    expect(last.durationMs).toBeGreaterThanOrEqual(0)
    expect(JSON.stringify(listening.seen)).not.toContain('RESULT-')
    await analyzeVideo.refresh(1)
    expect(listening.seen.at(-1)![1]).toMatchObject({ refresh: true })
  })

  it('traces a failed computation through error, and the caller still gets the rejection', async () => {
    const cache = twoTiers()
    listening = listen([], true)
    const failure = new Error('model crashed')
    await expect(cache.getOrSet('k', () => Promise.reject(failure))).rejects.toBe(failure)
    await expect(
      cache.getOrSet('sync', () => {
        throw failure
      }),
    ).rejects.toBe(failure)
    const names = listening.seen.map(([name]) => name)
    expect(names).toEqual([
      'compute:start',
      'compute:end',
      'compute:error',
      'compute:asyncStart',
      'compute:asyncEnd',
      'compute:start',
      'compute:error',
      'compute:end',
    ])
    expect(listening.seen[2]![1]).toMatchObject({ key: 'k', error: failure })
  })

  it('runs the computation inside the stores bound to the start channel (an APM tool’s active span)', async () => {
    const cache = track(new Cache({ tiers: [new MemoryTier()], cleanupInterval: false }))
    const store = new AsyncLocalStorage<string>()
    const start = diagnosticsChannel.channel(`tracing:${diagnosticChannels.compute}:start`)
    start.bindStore(store, (context) => `span for ${(context as { key: string }).key}`)
    try {
      const seen = await cache.getOrSet('k', async () => store.getStore())
      expect(seen).toBe('span for k')
    } finally {
      start.unbindStore(store)
    }
  })

  it("keeps the caller's promise the computation's own on a memory-only cache, with a subscriber", async () => {
    const cache = track(new Cache({ tiers: [new MemoryTier()], cleanupInterval: false }))
    listening = listen([], true)
    const computed = Promise.resolve(5)
    expect(cache.getOrSet('k', () => computed)).toBe(computed)
    await computed
  })

  it('redacts keys with a function, in messages and in error texts, and leaves function ids readable', async () => {
    const cache = track(
      new Cache({
        tiers: [new MemoryTier(), new FailingTier('disk')],
        cleanupInterval: false,
        onError: () => {},
        redactKeys: (key) => key.replace(/user_\d+/, 'user_*'),
      }),
    )
    const profile = withCache(
      async function profile(id: string) {
        return id
      },
      { cache, namespace: 'user_42' },
    )
    listening = listen(['miss', 'error'])
    await cache.getOrSet('user_42_profile', () => 1)
    await profile('x')
    const text = JSON.stringify(listening.seen)
    expect(text).not.toContain('user_42_profile')
    expect(listening.seen[0]).toEqual(['miss', { key: 'user_*_profile', tier: 'memory' }])
    const error = listening.seen.find(([name]) => name === 'error')![1]
    expect(error.key).toBe('user_*_profile')
    expect((error.error as { message: string }).message).toContain('user_*_profile')
    expect(listening.seen.some(([, m]) => m.function === 'user_42:profile:v1')).toBe(true)
  })

  it('redacts keys with a hash when redactKeys is true: equal keys, equal hashes', async () => {
    const cache = track(
      new Cache({ tiers: [new MemoryTier()], cleanupInterval: false, redactKeys: true }),
    )
    listening = listen(['miss'])
    await cache.get('alice@example.com')
    await cache.get('alice@example.com')
    await cache.get('bob@example.com')
    const keys = listening.seen.map(([, m]) => m.key as string)
    expect(keys[0]).toMatch(/^#[\w-]{16}$/)
    expect(keys[1]).toBe(keys[0])
    expect(keys[2]).not.toBe(keys[0])
  })

  it('builds no message when no one listens: the redactor is never called', async () => {
    const redact = jest.fn((key: string) => key)
    const cache = twoTiers(makeTempDir(), { redactKeys: redact })
    listening = listen(['set']) // listening elsewhere changes nothing for the other channels
    await cache.getOrSet('k', () => 1)
    await cache.get('k')
    expect(redact.mock.calls).toEqual([['k']]) // the one set
  })

  it('rejects a redactKeys option that is neither a boolean nor a function', () => {
    expect(() => new Cache({ redactKeys: 'yes' as never })).toThrow(/redactKeys option/)
  })

  it('publishes bus messages sent and received, with the key or the pattern', async () => {
    const hub = new LocalHub()
    const [a, b] = [1, 2].map(() =>
      track(new Cache({ tiers: [new MemoryTier()], bus: hub.bus(), cleanupInterval: false })),
    ) as [Cache, Cache]
    listening = listen(['bus'])
    await a.delete('k')
    await delivered()
    await b.clear('video_*')
    await delivered()
    hub.reconnectAll()
    expect(listening.seen).toEqual([
      ['bus', { direction: 'sent', key: 'k' }],
      ['bus', { direction: 'received', key: 'k' }],
      ['bus', { direction: 'sent', pattern: 'video_*' }],
      ['bus', { direction: 'received', pattern: 'video_*' }],
      ['bus', { direction: 'received', reconnected: true }],
      ['bus', { direction: 'received', reconnected: true }],
    ])
  })
})

describe('DiagnosticsEvents for the stale, refresh, timeout and lease events', () => {
  it('publishes each on its channel, with the key, the tier or phase, and the function', () => {
    const owner = new FunctionRecord('video:describe:v1', 2)
    const events = new DiagnosticsEvents(['memory', 'redis'], { ownerOf: () => owner })
    listening = listen(['stale', 'refresh', 'timeout', 'lease'])
    const failure = new Error('down')
    events.staleServed(1, 'k', 'error')
    events.refresh('k', 'fail', failure)
    events.timeout('k', 'soft')
    events.lease('k', 'waited')
    const fn = 'video:describe:v1'
    expect(listening.seen).toEqual([
      ['stale', { key: 'k', tier: 'redis', reason: 'error', function: fn }],
      ['refresh', { key: 'k', phase: 'fail', error: failure, function: fn }],
      ['timeout', { key: 'k', kind: 'soft', function: fn }],
      ['lease', { key: 'k', phase: 'waited', function: fn }],
    ])
  })
})
