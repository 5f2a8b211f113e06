import { StorageError } from '../../src/core/exceptions'
import { fanOutEvents, type CacheEvents } from '../../src/storage/cache-events'

/** A sink that writes down every event it gets, with its own name. */
function recorder(name: string, log: string[]): CacheEvents {
  return {
    hit: (tier, key) => log.push(`${name} hit ${tier} ${key}`),
    miss: (tier, key) => log.push(`${name} miss ${tier} ${key}`),
    set: (key) => log.push(`${name} set ${key}`),
    delete: (key) => log.push(`${name} delete ${key ?? '(clear)'}`),
    error: (tier, error) => log.push(`${name} error ${tier} ${error.code}`),
    lease: (key, phase) => log.push(`${name} lease ${key} ${phase}`),
  }
}

describe('fanOutEvents', () => {
  it('passes every kind of event, with its arguments, to each sink in order', () => {
    const log: string[] = []
    const events = fanOutEvents([recorder('a', log), recorder('b', log)])
    events.hit(0, 'k')
    events.miss(1, 'k')
    events.set('k')
    events.delete('k')
    events.delete(undefined)
    events.error(1, new StorageError('disk full', { tier: 'file', key: 'k' }))
    events.lease('k', 'max-wait')
    expect(log).toEqual([
      'a hit 0 k',
      'b hit 0 k',
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
      'a lease k max-wait',
      'b lease k max-wait',
    ])
  })

  it('with no sinks, every event is a no-op', () => {
    const events = fanOutEvents([])
    expect(() => {
      events.hit(0, 'k')
      events.set('k')
      events.delete(undefined)
    }).not.toThrow()
  })
})
