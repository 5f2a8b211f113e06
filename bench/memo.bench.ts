/**
 * Scenarios 1–4: memoizing an async function. Every contender wraps its own copy of the same function, so
 * each can count how often its function really ran (a hit that ran the function is a failure, a miss that
 * did not is one too, and the stampede scenario reports the count itself).
 *
 * Keys: peers that take a key from the caller get `JSON.stringify(args)`, the baseline's own key; peers that
 * build keys themselves (memoizee for primitives, cacheable's `wrap`) use their default.
 */
import { Cache, MemoryTier, withCache } from '../src'
import { FakeClock } from '../src/testing'
import { contender, randomOrder, rawAtomicWrite, scratchDir, sleep, typeName } from './fixtures'
import { timed, type Contender, type Profile, type Scenario, type Verdict } from './harness'
import { freshLoops } from './loops'
import { label, type Peers } from './peers'

interface Segment {
  videoId: string
  segmentId: number
  fps: number
  frames: number
}

interface SegmentQuery {
  videoId: string
  opts: { fps: number; model: string }
}

/** The memoized function's own body: cheap, so the cache's overhead is what is measured. */
function source<A extends unknown[], R>(body: (...args: A) => R) {
  const src = {
    runs: 0,
    /** Named, because tiercache and cacheable put the function's name in their keys. */
    fn: async function getSegment(...args: A): Promise<R> {
      src.runs++
      return body(...args)
    },
  }
  // The declared arity of the real function: memoizee (like fn.length-based memoizers) keys on that many arguments.
  Object.defineProperty(src.fn, 'length', { value: body.length })
  return src
}

const segmentOf = (videoId: string, segmentId: number): Segment => ({
  videoId,
  segmentId,
  fps: 30,
  frames: segmentId * 120,
})
const segmentOfQuery = (q: SegmentQuery): Segment => ({
  videoId: q.videoId,
  segmentId: 0,
  fps: q.opts.fps,
  frames: q.opts.model.length,
})

/** A memoized function and how to release its cache. */
interface Memoized<A extends unknown[], R> {
  call: (...args: A) => Promise<R>
  close?: () => Promise<unknown>
}

/** One way of memoizing: the baseline, tiercache, or a peer used as its documentation shows. */
interface Memoizer {
  name: string
  baseline?: boolean
  note?: string
  /** Whether a reordered object argument must still hit (tiercache promises it; the others are not asked to). */
  requiresKeyOrderFree?: boolean
  make<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Memoized<A, R>
}

const jsonKey = (args: readonly unknown[]) => JSON.stringify(args)

/** The issue's baseline: a plain Map keyed by `JSON.stringify(args)`, holding the promise. */
const rawMap: Memoizer = {
  name: 'raw Map (baseline)',
  baseline: true,
  make(fn) {
    const map = new Map<string, Promise<never>>()
    return {
      call: (...args) => {
        const key = JSON.stringify(args)
        let promise = map.get(key)
        if (promise === undefined) {
          promise = fn(...args) as Promise<never>
          map.set(key, promise)
        }
        return promise
      },
    }
  },
}

/**
 * withCache under staleWhileRevalidate, on entries that are fresh, or all stale: once every key was computed,
 * the clock moves past their ttl, and each later call is a stale hit that finds its key's refresh under way
 * (the refresh never lands; it does not call the counted function).
 */
function freshnessMemoizer(state: 'fresh' | 'stale', keys: number, capacity: number): Memoizer {
  return {
    name: `tiercache, ${state} hit (staleWhileRevalidate)`,
    note: state === 'stale' ? 'every entry stale, its refresh under way' : 'entries fresh',
    make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
      const clock = new FakeClock()
      const cache = new Cache({
        tiers: [new MemoryTier({ maxEntries: capacity, clock })],
        clock,
        cleanupInterval: false,
      })
      let computed = 0
      const seen: A[] = []
      const source = (...args: A): Promise<R> => {
        if (computed === keys) return new Promise<R>(() => {}) // a refresh: never lands
        seen.push(args)
        if (++computed === keys && state === 'stale') {
          clock.advance(60_001)
          // Each key's first stale hit starts its refresh: done here, so the batches time steady stale hits.
          setImmediate(() => seen.splice(0).forEach((a) => void call(...a)))
        }
        return fn(...args)
      }
      const call = withCache(source, {
        cache,
        namespace: 'video',
        ttl: 60,
        staleWhileRevalidate: '1h',
      })
      return { call, close: () => cache.close() }
    },
  }
}

