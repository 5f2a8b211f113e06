import { randomBytes } from 'node:crypto'
import type { HeldLease, LeaseProvider } from '../storage/lease'
import type { RedisConnection } from './connection'
import type { RedisGuard } from './guard'
import { keyBytes } from './key-bytes'

/**
 * Fleet leases in Redis: `SET <prefix>\xFFlease:<key> <token> NX PX <leaseTtl>`. The byte 0xFF never occurs in
 * UTF-8 (nor in the WTF-8 of a lone surrogate), so no entry key `<prefix><key>` can ever be a lease key, and
 * `clear()`/`stats()` tell leases apart by that byte. Staleness is Redis's own expiry, on the server's clock:
 * the processes' clocks need not agree. Renewal and release are token-checked scripts, so a holder can never
 * extend or remove a lease that expired and was taken by someone else.
 */

/** The byte after the prefix that marks a lease key. */
export const LEASE_MARK = 0xff

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

type LeaseConnection = Required<Pick<RedisConnection, 'setIfAbsent' | 'evalOnKey'>>

export class RedisLeases implements LeaseProvider {
  /** Waiters are woken by the bus; the poll is the fallback when there is none, or a message is lost. */
  readonly pollMs = 100
  readonly #redis: LeaseConnection
  readonly #guard: RedisGuard
  readonly #prefix: Buffer

  constructor(redis: LeaseConnection, guard: RedisGuard, prefix: string) {
    this.#redis = redis
    this.#guard = guard
    this.#prefix = Buffer.concat([
      toBytes(keyBytes(prefix)),
      Buffer.of(LEASE_MARK),
      Buffer.from('lease:'),
    ])
  }

  /** Whether a `connection` can hold leases. */
  static supportedBy(connection: RedisConnection): connection is RedisConnection & LeaseConnection {
    return (
      typeof connection.setIfAbsent === 'function' && typeof connection.evalOnKey === 'function'
    )
  }

  async tryAcquire(key: string, ttlMs: number): Promise<HeldLease | undefined> {
    const leaseKey = Buffer.concat([this.#prefix, toBytes(keyBytes(key))])
    const token = randomBytes(8).toString('hex')
    const ttl = Math.max(1, Math.ceil(ttlMs))
    const taken = await this.#guard.run('take the lease on', key, () =>
      this.#redis.setIfAbsent(leaseKey, token, ttl),
    )
    if (!taken) return undefined
    const run = (action: string, script: string, args: string[]) =>
      this.#guard.run(action, key, () => this.#redis.evalOnKey(script, leaseKey, args))
    return {
      tookOver: false, // an expired lease is gone from Redis: taking the key again is a plain SET NX
      renew: async () => Number(await run('renew the lease on', RENEW, [token, String(ttl)])) === 1,
      release: async () => {
        await run('release the lease on', RELEASE, [token]).catch(() => {
          // unreachable Redis: the lease expires by itself after leaseTtl
        })
      },
    }
  }
}

function toBytes(key: string | Buffer): Buffer {
  return typeof key === 'string' ? Buffer.from(key) : key
}
