import { toMs } from '../core/duration'
import type { StorageError } from '../core/exceptions'
import type { CacheEvents } from './cache-events'
import type { LeaseOptions } from './cache-types'
import type { InvalidationTarget } from './invalidation'
import type { Entry, Tier } from './tier'

/**
 * Fleet leases: one computation per key across processes. A miss in every tier takes the key's lease before
 * computing; the other processes wait for the value instead of computing it too. A tier offers leases through
 * its optional `leases` capability (the file tier for processes on one host, the Redis tier for a fleet).
 */

/**
 * One holder's lease on a key, as a tier's `LeaseProvider` hands it out.
 *
 * @example
 * ```ts
 * import { FileTier, type HeldLease } from 'tiercache'
 *
 * const tier = new FileTier({ dir: 'cache' })
 * const lease: HeldLease | undefined = await tier.leases.tryAcquire('report:2024', 30_000)
 * if (lease) {
 *   try {
 *     await lease.renew() // every ttl / 3 while computing; false once taken over
 *   } finally {
 *     await lease.release()
 *   }
 * }
 * ```
 */
export interface HeldLease {
  /** True when a stale lease (its holder stopped renewing it) was replaced to take this one. */
  readonly tookOver: boolean
  /** Extends the lease by its ttl; false when it is no longer this holder's (taken over meanwhile). */
  renew(): Promise<boolean>
  /** Gives the lease up if it is still this holder's. Never rejects. */
  release(): Promise<void>
}

/**
 * What a tier offers when it can hold leases (`Tier.leases`).
 *
 * @example
 * ```ts
 * import { FileTier, type LeaseProvider } from 'tiercache'
 *
 * // The file tier leases for the processes of one host; RedisTier (tiercache/redis) for a fleet.
 * const leases: LeaseProvider = new FileTier({ dir: 'cache' }).leases
 * const lease = await leases.tryAcquire('report:2024', 30_000) // undefined: another holder computes
 * ```
 */
export interface LeaseProvider {
  /**
   * Takes the lease on `key` for `ttlMs`, or resolves undefined while another holder keeps its lease alive.
   * A lease not renewed for `ttlMs` is stale: exactly one of the callers that find it so takes it over.
   * Throws a StorageError when the storage fails (the caller then computes without a lease).
   */
  tryAcquire(key: string, ttlMs: number): Promise<HeldLease | undefined>
  /** How often a waiter looks again when no notification comes, in ms (jittered by the caller). */
  readonly pollMs: number
}

/** Whether `tier` offers leases (a capability check: nothing tests `instanceof`). */
export function leaseProviderOf(tier: { leases?: unknown }): LeaseProvider | undefined {
  const leases = tier.leases as Partial<LeaseProvider> | undefined
  return typeof leases?.tryAcquire === 'function' ? (leases as LeaseProvider) : undefined
}

/** What a lease wait ended with: the value another process stored, or the right to compute. */
export type LeaseOutcome =
  | { readonly found: Entry; readonly holding?: undefined }
  /** `holding` is undefined when the caller computes without a lease (maxWait passed, storage failed). */
  | { readonly found?: undefined; readonly holding: Holding | undefined }

export interface LeaseSettings {
  ttlMs: number
  /** Infinity: wait as long as the holder keeps its lease alive. */
  maxWaitMs: number
}

const DEFAULT_LEASE_TTL_MS = 30_000

/** The cache-wide lease settings from its options (a TypeError naming a bad one); undefined: no leases. */
export function leaseSettings(options: LeaseOptions): LeaseSettings | undefined {
  if (options.lease !== undefined && typeof options.lease !== 'boolean')
    throw new TypeError(`lease option must be a boolean (got ${typeof options.lease})`)
  const settings = settingsOf(options, { ttlMs: DEFAULT_LEASE_TTL_MS, maxWaitMs: Infinity })
  return options.lease === false ? undefined : settings
}

function settingsOf(options: LeaseOptions, defaults: LeaseSettings): LeaseSettings {
  const { leaseTtl, maxWait } = options
  if (leaseTtl === undefined && maxWait === undefined) return defaults
  const ttlMs = leaseTtl === undefined ? defaults.ttlMs : toMs(leaseTtl, 'leaseTtl')
  if (!(ttlMs > 0 && Number.isFinite(ttlMs)))
    throw new TypeError('leaseTtl option must be a positive, finite duration')
  return { ttlMs, maxWaitMs: maxWait === undefined ? defaults.maxWaitMs : toMs(maxWait, 'maxWait') }
}

/**
 * Takes leases for a cache's misses and waits for other holders. Waiters are woken by an invalidation of
 * their key (a bus message that the holder stored it) or by a jittered poll, whichever comes first.
 */
export class LeaseCoordinator {
  readonly #provider: LeaseProvider
  readonly #events: CacheEvents
  readonly #report: (error: StorageError) => void
  readonly #defaults: LeaseSettings
  readonly #announce: ((key: string) => void) | undefined
  readonly #wakers = new Map<string, Set<() => void>>()