function memoryMemoizers(
  peers: Peers,
  profile: Profile,
  objectArgs: boolean,
  withFreshness = false,
): Memoizer[] {
  const capacity = profile.memoryKeys * 2
  const freshness = withFreshness
    ? (['fresh', 'stale'] as const).map((state) =>
        freshnessMemoizer(state, profile.memoryKeys, capacity),
      )
    : []
  const list: Memoizer[] = [
    rawMap,
    {
      name: 'tiercache',
      requiresKeyOrderFree: true,
      make(fn) {
        const cache = new Cache({
          tiers: [new MemoryTier({ maxEntries: capacity })],
          cleanupInterval: false,
        })
        return { call: withCache(fn, { cache, namespace: 'video' }), close: () => cache.close() }
      },
    },
  ]
  list.push(...freshness)
  if (peers.memoizee) {
    const memoizee = peers.memoizee.default
    list.push({
      name: label(
        peers,
        'memoizee',
        objectArgs ? '(promise, normalizer: JSON.stringify)' : '(promise, primitive)',
      ),
      make(fn) {
        // For primitive arguments memoizee's docs recommend `primitive: true`, its fast mode.
        const options = objectArgs
          ? {
              promise: true,
              normalizer: (args: ArrayLike<unknown>) => JSON.stringify(Array.from(args)),
            }
          : { promise: true, primitive: true }
        const memo = (memoizee as unknown as (f: typeof fn, o: object) => typeof fn)(fn, options)
        return { call: memo }
      },
    })
  }
  if (peers.lruCache) {
    const { LRUCache } = peers.lruCache
    list.push({
      name: label(peers, 'lru-cache', 'fetch'),
      make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
        const lru = new LRUCache<string, R & object, unknown[]>({
          max: capacity,
          fetchMethod: (_key, _stale, { context }) => fn(...(context as A)) as Promise<R & object>,
        })
        return { call: (...args: A) => lru.fetch(jsonKey(args), { context: args }) as Promise<R> }
      },
    })
  }
  if (peers.pMemoize) {
    const pMemoize = peers.pMemoize.default
    list.push({
      name: label(peers, 'p-memoize', '(cacheKey: JSON.stringify)'),
      make(fn) {
        return { call: pMemoize(fn, { cacheKey: jsonKey }) as typeof fn }
      },
    })
  }
  if (peers.cacheManager && peers.keyv) {
    const { createCache } = peers.cacheManager
    const { Keyv } = peers.keyv
    list.push({
      name: label(peers, 'cache-manager', 'wrap'),
      make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
        const cm = createCache({ stores: [new Keyv()] })
        return {
          call: (...args: A) => cm.wrap(jsonKey(args), () => fn(...args)),
          close: () => cm.disconnect(),
        }
      },
    })
  }
  if (peers.cacheable) {
    const { Cacheable } = peers.cacheable
    list.push({
      name: label(peers, 'cacheable', 'wrap'),
      make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
        const cacheable = new Cacheable()
        return {
          call: cacheable.wrap(fn, {}) as (...args: A) => Promise<R>,
          close: () => cacheable.disconnect(),
        }
      },
    })
  }
  if (peers.bentocache && peers.bentoMemory) {
    const { BentoCache, bentostore } = peers.bentocache
    const { memoryDriver } = peers.bentoMemory
    list.push({
      name: label(peers, 'bentocache', 'getOrSet (memory driver)'),
      make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
        const bento = new BentoCache({
          default: 'memory',
          stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: capacity })) },
        })
        return {
          call: (...args: A) =>
            bento.getOrSet<R>({ key: jsonKey(args), factory: () => fn(...args) }),
          close: () => bento.disconnect(),
        }
      },
    })
  }
  if (objectArgs && peers.objectHash) {
    const objectHash = peers.objectHash.default
    list.push({
      name: label(peers, 'object-hash', '+ Map (the key alone)'),
      make(fn) {
        const map = new Map<string, Promise<never>>()
        return {
          call: (...args) => {
            const key = objectHash(args)
            let promise = map.get(key)
            if (promise === undefined) {
              promise = fn(...args) as Promise<never>
              map.set(key, promise)
            }
            return promise
          },
        }
      },
    })
  }
  return list
}

