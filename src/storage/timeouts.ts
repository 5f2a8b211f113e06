import { readClock, type Clock } from '../core/clock'
import { isStorageError, RefreshError, TimeoutError, type StorageError } from '../core/exceptions'
import type { CacheEvents } from './cache-events'
import type { FreshnessPolicy } from './freshness'
import type { FunctionRecord } from './function-stats'
import type { Entry } from './tier'

/**
 * A stale value a call may fall back on, its times, and the tier it was read from. The value is taken out of
 * the entry at once: the memory tier empties an entry it lets go of (a promotion may replace it meanwhile).
 */
export interface StaleFallback {
  readonly value: unknown
  readonly freshUntil: number
  readonly expiresAt: number
  readonly tier: number
}

export function staleFallback(entry: Entry, tier: number): StaleFallback {
  const { value, expiresAt, freshUntil = expiresAt } = entry
  return { value, freshUntil, expiresAt, tier }
}

/** The longest delay a Node timer holds. */
const MAX_TIMER_MS = 2 ** 31 - 1

export interface SettleHooks {
  clock: Clock
  events: CacheEvents
  /** The cached function of the call, for its statistics. */
  owner: FunctionRecord | undefined
  /** Receives the failures callers were spared (`staleIfError`), and those of computations left running. */
  report: (error: StorageError) => void
  /** A failure (or hard timeout) was answered with the stale value: start the error backoff. */
  failed: (now: number) => void
  /** The computation landed: no backoff any more. */
  landed: () => void
  /** The hard timeout passed while the computation runs on. */
  timedOut: (now: number) => void
}

/**
 * The caller's share of a computation (`computing`, which may be shared with other callers and goes on
 * whatever happens here): its value, unless the soft timeout passes while a stale value exists (the stale
 * value), the hard timeout passes (a TimeoutError, or the stale value under `staleIfError`), or it fails
 * while `staleIfError` covers the stale value (the stale value; the error goes to `report`).
 */
export function settleWithin<T>(
  computing: Promise<T>,
  key: string,
  policy: FreshnessPolicy,
  fallback: StaleFallback | undefined,
  hooks: SettleHooks,
): Promise<T> {
  const { events } = hooks
  // A stale value covers a failure while it is younger than freshUntil + staleIfError (and not gone).
  const coveredAt = (now: number) => {
    if (fallback === undefined) return false
    return now < fallback.expiresAt && now - fallback.freshUntil < policy.staleIfErrorMs
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const timers: NodeJS.Timeout[] = []
    const settle = (finish: () => void) => {
      if (settled) return
      settled = true
      for (const timer of timers) clearTimeout(timer)
      try {
        finish()
      } catch (err) {
        reject(err) // a throwing event sink or onError: the caller learns of it rather than hang
      }
    }
    const serveStale = (reason: 'error' | 'timeout') => {
      events.staleServed(fallback!.tier, key, reason, hooks.owner)
      resolve(fallback!.value as T)
    }
    const startTimer = (ms: number, fire: () => void) => {
      // Past what a Node timer holds (~24.8 days) it would fire at once: such a timeout never passes.
      if (ms === 0 || ms > MAX_TIMER_MS) return
      // Not unref'd: a caller awaits it (a hung computation may hold nothing else open); cleared once answered.
      timers.push(setTimeout(() => settle(fire), ms))
    }
    if (fallback !== undefined)
      startTimer(policy.softMs, () => {
        events.timeout(key, 'soft')
        serveStale('timeout')
      })
    startTimer(policy.hardMs, () => {
      events.timeout(key, 'hard')
      const error = new TimeoutError(
        `[tiercache] the computation of ${JSON.stringify(key.length > 80 ? `${key.slice(0, 77)}...` : key)} passed its hardTimeout (${policy.hardMs} ms); it goes on, and its result is stored when it lands`,
        { key, timeoutMs: policy.hardMs },
      )
      const now = safeNow(hooks.clock)
      hooks.timedOut(now)
      if (!coveredAt(now)) return reject(error)
      hooks.failed(now)
      hooks.report(refreshFailure(key, 'the computation', error))
      serveStale('timeout')
    })
    computing.then(
      (value) => {
        hooks.landed()
        settle(() => resolve(value))
      },
      (err: unknown) => {
        // After a timeout answered the callers, the failure has no one left to reach but onError.
        if (settled) return hooks.report(refreshFailure(key, 'the computation', err))
        settle(() => {
          const now = safeNow(hooks.clock)
          if (!coveredAt(now)) return reject(err)
          hooks.failed(now)
          hooks.report(refreshFailure(key, 'the computation', err))
          serveStale('error')
        })
      },
    )
  })
}

/** A failure no caller receives, as onError gets it: a StorageError (kept) or a RefreshError around it. */
export function refreshFailure(key: string, where: string, err: unknown): StorageError {
  if (isStorageError(err)) return err
  const shown = JSON.stringify(key.length > 80 ? `${key.slice(0, 77)}...` : key)
  const reason = err instanceof Error ? err.message : String(err)
  return new RefreshError(`[tiercache] ${where} of ${shown} failed: ${reason}`, {
    key,
    cause: err,
  })
}

/** The clock's time, or the system's when it cannot be read (for a backoff: never worth a failure). */
export function safeNow(clock: Clock): number {
  try {
    return readClock(clock)
  } catch {
    return Date.now()
  }
}
