import { systemClock, type Clock } from '../../src/core/clock'
import type { StorageError } from '../../src/core/exceptions'
import type { CacheEvents } from '../../src/storage/cache-events'
import { LifetimePolicy } from '../../src/storage/lifetimes'
import type { Entry, Tier } from '../../src/storage/tier'
import { TierStack } from '../../src/storage/tier-stack'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { WriteTracker } from '../../src/storage/write-tracker'
import { FailingTier } from '../helpers/failing-tier'
import { FakeClock } from '../../src/testing/fake-clock'
import { gate } from '../helpers/gate'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { Cache } from '../../src/storage/cache'
import { openCaches } from '../helpers/open-caches'

useTempDirs()

/** Records every event, as `[name, tier, key-or-code]`. */
function recorder(): CacheEvents & { seen: unknown[][] } {
  const seen: unknown[][] = []
  return {
    seen,
    hit: (tier, key) => seen.push(['hit', tier, key]),
    miss: (tier, key) => seen.push(['miss', tier, key]),
    set: (key) => seen.push(['set', key]),
    delete: (key) => seen.push(['delete', key]),
    error: (tier, error) => seen.push(['error', tier, error.code]),
    joined: () => {},
    compute: (_key, _fn, _refresh, run) => run(),
    computed: () => {},
    bus: () => {},
    staleServed: (tier, key, reason) => seen.push(['stale', tier, key, reason]),
    refresh: (key, phase) => seen.push(['refresh', key, phase]),
    timeout: (key, kind) => seen.push(['timeout', key, kind]),
    lease: (key, phase) => seen.push(['lease', key, phase]),
  }
}

function stackOf(tiers: Tier[], clock: Clock = systemClock, memoryTtl?: number) {
  const events = recorder()
  const reported: StorageError[] = []
  const writes = new WriteTracker()
  const stack = new TierStack(tiers, {
    clock,
    lifetimes: new LifetimePolicy(60, memoryTtl),
    writes,
    events,
    report: (e) => reported.push(e),
  })
  return { stack, events, reported, writes, clock }
}

const lifetimes = { ttlMs: 60_000, memoryTtlMs: 60_000 }