/** Memoizers backed by memory and files (scenario 3's second half, and the stampede). */
function fileMemoizers(peers: Peers): Memoizer[] {
  const list: Memoizer[] = [
    {
      name: 'raw Map + fs temp-and-rename (baseline)',
      baseline: true,
      note: 'Map of promises; each result written to its own file before it resolves',
      make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
        const dir = scratchDir('raw-memo')
        const map = new Map<string, Promise<R>>()
        return {
          call: (...args: A) => {
            const key = JSON.stringify(args)
            let promise = map.get(key)
            if (promise === undefined) {
              promise = fn(...args).then(async (value) => {
                await rawAtomicWrite(dir, `${encodeURIComponent(key)}.json`, JSON.stringify(value))
                return value
              })
              map.set(key, promise)
            }
            return promise
          },
        }
      },
    },
    {
      name: 'tiercache (memory + file)',
      make(fn) {
        const cache = new Cache({ cacheDir: scratchDir('tiercache-memo'), cleanupInterval: false })
        return { call: withCache(fn, { cache, namespace: 'video' }), close: () => cache.close() }
      },
    },
    {
      // The same cache without its fleet lease: what a miss pays for the lease, measured in the same rounds.
      name: 'tiercache (memory + file, lease: false)',
      make(fn) {
        const dir = scratchDir('tiercache-memo-nolease')
        const cache = new Cache({ cacheDir: dir, cleanupInterval: false, lease: false })
        return { call: withCache(fn, { cache, namespace: 'video' }), close: () => cache.close() }
      },
    },
  ]
  if (peers.cacheManager && peers.keyv && peers.keyvFile) {
    const { createCache } = peers.cacheManager
    const { Keyv } = peers.keyv
    const { KeyvFile } = peers.keyvFile
    list.push({
      name: `${label(peers, 'cache-manager', 'wrap')}, Keyv memory + ${label(peers, 'keyv-file')}`,
      note: 'keyv-file writes in place (not atomic)',
      make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
        const file = new Keyv({
          store: new KeyvFile({ filename: scratchDir('cm-keyv-file'), separatedFile: true }),
        })
        const cm = createCache({ stores: [new Keyv(), file] })
        return {
          call: (...args: A) => cm.wrap(jsonKey(args), () => fn(...args)),
          close: () => cm.disconnect(),
        }
      },
    })
  }
  if (peers.cacheable && peers.keyv && peers.keyvFile) {
    const { Cacheable } = peers.cacheable
    const { Keyv } = peers.keyv
    const { KeyvFile } = peers.keyvFile
    list.push({
      name: `${label(peers, 'cacheable', 'wrap')}, memory + ${label(peers, 'keyv-file')}`,
      note: 'keyv-file writes in place (not atomic)',
      make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
        const secondary = new Keyv({
          store: new KeyvFile({ filename: scratchDir('cacheable-keyv-file'), separatedFile: true }),
        })
        const cacheable = new Cacheable({ secondary })
        return {
          call: cacheable.wrap(fn, {}) as (...args: A) => Promise<R>,
          close: () => cacheable.disconnect(),
        }
      },
    })
  }
  if (peers.bentocache && peers.bentoMemory && peers.bentoFile) {
    const { BentoCache, bentostore } = peers.bentocache
    const { memoryDriver } = peers.bentoMemory
    const { fileDriver } = peers.bentoFile
    list.push({
      name: label(peers, 'bentocache', 'getOrSet (memory + file drivers)'),
      note: 'file driver writes in place (not atomic)',
      make<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
        const store = bentostore()
          .useL1Layer(memoryDriver({ maxItems: 100_000 }))
          .useL2Layer(fileDriver({ directory: scratchDir('bento-memo'), pruneInterval: false }))
        const bento = new BentoCache({ default: 'tiered', stores: { tiered: store } })
        return {
          call: (...args: A) =>
            bento.getOrSet<R>({ key: jsonKey(args), factory: () => fn(...args) }),
          close: () => bento.disconnect(),
        }
      },
    })
  }
  return list
}

