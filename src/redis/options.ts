import { toMs, type Duration } from '../core/duration'
import type { OpenedConnection, RedisConnection } from './connection'
import { RedisGuard } from './guard'
import {
  adoptNodeRedis,
  openNodeRedis,
  type NodeRedisClient,
  type NodeRedisCluster,
} from './node-redis'

/**
 * How tiercache reaches Redis: exactly one of `url`, `client` or `connection`, plus the bounds on a server
 * that is slow or gone. (The Redis tier takes these; so will the invalidation bus.)
 *
 * @example
 * ```ts
 * import { RedisTier } from 'tiercache/redis'
 *
 * // A server that is gone costs each call at most 300 ms, and nothing for 10 s after 5 failures in a row.
 * const tier = new RedisTier({
 *   url: process.env.REDIS_URL,
 *   commandTimeout: '300ms',
 *   breaker: { failures: 5, cooldown: '10s' },
 * })
 * ```
 */
export interface RedisConnectionOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]`: tiercache opens its own node-redis client, and closes it. */
  url?: string
  /**
   * A node-redis client or cluster you built (`createClient`, `createCluster`: TLS, auth, sentinel are yours)
   * and connected. It stays yours: `close()` leaves it open. Do not give it a `keyPrefix`: use `prefix`.
   */
  client?: NodeRedisClient | NodeRedisCluster
  /** Any other client, adapted to the few commands tiercache sends (README: "Scaling out"). Stays yours. */
  connection?: RedisConnection
  /** Longest wait for one Redis command; a slower one fails with a StorageError. @default '1s' */
  commandTimeout?: Duration
  /**
   * After `failures` failed commands in a row, Redis is skipped (calls fail at once) for `cooldown`, so a
   * server that is gone costs each call at most one timeout. `false` turns the breaker off.
   * @default { failures: 3, cooldown: '3s' }
   */
  breaker?: { failures?: number; cooldown?: Duration } | false
}

/** The connection `options` ask for, and the guard every command goes through. */
export function openConnection(
  options: RedisConnectionOptions,
  tier: string,
): { opened: OpenedConnection; guard: RedisGuard } {
  const given = (['url', 'client', 'connection'] as const).filter((name) => options[name] != null)
  if (given.length !== 1)
    throw new TypeError(
      `give exactly one of the url, client or connection options (got ${given.length ? given.join(', ') : 'none'})`,
    )
  const timeoutMs = toMs(options.commandTimeout ?? '1s', 'commandTimeout')
  if (!Number.isFinite(timeoutMs))
    throw new TypeError('commandTimeout option must be finite: a command must not wait forever')
  const breaker = options.breaker ?? {}
  const failures = breaker === false ? Infinity : (breaker.failures ?? 3)
  if (!(failures === Infinity || (Number.isInteger(failures) && failures >= 1)))
    throw new TypeError(`breaker.failures option must be a positive integer (got ${failures})`)
  const cooldownMs = breaker === false ? 0 : toMs(breaker.cooldown ?? '3s', 'breaker.cooldown')
  const guard = new RedisGuard(tier, { timeoutMs, failures, cooldownMs })

  if (options.url != null) {
    if (typeof options.url !== 'string')
      throw new TypeError(`url option must be a string (got ${String(options.url)})`)
    return { opened: openNodeRedis(options.url, timeoutMs), guard }
  }
  if (options.client != null) {
    if (typeof options.client.sendCommand !== 'function')
      throw new TypeError('client option must be a node-redis (v5+) client or cluster')
    return { opened: adoptNodeRedis(options.client, timeoutMs), guard }
  }
  return { opened: { connection: options.connection!, close: async () => {} }, guard }
}