describe('TierStack', () => {
  it('peek() reads the in-process front tier and reports a hit or a miss there', async () => {
    const memory = new MemoryTier()
    const { stack, events } = stackOf([memory])
    expect(stack.front).toBe(memory)
    expect(stack.peek('k')).toBeUndefined()
    await stack.write('k', 'v', lifetimes)
    expect(stack.peek('k')?.value).toBe('v')
    expect(events.seen).toEqual([
      ['miss', 0, 'k'],
      ['set', 'k'],
      ['hit', 0, 'k'],
    ])
  })

  it('without an in-process front tier, peek() is always undefined and counts nothing', () => {
    const { stack, events } = stackOf([new FileTier({ dir: makeTempDir() })])
    expect(stack.front).toBeUndefined()
    expect(stack.peek('k')).toBeUndefined()
    expect(events.seen).toEqual([])
  })

  it('a throwing peek() is reported as a StorageError and reads as a miss', () => {
    const broken = new MemoryTier()
    broken.peek = () => {
      throw new Error('bug')
    }
    const { stack, events, reported } = stackOf([broken])
    expect(stack.peek('k')).toBeUndefined()
    expect(reported[0]).toMatchObject({ code: 'E_STORAGE', tier: 'memory', key: 'k' })
    expect(events.seen).toEqual([
      ['error', 0, 'E_STORAGE'],
      ['miss', 0, 'k'],
    ])
  })

  it('a throwing isCurrent() is reported as a StorageError and reads as not current', () => {
    const broken = new MemoryTier()
    broken.put({ key: 'k', value: 1, expiresAt: Infinity })
    const entry = broken.peek('k')!
    broken.isCurrent = () => {
      throw new Error('bug')
    }
    const { stack, reported } = stackOf([broken])
    expect(stack.isCurrent(entry)).toBe(false)
    expect(reported[0]).toMatchObject({ code: 'E_STORAGE', tier: 'memory', key: 'k' })
  })

  it('lookup() reads below the front tier and promotes a hit with its remaining lifetime', async () => {
    const clock = new FakeClock()
    const memory = new MemoryTier({ clock })
    const file = new FileTier({ dir: makeTempDir(), clock })
    const { stack, events } = stackOf([memory, file], clock, 10)
    await file.set({ key: 'k', value: 1, encoded: '1', expiresAt: clock.now() + 60_000 })
    expect((await stack.lookup('k', 'throw'))?.value).toBe(1)
    expect(memory.peek('k')?.expiresAt).toBe(clock.now() + 10_000) // the cache-wide memoryTtl caps it
    expect(events.seen).toEqual([['hit', 1, 'k']])
    expect(await stack.lookup('absent', 'throw')).toBeUndefined()
    expect(events.seen.at(-1)).toEqual(['miss', 1, 'absent'])
  })

  it('lookup() does not promote an entry whose key was written during the read', async () => {
    const clock = new FakeClock()
    const memory = new MemoryTier({ clock })
    const opened = gate()
    const slow: Tier = {
      ...new MemoryTier({ clock }),
      name: 'slow',
      get: async (key) => (await opened.promise, { key, value: 'old', expiresAt: Infinity }),
      set: async () => {},
      delete: async () => false,
      clear: async () => 0,
      prune: async () => 0,
      stats: async () => ({ entries: 0, bytes: 0, evictions: 0 }),
      close: async () => {},
    }
    const { stack, writes } = stackOf([memory, slow], clock)
    const reading = stack.lookup('k', 'throw')
    writes.noteWrite('k')
    opened.open()
    expect((await reading)?.value).toBe('old')
    expect(memory.peek('k')).toBeUndefined()
  })

  it('lookup() throws the first tier failure when nothing was found, or hands it to a handler', async () => {
    const { stack } = stackOf([new MemoryTier(), new FailingTier()])
    await expect(stack.lookup('k', 'throw')).rejects.toMatchObject({
      code: 'E_STORAGE',
      tier: 'failing',
    })
    const handled: StorageError[] = []
    expect(await stack.lookup('k', (e) => handled.push(e))).toBeUndefined()
    expect(handled).toHaveLength(1)
  })

  it('a ClockError raised inside a tier names that tier and the key, as every tier failure does', async () => {
    let now = Date.now()
    const clock = { now: () => now }
    const file = new FileTier({ dir: makeTempDir(), clock })
    const { stack } = stackOf([new MemoryTier({ clock }), file], clock)
    await stack.write('k', 'v', lifetimes)
    await stack.front!.delete('k')
    now = NaN
    await expect(stack.lookup('k', 'throw')).rejects.toMatchObject({
      code: 'E_CLOCK',
      tier: 'file',
      key: 'k',
    })
  })

  it('lookup() rejects a key no tier can hold with InvalidKeyError', async () => {
    const { stack } = stackOf([new MemoryTier()])
    await expect(stack.lookup('', 'throw')).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
  })

  it('write() to a lone unbounded in-process tier is synchronous; otherwise it returns a promise', async () => {
    const alone = stackOf([new MemoryTier()]).stack
    expect(alone.writesSynchronously).toBe(true)
    expect(alone.write('k', 1, lifetimes)).toBeUndefined()
    const bounded = stackOf([new MemoryTier({ maxBytes: 1_000 })]).stack
    expect(bounded.writesSynchronously).toBe(false)
    const tiered = stackOf([new MemoryTier(), new FileTier({ dir: makeTempDir() })]).stack
    expect(tiered.writesSynchronously).toBe(false)
    const written = tiered.write('k', { a: 1 }, lifetimes)
    expect(written).toBeInstanceOf(Promise)
    await written
    expect((await tiered.tiers[1]!.get('k'))?.encoded).toBe('{"a":1}')
  })

  it('write() gives the in-process copy the shorter memory lifetime, and the others the full one', async () => {
    const clock = new FakeClock()
    const memory = new MemoryTier({ clock })
    const file = new FileTier({ dir: makeTempDir(), clock })
    const { stack } = stackOf([memory, file], clock)
    await stack.write('k', 'v', { ttlMs: 60_000, memoryTtlMs: 5_000 })
    expect(memory.peek('k')?.expiresAt).toBe(clock.now() + 5_000)
    const stored = (await file.get('k')) as Entry
    expect([stored.expiresAt, stored.memoryTtlMs]).toEqual([clock.now() + 60_000, 5_000])
  })

  it('a write that one tier failed is undone in the others, and rejects with StorageError', async () => {
    const memory = new MemoryTier()
    const { stack, events } = stackOf([memory, new FailingTier()])
    await expect(stack.write('k', 'v', lifetimes)).rejects.toMatchObject({ tier: 'failing' })
    expect(memory.peek('k')).toBeUndefined()
    expect(events.seen).toContainEqual(['error', 1, 'E_STORAGE'])
  })

  it('a write whose in-process put and slower tier both fail waits for both and leaves no unhandled rejection', async () => {
    class RefusingMemory extends MemoryTier {
      override put(): void {
        throw new Error('put refused')
      }
    }
    const slow = gate()
    class SlowFailingTier extends FailingTier {
      override async set(entry: Entry): Promise<void> {
        await slow.promise
        return super.set(entry)
      }
    }
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const { stack } = stackOf([new RefusingMemory(), new SlowFailingTier()])
      let settled = false
      const writing = stack.write('k', 'v', lifetimes)!.finally(() => (settled = true))
      writing.catch(() => {})
      await new Promise((resolve) => setImmediate(resolve))
      expect(settled).toBe(false) // still waiting for the slower tier
      slow.open()
      await expect(writing).rejects.toMatchObject({ tier: 'memory' })
      await new Promise((resolve) => setImmediate(resolve))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('a failed write is not undone when the key was written again meanwhile', async () => {
    const memory = new MemoryTier()
    const { stack, writes } = stackOf([memory, new FailingTier()])
    const failing = stack.write('k', 'first', lifetimes)!
    writes.noteWrite('k')
    memory.put({ key: 'k', value: 'second', expiresAt: Infinity })
    await expect(failing).rejects.toMatchObject({ code: 'E_STORAGE' })
    expect(memory.peek('k')?.value).toBe('second')
  })

  it('a value the codec cannot encode is a SerializationError, and nothing is stored', async () => {
    const memory = new MemoryTier({ maxBytes: 10_000 })
    const { stack } = stackOf([memory])
    expect(() => stack.write('k', { f: () => 1 }, lifetimes)).toThrow(
      expect.objectContaining({ code: 'E_SERIALIZATION', key: 'k' }),
    )
    expect(memory.peek('k')).toBeUndefined()
  })

  it('remove() deletes a key or clears matches in the scope asked for, counting per tier', async () => {
    const memory = new MemoryTier()
    const file = new FileTier({ dir: makeTempDir() })
    const { stack } = stackOf([memory, file])
    await stack.write('a', 1, lifetimes)
    await stack.write('b', 2, lifetimes)
    expect(await stack.remove({ key: 'a' }, 'in-process')).toEqual([1])
    expect((await file.get('a'))?.value).toBe(1)
    expect(await stack.remove({ key: 'a' }, 'every tier')).toEqual([0, 1])
    expect(await stack.remove({ match: undefined }, 'every tier')).toEqual([1, 1])
  })

  it('guard() turns anything a tier throws, even synchronously, into a StorageError naming it', async () => {
    const { stack, events } = stackOf([new MemoryTier()])
    const thrown = stack.guard(0, 'write', 'k', () => {
      throw new Error('sync bug')
    })
    await expect(thrown).rejects.toMatchObject({
      code: 'E_STORAGE',
      tier: 'memory',
      key: 'k',
      message: expect.stringContaining('cannot write "k": sync bug'),
    })
    expect(events.seen).toEqual([['error', 0, 'E_STORAGE']])
  })

  it('each() waits for every tier and throws the first failure in tier order', async () => {
    const calls: string[] = []
    const { stack } = stackOf([
      new MemoryTier(),
      new FailingTier('first'),
      new FailingTier('second'),
    ])
    await expect(
      stack.each('clean up', undefined, (tier) => (calls.push(tier.name), tier.prune())),
    ).rejects.toMatchObject({ tier: 'first' })
    expect(calls).toEqual(['memory', 'first', 'second'])
  })
})

describe('promotion never undoes a write made while the lower tier was read', () => {
  let dir: string
  let clock: FakeClock
  const open = openCaches(() => ({ cacheDir: dir, clock }))
  beforeEach(() => {
    dir = makeTempDir()
    clock = new FakeClock()
  })

  it('a delete() made while a get() reads the file is not undone by the promotion', async () => {
    await open().set('k', 'old') // on disk; the cache below has a cold memory tier
    const cache = open()
    const reading = cache.get('k') // memory miss: reads the file
    await cache.delete('k')
    await reading
    expect(await cache.get('k')).toBeUndefined()
  })

  it('a set() made while a get() reads the file is not overwritten in memory by the older value', async () => {
    await open().set('k', 'old')
    const cache = open()
    const reading = cache.get('k')
    await cache.set('k', 'new')
    await reading
    expect(await cache.get('k')).toBe('new')
  })
})

describe('a failed write and a later successful one', () => {
  it('the failure does not remove the value a later set() stored (in memory and on disk)', async () => {
    const dir = makeTempDir()
    const hiccup = gate()
    /** A real file tier whose write of one particular value fails, once let go. */
    class FlakyFileTier extends FileTier {
      override async set(entry: Parameters<FileTier['set']>[0]): Promise<void> {
        if (entry.value === 'A') {
          await hiccup.promise
          throw new Error('disk hiccup')
        }
        return super.set(entry)
      }
    }
    const cache = new Cache({
      tiers: [new MemoryTier(), new FlakyFileTier({ dir })],
      cleanupInterval: false,
    })
    const first = cache.set('k', 'A')
    await cache.set('k', 'B') // in memory and on disk, and its caller is told so
    hiccup.open()
    await expect(first).rejects.toMatchObject({ code: 'E_STORAGE' })
    expect(await cache.get('k')).toBe('B')
    const reopened = new Cache({ cacheDir: dir, cleanupInterval: false })
    expect(await reopened.get('k')).toBe('B')
    await Promise.all([cache.close(), reopened.close()])
  })

  it('a failed write with no later one still leaves no trace of the key', async () => {
    const dir = makeTempDir()
    class FailingFileTier extends FileTier {
      override async set(): Promise<void> {
        throw new Error('disk full')
      }
    }
    const cache = new Cache({
      tiers: [new MemoryTier(), new FailingFileTier({ dir })],
      cleanupInterval: false,
    })
    await expect(cache.set('k', 'A')).rejects.toMatchObject({ code: 'E_STORAGE' })
    expect(cache.peek('k')).toBeUndefined()
    await cache.close()
  })
})
