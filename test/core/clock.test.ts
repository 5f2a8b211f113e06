import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readClock, type Clock } from '../../src/core/clock'
import { Cache, FileTier, MemoryTier, withCache, type StorageError } from '../../src'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

const T0 = 1_700_000_000_000

/** Readings that are no time: each one must fail the operation that read it, and store nothing. */
const badReadings: [string, unknown][] = [
  ['NaN', NaN],
  ['a Date', new Date(T0)],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['a numeric string', String(T0)],
  ['undefined', undefined],
]

/** A clock that reads `T0` except when told to give one bad reading next. */
class GlitchingClock implements Clock {
  #next: unknown[] = []
  reads = 0

  glitchOnce(reading: unknown): void {
    this.#next.push(reading)
  }

  now(): number {
    this.reads++
    return (this.#next.length ? this.#next.shift() : T0) as number
  }
}

function openCache(clock: Clock, errors: StorageError[] = []) {
  const dir = makeTempDir()
  const cache = new Cache({
    tiers: [new MemoryTier({ clock }), new FileTier({ dir, clock })],
    clock,
    cleanupInterval: false,
    onError: (e) => errors.push(e),
  })
  return { cache, dir }
}

/** Every entry file's text: none may exist, and none may say NaN. */
function entryFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
}

describe('readClock', () => {
  it('returns a finite reading as it is', () => {
    expect(readClock({ now: () => T0 })).toBe(T0)
    expect(readClock({ now: () => -1 })).toBe(-1)
  })

  it.each(badReadings)('refuses %s with a ClockError (E_CLOCK)', (_name, reading) => {
    expect(() => readClock({ now: () => reading as number })).toThrow(
      expect.objectContaining({ name: 'ClockError', code: 'E_CLOCK' }),
    )
  })

  it('turns a clock that throws into a ClockError keeping the cause', () => {
    const cause = new Error('no time today')
    let thrown: unknown
    try {
      readClock({
        now: () => {
          throw cause
        },
      })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toMatchObject({ code: 'E_CLOCK', cause })
  })
})

describe('a clock reading that is not a finite number stores nothing (memory and file tiers)', () => {
  it.each(badReadings)(
    'set() at a reading of %s rejects with E_CLOCK; the next set() with a good reading works',
    async (_name, reading) => {
      const clock = new GlitchingClock()
      const { cache, dir } = openCache(clock)
      clock.glitchOnce(reading)
      await expect(cache.set('k', 'v', 60)).rejects.toMatchObject({ code: 'E_CLOCK' })
      expect(cache.memoryCache.size).toBe(0)
      expect(entryFiles(dir)).toEqual([])
      await cache.set('k', 'v', 60)
      expect(await cache.get('k')).toBe('v')
      expect(entryFiles(dir)).toHaveLength(1)
      expect(entryFiles(dir)[0]).not.toContain('NaN')
      await cache.close()
    },
  )

  it('NaN once, then a Date, then Infinity: getOrSet returns each value, reports each reading, stores none', async () => {
    const clock = new GlitchingClock()
    const errors: StorageError[] = []
    const { cache, dir } = openCache(clock, errors)
    for (const reading of [NaN, new Date(T0), Infinity]) {
      let computed = 0
      const value = await cache.getOrSet(
        'k',
        () => {
          computed++
          clock.glitchOnce(reading) // the next read is the one that stamps the entry's expiry
          return { n: 1 }
        },
        60,
      )
      expect(value).toEqual({ n: 1 })
      expect(computed).toBe(1)
      expect(cache.memoryCache.size).toBe(0)
      expect(entryFiles(dir)).toEqual([])
    }
    expect(errors.map((e) => e.code)).toEqual(['E_CLOCK', 'E_CLOCK', 'E_CLOCK'])
    expect(await cache.getOrSet('k', () => ({ n: 2 }), 60)).toEqual({ n: 2 })
    expect(await cache.getOrSet('k', () => ({ n: 3 }), 60)).toEqual({ n: 2 })
    expect(entryFiles(dir)).toHaveLength(1)
    await cache.close()
  })

  it('withCache over a memory-only cache (the in-process path): the caller gets the value, nothing is stored, nothing is left unhandled', async () => {
    const clock = new GlitchingClock()
    const errors: StorageError[] = []
    const cache = new Cache({
      tiers: [new MemoryTier({ clock })],
      clock,
      cleanupInterval: false,
      onError: (e) => errors.push(e),
    })
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      let runs = 0
      const cached = withCache(
        async (n: number) => {
          if (++runs === 1) clock.glitchOnce(NaN)
          return n * 2
        },
        { cache, namespace: 'clock' },
      )
      expect(await cached(21)).toBe(42)
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(cache.memoryCache.size).toBe(0)
      expect(errors.map((e) => e.code)).toEqual(['E_CLOCK'])
      expect(await cached(21)).toBe(42)
      expect([...cache.memoryCache.keys()]).toEqual(["clock:':v1:21"])
      expect(runs).toBe(2)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
      await cache.close()
    }
  })

  it('a read at a bad reading fails with E_CLOCK instead of serving or deleting; the entry is intact afterwards', async () => {
    const clock = new GlitchingClock()
    const errors: StorageError[] = []
    const { cache, dir } = openCache(clock, errors)
    await cache.set('k', 'v', 60)
    // A fresh cache over the same folder: its memory tier is empty, so the read reaches the file tier.
    const reader = new Cache({
      tiers: [new MemoryTier({ clock }), new FileTier({ dir, clock })],
      clock,
      cleanupInterval: false,
      onError: (e) => errors.push(e),
    })
    for (const reading of [Infinity, NaN]) {
      clock.glitchOnce(reading) // the memory tier misses without reading the clock: the file tier's read is this
      await expect(reader.get('k')).rejects.toMatchObject({ code: 'E_CLOCK' })
    }
    expect(entryFiles(dir)).toHaveLength(1) // Infinity did not expire it
    expect(await reader.get('k')).toBe('v')
    clock.glitchOnce(T0) // the memory tier prunes first, at a good reading
    clock.glitchOnce(Infinity)
    await expect(reader.cleanup()).rejects.toMatchObject({ code: 'E_CLOCK' })
    expect(entryFiles(dir)).toHaveLength(1) // nor did a cleanup at Infinity remove it
    await Promise.all([cache.close(), reader.close()])
  })
})
