/**
 * tiercache/redis: a Redis tier shared by a fleet of processes. Loads `redis` (node-redis), which `tiercache` never does.
 *
 * @module tiercache/redis
 */
export { RedisTier } from './redis-tier'
export { RedisBus } from './redis-bus'
export { RedisSkippedError, RedisTimeoutError } from './guard'

export type { RedisTierOptions } from './redis-tier'
export type { RedisBusOptions } from './redis-bus'
export type { BusTransport, BusEvents, NodeRedisBusClient } from './bus-transport'
export type { NodeRedisBusCluster } from './bus-cluster-transport'
export type { RedisConnectionOptions } from './options'
export type { RedisConnection, RedisScanNode } from './connection'
export type { NodeRedisClient, NodeRedisCluster } from './node-redis'
export type { RedisKey } from './key-bytes'
