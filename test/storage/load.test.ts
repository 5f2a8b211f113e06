import { systemClock } from '../../src/core/clock'
import type { StorageError } from '../../src/core/exceptions'
import { StatsRecorder } from '../../src/storage/cache-stats'
import { FlightRegistry } from '../../src/storage/flights'
import { Invalidation } from '../../src/storage/invalidation'
import { LifetimePolicy } from '../../src/storage/lifetimes'
import { LoadHandler } from '../../src/storage/load'
import type { Tier } from '../../src/storage/tier'
import { TierStack } from '../../src/storage/tier-stack'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { WriteTracker } from '../../src/storage/write-tracker'
import { FailingTier } from '../helpers/failing-tier'
import { gate } from '../helpers/gate'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

function handlerOver(tiers: Tier[]) {
  const writes = new WriteTracker()
  const flights = new FlightRegistry()
  const events = new StatsRecorder(tiers.length)
  const errors: StorageError[] = []
  const lifetimes = new LifetimePolicy(60, undefined)
  const stack = new TierStack(tiers, {
    clock: systemClock,
    lifetimes,
    writes,
    events,
    report: (e) => errors.push(e),
  })
  const invalidation = new Invalidation(stack, flights, writes, events)
  const handler = new LoadHandler({
    stack,
    flights,
    invalidation,
    lifetimes,
    onError: (e) => errors.push(e),
  })
  return { handler, stack, flights, invalidation, errors }
}

const both = () => [new MemoryTier(), new FileTier({ dir: makeTempDir() })]

describe.each([
  ['memory-only (the in-process strategy)', () => [new MemoryTier()]],
  ['memory + file (the stacked strategy)', both],
])('LoadHandler over %s', (_name, tiers) => {
  it('computes once for concurrent callers and stores the result', async () => {
    const { handler, stack } = handlerOver(tiers())
    const release = gate<string>()
    let runs = 0
    const calls = [1, 2, 3].map(() => handler.load('k', () => (runs++, release.promise), {}))
    release.open('v')
    expect(await Promise.all(calls)).toEqual(['v', 'v', 'v'])
    expect(runs).toBe(1)
    expect(stack.peek('k')?.value).toBe('v')
  })

  it('a refresh does not join the flight under way, and its result is the one stored', async () => {
    const { handler, stack } = handlerOver(tiers())
    const slow = gate<string>()
    const plain = handler.load('k', () => slow.promise, {})
    const fresh = handler.load('k', () => 'fresh', { fresh: true })
    slow.open('stale')
    expect([await plain, await fresh]).toEqual(['stale', 'fresh'])
    expect(stack.peek('k')?.value).toBe('fresh')
  })

  it('a result whose key was invalidated during the computation reaches callers but is not stored', async () => {
    const { handler, stack, invalidation } = handlerOver(tiers())
    const slow = gate<string>()
    const loading = handler.load('k', () => slow.promise, {})
    await invalidation.invalidate({ key: 'k' }, 'every tier')
    slow.open('older')
    expect(await loading).toBe('older')
    expect(stack.peek('k')).toBeUndefined()
  })

  it('an invalidation made synchronously by the computation itself keeps its result out', async () => {
    const { handler, stack, invalidation } = handlerOver(tiers())
    const loading = handler.load(
      'k',
      () => {
        invalidation.note({ key: 'k' }) // e.g. a compute that calls cache.delete(key) first
        return 'computed before the change was known'
      },
      {},
    )
    expect(await loading).toBe('computed before the change was known')
    expect(stack.peek('k')).toBeUndefined()
  })

  it('a rejection reaches every caller, is not stored, and frees the key', async () => {
    const { handler, flights } = handlerOver(tiers())
    const failing = handler.load('k', () => Promise.reject(new Error('boom')), {})
    await expect(failing).rejects.toThrow('boom')
    expect(flights.running('k')).toBeUndefined()
    expect(await handler.load('k', () => 'again', {})).toBe('again')
  })

  it('an invalid key rejects before the computation runs', async () => {
    const { handler } = handlerOver(tiers())
    let runs = 0
    await expect(handler.load('', () => ++runs, {})).rejects.toMatchObject({
      code: 'E_INVALID_KEY',
    })
    expect(runs).toBe(0)
  })

  it('shouldCache and ttl 0 keep a value from being stored', async () => {
    const { handler, stack } = handlerOver(tiers())
    expect(await handler.load('a', () => [], { shouldCache: (v) => v.length > 0 })).toEqual([])
    expect(await handler.load('b', () => 1, { ttl: 0 })).toBe(1)
    expect([stack.peek('a'), stack.peek('b')]).toEqual([undefined, undefined])
  })
})

describe('LoadHandler strategies', () => {
  it('memory-only: callers get the computation`s own promise', () => {
    const { handler } = handlerOver([new MemoryTier()])
    const computed = Promise.resolve(1)
    expect(handler.load('k', () => computed, {})).toBe(computed)
  })

  it('tiered: a value found in a slower tier is returned without computing', async () => {
    const { handler, stack } = handlerOver(both())
    await stack.tiers[1]!.set({ key: 'k', value: 'disk', encoded: '"disk"', expiresAt: Infinity })
    let runs = 0
    expect(await handler.load('k', () => (runs++, 'computed'), {})).toBe('disk')
    expect(runs).toBe(0)
  })

  it('tiered: a failing tier costs the caller nothing; its errors go to onError', async () => {
    const { handler, errors } = handlerOver([new MemoryTier(), new FailingTier()])
    expect(await handler.load('k', () => 'value', {})).toBe('value')
    expect(errors.map((e) => e.tier)).toEqual(['failing', 'failing']) // the read, then the write
  })
})
