/**
 * Scenario 5: `Cache.get` / `Cache.set` on the memory tier with 1 KB JSON values, against `await` on a raw
 * Map and the peers' get/set. lru-cache's API is synchronous and is called as its users call it, without
 * `await`; every other contender is awaited.
 */
import { Cache, MemoryTier } from '../src'
import { FakeClock } from '../src/testing'
import { contender, randomOrder, record1K, typeName, type Record1K } from './fixtures'
import { timed, type Contender, type Profile, type Scenario, type Verdict } from './harness'
import { freshLoops } from './loops'
import { label, type Peers } from './peers'

interface MemoryStore {
  name: string
  baseline?: boolean
  note?: string
  /** Called without `await` when true. */
  sync?: boolean
  open(capacity: number): {
    get(key: string): unknown
    set(key: string, value: Record1K): unknown
    close?(): Promise<unknown>
  }
}

function memoryStores(peers: Peers): MemoryStore[] {
  const stores: MemoryStore[] = [
    {
      name: 'raw Map (baseline)',
      baseline: true,
      note: 'awaited like an async cache: `await map.get(k)` / `await map.set(k, v)`',
      open() {
        const map = new Map<string, Record1K>()
        return { get: (key) => map.get(key), set: (key, value) => void map.set(key, value) }
      },
    },
    {
      name: 'tiercache',
      open(capacity) {
        const cache = new Cache({
          tiers: [new MemoryTier({ maxEntries: capacity })],
          cleanupInterval: false,
        })
        return {
          get: (key) => cache.get(key),
          set: (key, value) => cache.set(key, value),
          close: () => cache.close(),
        }
      },
    },
    {
      name: 'tiercache (maxBytes: 64 MiB)',
      note: 'a byte bound makes set encode the value once to size it',
      open(capacity) {
        const cache = new Cache({
          tiers: [new MemoryTier({ maxEntries: capacity, maxBytes: 64 << 20 })],
          cleanupInterval: false,
        })
        return {
          get: (key) => cache.get(key),
          set: (key, value) => cache.set(key, value),
          close: () => cache.close(),
        }
      },
    },
    freshnessStore('fresh'),
    freshnessStore('stale'),
  ]
  if (peers.lruCache) {
    const { LRUCache } = peers.lruCache
    stores.push({
      name: label(peers, 'lru-cache', 'get / set'),
      sync: true,
      note: 'synchronous API, not awaited',
      open(capacity) {
        const lru = new LRUCache<string, Record1K>({ max: capacity })
        return { get: (key) => lru.get(key), set: (key, value) => lru.set(key, value) }
      },
    })
  }
  if (peers.cacheManager && peers.keyv) {
    const { createCache } = peers.cacheManager
    const { Keyv } = peers.keyv
    stores.push({
      name: label(peers, 'cache-manager', 'get / set (Keyv memory)'),
      open() {
        const cm = createCache({ stores: [new Keyv()] })
        return {
          get: (key) => cm.get(key),
          set: (key, value) => cm.set(key, value),
          close: () => cm.disconnect(),
        }
      },
    })
  }
  if (peers.cacheable) {
    const { Cacheable } = peers.cacheable
    stores.push({
      name: label(peers, 'cacheable', 'get / set'),
      open() {
        const cacheable = new Cacheable()
        return {
          get: (key) => cacheable.get(key),
          set: (key, value) => cacheable.set(key, value),
          close: () => cacheable.disconnect(),
        }
      },
    })
  }
  if (peers.bentocache && peers.bentoMemory) {
    const { BentoCache, bentostore } = peers.bentocache
    const { memoryDriver } = peers.bentoMemory
    stores.push({
      name: label(peers, 'bentocache', 'get / set (memory driver)'),
      open(capacity) {
        const bento = new BentoCache({
          default: 'memory',
          stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: capacity })) },
        })
        return {
          get: (key) => bento.get({ key }),
          set: (key, value) => bento.set({ key, value }),
          close: () => bento.disconnect(),
        }
      },
    })
  }
  return stores
}

