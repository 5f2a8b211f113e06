import { StorageError } from '../../src/core/exceptions'
import { RedisGuard, RedisSkippedError, RedisTimeoutError } from '../../src/redis/guard'

const never = () => new Promise<never>(() => {})
const refused = () =>
  Promise.reject(Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('RedisGuard', () => {
  it('passes a result through, and a failure out as a StorageError of the tier with its cause', async () => {
    const guard = new RedisGuard('redis', { timeoutMs: 60_000, failures: 3, cooldownMs: 60_000 })
    expect(await guard.run('get', 'k', async () => 'value')).toBe('value')
    const error = await guard.run('get', 'k', refused).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(StorageError)
    expect(error).toMatchObject({ tier: 'redis', key: 'k' })
    expect((error as StorageError).cause).toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('a command that throws synchronously rejects like one that rejects', async () => {
    const guard = new RedisGuard('redis', { timeoutMs: 60_000, failures: 3, cooldownMs: 60_000 })
    const thrower = () => {
      throw new Error('client closed')
    }
    await expect(guard.run('set', 'k', thrower)).rejects.toBeInstanceOf(StorageError)
  })

  it('a command with no answer fails with a timeout, however long it takes to come', async () => {
    const guard = new RedisGuard('redis', { timeoutMs: 20, failures: 3, cooldownMs: 60_000 })
    const error = await guard.run('get', 'k', never).catch((err: unknown) => err)
    expect((error as StorageError).cause).toBeInstanceOf(RedisTimeoutError)
  })

  it('after `failures` failures in a row, skips calls without running them until the cooldown ends', async () => {
    const guard = new RedisGuard('redis', { timeoutMs: 60_000, failures: 2, cooldownMs: 60_000 })
    await guard.run('get', 'a', refused).catch(() => {})
    expect(guard.open).toBe(false)
    await guard.run('get', 'b', refused).catch(() => {})
    expect(guard.open).toBe(true)
    let ran = false
    const error = await guard
      .run('get', 'c', async () => ((ran = true), 'x'))
      .catch((err: unknown) => err)
    expect(ran).toBe(false)
    expect(error).toBeInstanceOf(StorageError)
    expect((error as StorageError).cause).toBeInstanceOf(RedisSkippedError)
  })

  it('a success resets the count: failures must be in a row', async () => {
    const guard = new RedisGuard('redis', { timeoutMs: 60_000, failures: 2, cooldownMs: 60_000 })
    await guard.run('get', 'a', refused).catch(() => {})
    await guard.run('get', 'b', async () => 'ok')
    await guard.run('get', 'c', refused).catch(() => {})
    expect(guard.open).toBe(false)
  })

  it('after the cooldown it tries again, and a success closes it', async () => {
    // A short cooldown: only what holds however slow the machine is checked (no "still open" right after).
    const guard = new RedisGuard('redis', { timeoutMs: 60_000, failures: 1, cooldownMs: 5 })
    await guard.run('get', 'a', refused).catch(() => {})
    await sleep(20)
    expect(guard.open).toBe(false)
    let ran = false
    expect(await guard.run('get', 'b', async () => ((ran = true), 'back'))).toBe('back')
    expect(ran).toBe(true)
    expect(guard.open).toBe(false)
  })

  it('an answer that comes after the timeout is ignored: the caller saw the timeout once', async () => {
    const guard = new RedisGuard('redis', { timeoutMs: 10, failures: 5, cooldownMs: 60_000 })
    let answer!: (value: string) => void
    const late = guard.run('get', 'k', () => new Promise<string>((resolve) => (answer = resolve)))
    const error = await late.catch((err: unknown) => err)
    expect((error as StorageError).cause).toBeInstanceOf(RedisTimeoutError)
    answer('too late')
    await sleep(1)
    // The late success did not reset the failure count: 4 more failures open the breaker.
    for (const key of ['a', 'b', 'c', 'd']) await guard.run('get', key, refused).catch(() => {})
    expect(guard.open).toBe(true)
  })
})