  /** `announce` tells the other processes that a holder is done with a key (a bus message wakes their waiters). */
  constructor(
    provider: LeaseProvider,
    defaults: LeaseSettings,
    events: CacheEvents,
    report: (error: StorageError) => void,
    announce?: (key: string) => void,
  ) {
    this.#provider = provider
    this.#defaults = defaults
    this.#events = events
    this.#report = report
    this.#announce = announce
  }

  /**
   * The lease step of a miss: `acquire` with the call's settings, or undefined when the call opted out
   * (`lease: false`). A bad `leaseTtl` or `maxWait` rejects the call before it computes.
   */
  forCall(
    key: string,
    options: LeaseOptions,
    lookAgain: () => Promise<Entry | undefined>,
    report: (error: StorageError) => void = this.#report,
  ): Promise<LeaseOutcome> | undefined {
    if (options.lease === false) return undefined
    try {
      return this.acquire(key, settingsOf(options, this.#defaults), lookAgain, report)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** Wakes the waiters of the keys `target` names: an invalidation listener. */
  wake(target: InvalidationTarget): void {
    if (this.#wakers.size === 0) return
    if ('key' in target) return this.#wakers.get(target.key)?.forEach((wake) => wake())
    for (const [key, wakers] of this.#wakers)
      if (!target.match || target.match(key)) wakers.forEach((wake) => wake())
  }

  /**
   * Takes the lease on `key` (then looks once more: another process may have just stored the value), or
   * waits until the value appears, the lease is free again, or `maxWaitMs` passed.
   */
  async acquire(
    key: string,
    settings: LeaseSettings,
    lookAgain: () => Promise<Entry | undefined>,
    report: (error: StorageError) => void = this.#report,
  ): Promise<LeaseOutcome> {
    const deadline = performance.now() + settings.maxWaitMs
    let waited = false
    for (;;) {
      let held: HeldLease | undefined
      try {
        held = await this.#provider.tryAcquire(key, settings.ttlMs)
      } catch (err) {
        // The lease store fails: computing without one costs at worst a duplicate run, never a wrong value.
        report(err as StorageError)
        return { holding: undefined }
      }
      if (held) {
        this.#events.lease(key, held.tookOver ? 'takeover' : 'acquired')
        const holding = new Holding(held, settings.ttlMs, report, () => this.#announce?.(key))
        const found = await lookAgain()
        if (found === undefined) return { holding }
        await held.release() // nothing computed: no one to wake
        return { found }
      }
      if (!waited) this.#events.lease(key, 'waited')
      waited = true
      const remaining = deadline - performance.now()
      if (remaining <= 0) {
        this.#events.lease(key, 'max-wait')
        return { holding: undefined }
      }
      await this.#sleep(key, Math.min(jittered(this.#provider.pollMs), remaining))
      const found = await lookAgain()
      if (found !== undefined) return { found }
    }
  }

  /** Resolves after `ms`, or sooner when `key` is woken. */
  #sleep(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let wakers = this.#wakers.get(key)
      if (!wakers) this.#wakers.set(key, (wakers = new Set()))
      const done = () => {
        clearTimeout(timer)
        wakers.delete(done)
        if (wakers.size === 0 && this.#wakers.get(key) === wakers) this.#wakers.delete(key)
        resolve()
      }
      const timer = setTimeout(done, ms)
      wakers.add(done)
    })
  }
}

/** A lease being held while the computation runs: renewed every ttl/3 so a long computation keeps it. */
export class Holding {
  readonly #lease: HeldLease
  readonly #timer: NodeJS.Timeout
  readonly #done: () => void

  constructor(
    lease: HeldLease,
    ttlMs: number,
    report: (error: StorageError) => void,
    done: () => void,
  ) {
    this.#lease = lease
    this.#done = done
    this.#timer = setInterval(() => {
      // A lost lease cannot stop the computation; the worst case is one more run elsewhere.
      lease.renew().catch((err: unknown) => report(err as StorageError))
    }, ttlMs / 3)
    this.#timer.unref()
  }

  /** Stops renewing and releases the lease (after the value was stored, or the computation failed). */
  async end(): Promise<void> {
    clearInterval(this.#timer)
    await this.#lease.release()
    this.#done()
  }
}

/** `ms` ± 50%: waiters of many processes spread their polls instead of arriving together. */
function jittered(ms: number): number {
  return ms * (0.5 + Math.random())
}

/**
 * The lease coordinator of a cache whose tiers offer leases (the last such tier: the widest sharing, Redis
 * over a local file tier), unless `lease: false`. Checked at construction like every option.
 */
export function fleetLeases(
  options: LeaseOptions,
  tiers: readonly Tier[],
  events: CacheEvents,
  report: (error: StorageError) => void,
  announce: (key: string) => void,
): LeaseCoordinator | undefined {
  const settings = leaseSettings(options)
  const tier = tiers.findLast((t) => leaseProviderOf(t) !== undefined)
  if (settings === undefined || tier === undefined) return undefined
  // The bus wakes waiters of a shared tier (Redis). Processes sharing a folder poll instead: a bus message
  // would make each of them drop the key from that folder, the very entry the holder just stored there.
  const wake = tier.shared ? announce : undefined
  return new LeaseCoordinator(leaseProviderOf(tier)!, settings, events, report, wake)
}
