import { StorageError } from '../../src/core/exceptions'
import { fanOutEvents, type CacheEvents } from '../../src/storage/cache-events'
import { FunctionRecord } from '../../src/storage/function-stats'

/** A sink that writes down every event it gets, with its own name. */
function recorder(name: string, log: string[]): CacheEvents {
  return {
    hit: (tier, key, fn) => log.push(`${name} hit ${tier} ${key}${fn ? ` ${fn.id}` : ''}`),
    miss: (tier, key) => log.push(`${name} miss ${tier} ${key}`),
    set: (key) => log.push(`${name} set ${key}`),
    delete: (key) => log.push(`${name} delete ${key ?? '(clear)'}`),
    error: (tier, error) => log.push(`${name} error ${tier} ${error.code}`),
    joined: (key, fn) => log.push(`${name} joined ${key} ${fn?.id}`),
    compute: (key, _fn, refresh, run) => {
      log.push(`${name} compute ${key} ${refresh ? 'refresh' : 'miss'}`)
      const result = run()
      log.push(`${name} computed ${key}`)
      return result
    },
    computed: (key, fn, _ms, failed) =>
      log.push(`${name} ran ${key} ${fn.id} ${failed ? 'failed' : 'ok'}`),
    bus: (direction, change) => log.push(`${name} bus ${direction} ${JSON.stringify(change)}`),
    staleServed: (tier, key, reason) => log.push(`${name} stale ${tier} ${key} ${reason}`),
    refresh: (key, phase, error) => log.push(`${name} refresh ${key} ${phase} ${String(error)}`),
    timeout: (key, kind) => log.push(`${name} timeout ${key} ${kind}`),
    lease: (key, phase) => log.push(`${name} lease ${key} ${phase}`),
  }
}

describe('fanOutEvents', () => {
  it('passes every kind of event, with its arguments, to each sink in order', () => {
    const log: string[] = []
    const events = fanOutEvents([recorder('a', log), recorder('b', log)])
    const fn = new FunctionRecord('video:describe:v1', 1)
    events.hit(0, 'k', fn)
    events.miss(1, 'k')
    events.set('k')
    events.delete('k')
    events.delete(undefined)
    events.error(1, new StorageError('disk full', { tier: 'file', key: 'k' }))
    events.joined('k', fn)
    events.computed('k', fn, 12, true)
    events.bus('sent', { key: 'k' })
    events.staleServed(1, 'k', 'error')
    events.refresh('k', 'fail', 'boom')
    events.timeout('k', 'hard')
    events.lease('k', 'max-wait')
    expect(log).toEqual([
      'a hit 0 k video:describe:v1',
      'b hit 0 k video:describe:v1',
      'a miss 1 k',
      'b miss 1 k',
      'a set k',
      'b set k',
      'a delete k',
      'b delete k',
      'a delete (clear)',
      'b delete (clear)',
      'a error 1 E_STORAGE',
      'b error 1 E_STORAGE',
      'a joined k video:describe:v1',
      'b joined k video:describe:v1',
      'a ran k video:describe:v1 failed',
      'b ran k video:describe:v1 failed',
      'a bus sent {"key":"k"}',
      'b bus sent {"key":"k"}',
      'a stale 1 k error',
      'b stale 1 k error',
      'a refresh k fail boom',
      'b refresh k fail boom',
      'a timeout k hard',
      'b timeout k hard',
      'a lease k max-wait',
      'b lease k max-wait',
    ])
  })

  it('runs a computation once, inside every sink, the first outermost, and returns its own result', () => {
    const log: string[] = []
    const events = fanOutEvents([recorder('a', log), recorder('b', log)])
    const promise = Promise.resolve(42)
    let runs = 0
    const result = events.compute('k', undefined, false, () => {
      runs++
      log.push('run')
      return promise
    })
    expect(result).toBe(promise)
    expect(runs).toBe(1)
    expect(log).toEqual([
      'a compute k miss',
      'b compute k miss',
      'run',
      'b computed k',
      'a computed k',
    ])
  })

  it('with no sinks, every event is a no-op and a computation just runs', () => {
    const events = fanOutEvents([])
    expect(() => {
      events.hit(0, 'k')
      events.set('k')
      events.delete(undefined)
    }).not.toThrow()
    expect(events.compute('k', undefined, true, () => 7)).toBe(7)
  })
})
