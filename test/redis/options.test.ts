import type { RedisConnection } from '../../src/redis/connection'
import { openConnection } from '../../src/redis/options'

/** A connection over a Map: enough for openConnection, which only passes it through. */
const mapConnection = (): RedisConnection => {
  const data = new Map<string, Buffer>()
  return {
    get: async (key) => data.get(String(key)) ?? null,
    set: async (key, value) => void data.set(String(key), Buffer.from(value)),
    unlink: async (keys) => keys.filter((key) => data.delete(String(key))).length,
    strlen: async (keys) => keys.map((key) => data.get(String(key))?.length ?? 0),
    scanNodes: async () => [],
  }
}
const failing = () => Promise.reject(new Error('down'))

describe('openConnection', () => {
  it.each([
    [{}, /exactly one of the url, client or connection options \(got none\)/],
    [{ url: 'redis://x', connection: mapConnection() }, /\(got url, connection\)/],
  ])('needs exactly one way to reach Redis: %p', (options, message) => {
    expect(() => openConnection(options, 'redis')).toThrow(TypeError)
    expect(() => openConnection(options, 'redis')).toThrow(message)
  })

  it('passes a given connection through, and closing leaves it to its owner', async () => {
    const connection = mapConnection()
    const { opened, guard } = openConnection({ connection }, 'redis')
    expect(opened.connection).toBe(connection)
    await expect(opened.close()).resolves.toBeUndefined()
    expect(await guard.run('get', 'k', () => connection.get('k'))).toBeNull()
  })

  it.each([
    [{ commandTimeout: Infinity }, /commandTimeout option must be finite/],
    [{ commandTimeout: '5 minutes' }, /commandTimeout/],
    [{ breaker: { failures: 0 } }, /breaker.failures option must be a positive integer \(got 0\)/],
    [{ breaker: { failures: 1.5 } }, /breaker.failures/],
    [{ breaker: { cooldown: -1 } }, /breaker.cooldown/],
  ])('refuses bad bounds with a TypeError naming the option: %p', (bounds, message) => {
    const open = () => openConnection({ connection: mapConnection(), ...bounds }, 'redis')
    expect(open).toThrow(TypeError)
    expect(open).toThrow(message)
  })

  it('refuses a url that is not a string, and a client that is not a node-redis client', () => {
    expect(() => openConnection({ url: 42 as unknown as string }, 'redis')).toThrow(
      /url option must be a string/,
    )
    expect(() => openConnection({ client: {} as never }, 'redis')).toThrow(
      /client option must be a node-redis/,
    )
  })

  it('opens the breaker after 3 failures in a row unless told otherwise; breaker: false never opens it', async () => {
    // A long cooldown, so that no pause of a loaded machine can close it before the check.
    const options = { connection: mapConnection(), breaker: { cooldown: '1h' as const } }
    const byDefault = openConnection(options, 'redis').guard
    for (let i = 0; i < 2; i++) await byDefault.run('get', 'k', failing).catch(() => {})
    expect(byDefault.open).toBe(false)
    await byDefault.run('get', 'k', failing).catch(() => {})
    expect(byDefault.open).toBe(true)

    const off = openConnection({ connection: mapConnection(), breaker: false }, 'redis').guard
    for (let i = 0; i < 20; i++) await off.run('get', 'k', failing).catch(() => {})
    expect(off.open).toBe(false)
  })
})
