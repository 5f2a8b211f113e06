import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { encode } from '../../src/core/codec'
import { RedisTier } from '../../src/redis'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

// A child process under ts-node takes seconds to start on a busy machine.
jest.setTimeout(60_000)

let server: RedisServer
let child: ChildProcess
let waiting: ((reply: unknown) => void) | undefined

/** Sends one command to the child and resolves with its answer. */
const ask = <T>(command: object) =>
  new Promise<T>((resolve) => {
    waiting = resolve as (reply: unknown) => void
    child.send(command)
  })

beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(() => server.stop())

describe('RedisTier shared by two processes', () => {
  let tier: RedisTier
  beforeEach(async () => {
    const prefix = uniquePrefix('shared')
    tier = new RedisTier({ url: server.url, prefix })
    child = fork(join(__dirname, 'redis-child.ts'), [server.url, prefix], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
    })
    child.on('message', (reply) => {
      const resolve = waiting
      waiting = undefined
      resolve?.(reply)
    })
    await new Promise<void>((resolve) => child.once('message', () => resolve()))
  })
  afterEach(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.send({ op: 'exit', key: '' })
    await exited
    await tier.close()
  })

  it('an entry one process sets, the other reads, with its type; a delete in one is seen by the other', async () => {
    await ask({ op: 'set', key: 'segment_date', value: 1_700_000_000_000 })
    const entry = await tier.get('segment_date')
    expect(entry?.value).toEqual(new Date(1_700_000_000_000))

    const value = { frames: [1, 2, 3], by: 'parent' }
    await tier.set({ key: 'result', value, encoded: encode(value), expiresAt: Date.now() + 60_000 })
    const seen = await ask<{ value: unknown; pid: number }>({ op: 'get', key: 'result' })
    expect(seen.value).toEqual(value)
    expect(seen.pid).not.toBe(process.pid)

    expect(await ask<{ ok: boolean }>({ op: 'delete', key: 'result' })).toEqual({ ok: true })
    expect(await tier.get('result')).toBeUndefined()
  })
})