function checkSegment(verdict: Verdict, got: unknown, videoId: string, segmentId: number): void {
  const s = got as Segment | undefined
  if (s === null || typeof s !== 'object') {
    verdict.fail(`wrong type: ${typeName(got)} (expected the function's object result)`)
    return
  }
  if (s.videoId !== videoId || s.segmentId !== segmentId)
    verdict.fail(`wrong value for (${videoId}, ${segmentId}): ${JSON.stringify(s).slice(0, 80)}`)
}

// --- Scenario 1: hit, primitive arguments ---

function primitiveHit(peers: Peers, profile: Profile, random: () => number): Scenario {
  const keys = profile.memoryKeys
  const videoIds = Array.from({ length: keys }, (_, i) => `vid${Math.floor(i / 10)}`)
  const segmentIds = Array.from({ length: keys }, (_, i) => i % 10)
  const order = randomOrder(1 << 20, keys, random)

  const contenders = memoryMemoizers(peers, profile, false, true).map((m): Contender => {
    const src = source(segmentOf)
    const loops = freshLoops()
    let memo: Memoized<[string, number], Segment>
    let cursor = 0
    return contender({
      name: m.name,
      baseline: m.baseline,
      note: m.note,
      async setup(verdict) {
        memo = m.make(src.fn)
        for (let i = 0; i < keys; i++)
          checkSegment(
            verdict,
            await memo.call(videoIds[i]!, segmentIds[i]!),
            videoIds[i]!,
            segmentIds[i]!,
          )
        verdict.expect(
          src.runs === keys,
          () => `filling ${keys} keys ran the function ${src.runs} times`,
        )
      },
      async batch(ops, verdict) {
        const runsBefore = src.runs
        const wrong = (got: unknown, k: number) =>
          checkSegment(verdict, got, videoIds[k]!, segmentIds[k]!)
        const sample = await timed(ops, () =>
          loops.hitPrimitive(memo.call, order, videoIds, segmentIds, cursor, ops, wrong),
        )
        cursor += ops
        verdict.expect(
          src.runs === runsBefore,
          () => `${src.runs - runsBefore} of ${ops} hits ran the function`,
        )
        return sample
      },
      teardown: async () => void (await memo?.close?.()),
    })
  })
  return {
    id: '1',
    title: 'memory hit, withCache, primitive args (videoId, segmentId)',
    contenders,
    minOps: 256,
    targets: [{ text: '≤ 1.0× raw Map', maxRatio: 1.0 }],
    notes: [`${keys} keys, filled once, then read in a seeded random order.`],
  }
}

// --- Scenario 2: hit, a fresh-but-equal object argument ---