/**
 * getOrSet under staleWhileRevalidate, on entries that are fresh, or all stale (the clock moves past their
 * ttl at the first read): a stale hit serves the value and finds its key's refresh under way (it never lands).
 */
function freshnessStore(state: 'fresh' | 'stale'): MemoryStore {
  return {
    name: `tiercache getOrSet, ${state} hit (staleWhileRevalidate)`,
    note:
      state === 'stale'
        ? 'every entry stale; one background refresh per key, never landing'
        : 'the same cache, entries fresh',
    open(capacity) {
      const clock = new FakeClock()
      const cache = new Cache({
        tiers: [new MemoryTier({ maxEntries: capacity, clock })],
        clock,
        cleanupInterval: false,
        staleWhileRevalidate: '1h',
      })
      const never = () => new Promise<Record1K>(() => {})
      const written: string[] = []
      let aged = state === 'fresh'
      return {
        get: (key) => {
          if (!aged) {
            aged = clock.advance(86_400_001) > 0
            // Each key's first stale hit starts its refresh: done once here (a warm-up op), not in the batches.
            for (const k of written.splice(0)) void cache.getOrSet(k, never)
          }
          return cache.getOrSet(key, never)
        },
        set: (key, value) => {
          if (!aged) written.push(key)
          return cache.set(key, value)
        },
        close: () => cache.close(),
      }
    },
  }
}

function check(verdict: Verdict, got: unknown, expected: Record1K): void {
  const r = got as Record1K | undefined
  if (r === null || typeof r !== 'object')
    verdict.fail(`wrong type: ${typeName(got)} (expected Object)`)
  else if (r.id !== expected.id || r.payload !== expected.payload)
    verdict.fail(`wrong value for ${expected.key}`)
}

export function memoryScenarios(
  peers: Peers,
  profile: Profile,
  random: () => number,
  selected: (id: string) => boolean,
): Scenario[] {
  if (!selected('5a') && !selected('5b')) return []
  const keys = profile.memoryKeys
  const names = Array.from({ length: keys }, (_, k) => `video_${k}`)
  const records = Array.from({ length: keys }, (_, k) => record1K(k))
  const order = randomOrder(1 << 20, keys, random)

  const make = (op: 'get' | 'set'): Contender[] =>
    memoryStores(peers).map((s) => {
      const loops = freshLoops()
      let store: ReturnType<MemoryStore['open']>
      let cursor = 0
      return contender({
        name: s.name,
        baseline: s.baseline,
        note: s.note,
        async setup(verdict) {
          store = s.open(keys * 2)
          if (op === 'set') return // the batches fill it
          for (let k = 0; k < keys; k++) await store.set(names[k]!, records[k]!)
          for (let k = 0; k < Math.min(keys, 3); k++)
            check(verdict, await store.get(names[k]!), records[k]!)
        },
        async batch(ops, verdict) {
          const wrong = (got: unknown, k: number) => check(verdict, got, records[k]!)
          const at = cursor
          cursor += ops
          if (op === 'get') {
            return timed(ops, () =>
              (s.sync ? loops.getSync : loops.getAwaited)(store.get, order, names, at, ops, wrong),
            )
          }
          return timed(ops, () =>
            (s.sync ? loops.setSync : loops.setAwaited)(store.set, order, names, records, at, ops),
          )
        },
        // After a set batch, what was set reads back whole.
        async after(verdict) {
          for (let back = 1; back <= 3; back++) {
            const k = order[(cursor - back) & (order.length - 1)]!
            check(verdict, await store.get(names[k]!), records[k]!)
          }
        },
        teardown: async () => void (await store?.close?.()),
      })
    })

  const notes = [`${keys} keys of 1 KB JSON each, accessed in a seeded random order.`]
  return [
    {
      id: '5a',
      title: 'Cache.get, memory tier, 1 KB JSON value',
      contenders: make('get'),
      minOps: 256,
      targets: [{ text: '≤ 1.2× raw Map', maxRatio: 1.2 }],
      notes,
    },
    {
      id: '5b',
      title: 'Cache.set, memory tier, 1 KB JSON value',
      contenders: make('set'),
      minOps: 256,
      notes,
    },
  ]
}
