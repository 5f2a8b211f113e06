import { StatsRecorder } from '../../src/storage/cache-stats'
import { FunctionRecord, FunctionTable, functionId } from '../../src/storage/function-stats'
import { keyPrefix } from '../../src/memoize/key-prefix'

describe('functionId', () => {
  it('reads namespace:name:v<version>, without a namespace name:v<version>', () => {
    expect(functionId('video', 'describe', 2)).toBe('video:describe:v2')
    expect(functionId(undefined, 'describe')).toBe('describe:v1')
    expect(functionId('video', '', '1.2.0')).toBe('video:anonymous:v1.2.0')
  })
})

describe('FunctionTable', () => {
  it('gives one record per id, shared by every wrapper', () => {
    const table = new FunctionTable(2)
    expect(table.record('video:describe:v1')).toBe(table.record('video:describe:v1'))
    expect(table.record('video:describe:v2')).not.toBe(table.record('video:describe:v1'))
  })

  it('finds the function of a default key by its prefix, whatever the arguments hold', () => {
    const table = new FunctionTable(1)
    const v2 = table.record(
      'video:describe:v2',
      keyPrefix({ namespace: 'video', name: 'describe', version: 2 }),
    )
    const beta = table.record('beta', keyPrefix({ name: 'v1', version: 'beta' }))
    expect(table.byKey('video:describe:v2:abc:4')).toBe(v2)
    expect(table.byKey('video:describe:v2:"v3:x"')).toBe(v2)
    expect(table.byKey(`${keyPrefix({ name: 'v1', version: 'beta' })}:x`)).toBe(beta)
    expect(table.byKey('video:describe:v3:abc')).toBeUndefined()
    expect(table.byKey('user_key')).toBeUndefined()
  })

  it('reports each function with hits by tier name', () => {
    const table = new FunctionTable(2)
    const record = table.record('video:describe:v1')
    record.calls++
    record.hits[1]!++
    expect(table.report(['memory', 'file'])).toEqual({
      'video:describe:v1': expect.objectContaining({ calls: 1, hits: { memory: 0, file: 1 } }),
    })
  })
})

describe('StatsRecorder per function', () => {
  it("counts a slower tier's hit for the function computing the key, and a first tier's only when named", () => {
    const owner = new FunctionRecord('video:describe:v1', 2)
    const stats = new StatsRecorder(2, { computing: (key) => (key === 'k' ? owner : undefined) })
    stats.hit(1, 'k') // a lookup during the function's flight
    stats.hit(0, 'k') // cache.get(k): no function named, not looked up on the hit path
    stats.hit(0, 'k', owner)
    stats.hit(1, 'other')
    expect(owner.hits).toEqual([1, 1])
  })

  it("counts stale values served and a fleet lease's wait (a join across the fleet) for the key's function", () => {
    const owner = new FunctionRecord('video:describe:v1', 1)
    const stats = new StatsRecorder(1, { computing: () => undefined, ownerOf: () => owner })
    stats.staleServed(0, 'k', 'revalidate')
    stats.lease('k', 'acquired')
    stats.lease('k', 'waited')
    stats.lease('k', 'takeover')
    expect(owner.report(['memory'])).toMatchObject({
      staleServed: 1,
      joins: { inProcess: 0, fleet: 1 },
    })
  })

  it('counts a computation as it starts, and times it when the load path reports it settled', () => {
    const owner = new FunctionRecord('f:v1', 1)
    const stats = new StatsRecorder(1)
    expect(stats.compute('k', owner, false, () => 5)).toBe(5)
    expect(owner.report(['memory'])).toMatchObject({ computations: 1, misses: 1, errors: 0 })
    stats.computed('k', owner, 7, false)
    stats.computed('k', owner, 3, true)
    expect(owner.report(['memory'])).toMatchObject({
      errors: 1,
      computeMs: { total: 7, mean: 7, max: 7 },
    })
  })
})