function objectHit(peers: Peers, profile: Profile, random: () => number): Scenario {
  const keys = profile.memoryKeys
  const videoIds = Array.from({ length: keys }, (_, i) => `vid${Math.floor(i / 8)}`)
  const fpsOf = Array.from({ length: keys }, (_, i) => [24, 25, 30, 60][i % 4]!)
  const modelOf = Array.from({ length: keys }, (_, i) => (i % 8 < 4 ? 'yolo-v8' : 'detr-r50'))
  const order = randomOrder(1 << 20, keys, random)

  const contenders = memoryMemoizers(peers, profile, true).map((m): Contender => {
    const src = source(segmentOfQuery)
    const loops = freshLoops()
    let memo: Memoized<[SegmentQuery], Segment>
    let cursor = 0
    const check = (verdict: Verdict, got: unknown, k: number) => {
      const s = got as Segment
      if (s === null || typeof s !== 'object') verdict.fail(`wrong type: ${typeName(got)}`)
      else if (s.videoId !== videoIds[k] || s.fps !== fpsOf[k])
        verdict.fail(`wrong value for key ${k}: ${JSON.stringify(s).slice(0, 80)}`)
    }
    return contender({
      name: m.name,
      baseline: m.baseline,
      note: m.note,
      async setup(verdict) {
        memo = m.make(src.fn)
        for (let k = 0; k < keys; k++)
          check(
            verdict,
            await memo.call({
              videoId: videoIds[k]!,
              opts: { fps: fpsOf[k]!, model: modelOf[k]! },
            }),
            k,
          )
        verdict.expect(
          src.runs === keys,
          () => `filling ${keys} keys ran the function ${src.runs} times`,
        )
        // Key order: the same data written in another order is the same question.
        const before = src.runs
        for (let k = 0; k < Math.min(keys, 20); k++)
          check(
            verdict,
            await memo.call({
              opts: { model: modelOf[k]!, fps: fpsOf[k]! },
              videoId: videoIds[k]!,
            }),
            k,
          )
        if (src.runs !== before) {
          if (m.requiresKeyOrderFree)
            verdict.fail(`a reordered object argument missed (${src.runs - before} of 20)`)
          else verdict.notes.add('a reordered object argument misses')
        }
      },
      async batch(ops, verdict) {
        const runsBefore = src.runs
        const sample = await timed(ops, () =>
          loops.hitObject(memo.call, order, videoIds, fpsOf, modelOf, cursor, ops, (got, k) =>
            check(verdict, got, k),
          ),
        )
        cursor += ops
        verdict.expect(
          src.runs === runsBefore,
          () => `${src.runs - runsBefore} of ${ops} hits ran the function`,
        )
        return sample
      },
      teardown: async () => void (await memo?.close?.()),
    })
  })
  return {
    id: '2',
    title: 'memory hit, withCache, fresh-but-equal object arg { videoId, opts: { fps, model } }',
    contenders,
    minOps: 256,
    targets: [{ text: '≤ 1.5× raw Map, key order must not matter', maxRatio: 1.5 }],
    notes: [
      `${keys} keys; every call builds a new object. Key order is checked untimed on 20 keys: tiercache must hit, peers keyed by JSON.stringify are expected to miss.`,
    ],
  }
}

// --- Scenario 3: miss ---

let missSeq = 0

function miss(
  memoizers: Memoizer[],
  id: string,
  title: string,
  profile: Profile,
  file: boolean,
): Scenario {
  const contenders = memoizers.map((m): Contender => {
    const src = source(segmentOf)
    const loops = freshLoops()
    let memo: Memoized<[string, number], Segment> | undefined
    return contender({
      name: m.name,
      baseline: m.baseline,
      note: m.note,
      // A fresh, empty cache for every batch: each call is a miss, and no cache grows without end.
      async prepare() {
        await memo?.close?.()
        memo = m.make(src.fn)
      },
      async batch(ops, verdict) {
        const call = memo!.call
        const runsBefore = src.runs
        const first = missSeq
        missSeq += ops
        const sample = await timed(ops, () =>
          loops.missPrimitive(call, first, ops, (got, n) => checkSegment(verdict, got, `m${n}`, n)),
        )
        verdict.expect(
          src.runs - runsBefore === ops,
          () => `${ops} misses ran the function ${src.runs - runsBefore} times`,
        )
        return sample
      },
      teardown: async () => void (await memo?.close?.()),
    })
  })
  return {
    id,
    title,
    contenders,
    minOps: file ? 16 : 256,
    maxOps: file ? 2_000 : profile.memoryKeys,
    targets: file ? [] : [{ text: '≤ 2× raw Map', maxRatio: 2 }],
    notes: file
      ? [
          'Every call is a new key; the call resolves once the result is on disk (tiercache awaits the file tier; so does the baseline). A fresh cache per batch.',
        ]
      : [
          `Every call is a new key, on a fresh cache per batch (at most ${profile.memoryKeys} calls per batch, so no bounded cache evicts).`,
        ],
  }
}

// --- Scenario 4: stampede ---

function stampede(peers: Peers, profile: Profile): Scenario {
  const calls = profile.stampedeCalls
  const naive: Memoizer = {
    name: 'Map get-then-set (no single-flight)',
    note: 'the plain get/set pattern: look up, compute on a miss, store',
    make(fn) {
      const map = new Map<string, unknown>()
      return {
        call: async (...args) => {
          const key = JSON.stringify(args)
          const found = map.get(key)
          if (found !== undefined) return found as never
          const value = await fn(...args)
          map.set(key, value)
          return value
        },
      }
    },
  }
  const memoizers = [
    ...memoryMemoizers(peers, profile, false),
    naive,
    ...fileMemoizers(peers).filter((m) => !m.baseline),
  ]
  const contenders = memoizers.map((m): Contender => {
    const src = {
      runs: 0,
      fn: async function getSegment(videoId: string, segmentId: number): Promise<Segment> {
        src.runs++
        await sleep(20)
        return segmentOf(videoId, segmentId)
      },
    }
    let memo: Memoized<[string, number], Segment> | undefined
    return contender({
      name: m.name,
      baseline: m.baseline,
      note: m.note,
      async prepare() {
        await memo?.close?.()
        memo = m.make(src.fn)
      },
      async batch(ops, verdict) {
        const n = missSeq++
        const runsBefore = src.runs
        const call = memo!.call
        const sample = await timed(ops, async () => {
          const results = await Promise.all(Array.from({ length: ops }, () => call(`s${n}`, n)))
          for (const got of results)
            if (got?.segmentId !== n) checkSegment(verdict, got, `s${n}`, n)
        })
        return { ...sample, extra: { runs: src.runs - runsBefore } }
      },
      teardown: async () => void (await memo?.close?.()),
    })
  })
  return {
    id: '4',
    title: `stampede: ${calls} concurrent calls, one uncached key, function takes 20 ms`,
    unit: 'call',
    contenders,
    fixedOps: calls,
    describe: (r) =>
      r.extra.runs
        ? `function ran ${r.extra.runs.max === r.extra.runs.median ? r.extra.runs.max : `${r.extra.runs.median} (max ${r.extra.runs.max})`}×`
        : undefined,
    targets: [
      {
        text: '1 run (memory)',
        judge: (r) => r.extra.runs?.max === 1,
        show: (r) => `${r.extra.runs?.max ?? '?'} run(s)`,
      },
      {
        text: '1 run (memory + file)',
        contender: 'tiercache (memory + file)',
        judge: (r) => r.extra.runs?.max === 1,
        show: (r) => `${r.extra.runs?.max ?? '?'} run(s)`,
      },
    ],
    notes: [
      'Per-call time is the whole stampede (≈ 20 ms of waiting) over the calls; the result column counts how often the function ran (worst round).',
    ],
  }
}

export function memoScenarios(
  peers: Peers,
  profile: Profile,
  random: () => number,
  selected: (id: string) => boolean,
): Scenario[] {
  const out: Scenario[] = []
  if (selected('1')) out.push(primitiveHit(peers, profile, random))
  if (selected('2')) out.push(objectHit(peers, profile, random))
  if (selected('3a'))
    out.push(
      miss(memoryMemoizers(peers, profile, false), '3a', 'miss, memory-only cache', profile, false),
    )
  if (selected('3b'))
    out.push(miss(fileMemoizers(peers), '3b', 'miss, default memory + file cache', profile, true))
  if (selected('4')) out.push(stampede(peers, profile))
  return out
}
