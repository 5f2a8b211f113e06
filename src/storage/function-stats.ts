/**
 * What one cached function's calls cost and saved, as `fn.stats()` and `cache.stats().functions` report it.
 *
 * @example
 * ```ts
 * import { withCache, type FunctionStats } from 'tiercache'
 *
 * declare function callModel(documentId: string): Promise<string>
 *
 * const summarize = withCache(callModel, { ttl: '1h', namespace: 'docs' })
 * await summarize('doc-42')
 * const stats: FunctionStats = summarize.stats()
 * const hits = Object.values(stats.hits).reduce((sum, n) => sum + n, 0)
 * console.log(`${stats.id}: ${hits}/${stats.calls} hits, ${stats.computeMs.mean} ms per run, ${stats.timeSavedMs} ms saved`)
 * ```
 */
export interface FunctionStats {
  /** `namespace:name:v<version>` (`name:v<version>` without a namespace). */
  id: string
  /** Calls of the cached function (not `refresh()`): hits, joins, misses, and calls served a stale value. */
  calls: number
  /** Calls served a fresh value by each tier, by tier name. */
  hits: Record<string, number>
  /** Calls that found no value anywhere and ran the function. */
  misses: number
  /** Runs of the function: the misses, plus `refresh()` calls and background refreshes. */
  computations: number
  /**
   * Calls that shared a computation instead of running their own: in this process (single-flight), and
   * across the fleet (a fleet lease waited for another process, then read its result: such a call is a hit too).
   */
  joins: { inProcess: number; fleet: number }
  /** Stale values served (stale-while-revalidate, or a failing or slow computation). */
  staleServed: number
  /** Runs of the function that threw or rejected. */
  errors: number
  /** Time the function ran, in milliseconds, over the runs that returned a value. */
  computeMs: { total: number; mean: number; max: number }
  /** Estimated time the cache saved: hits × the mean compute time, in milliseconds. */
  timeSavedMs: number
}

/**
 * The counters of one cached function in one cache. The events that concern it (see StatsRecorder) add to
 * them; on the hit path that is one integer increment, everything else is derived when reported.
 */
export class FunctionRecord {
  readonly id: string
  /** Hits per tier index. */
  readonly hits: number[]
  /** Counted by the wrapper itself: a call served a stale value, or by an eager refresh, is neither hit nor miss. */
  calls = 0
  joins = 0
  fleetJoins = 0
  misses = 0
  computations = 0
  errors = 0
  staleServed = 0
  /** Runs that returned a value, and their time: the mean is over these. */
  computed = 0
  computeMsTotal = 0
  computeMsMax = 0

  constructor(id: string, tierCount: number) {
    this.id = id
    this.hits = new Array<number>(tierCount).fill(0)
  }

  /** Counts a run that returned a value after `ms`. */
  ran(ms: number): void {
    this.computed++
    this.computeMsTotal += ms
    if (ms > this.computeMsMax) this.computeMsMax = ms
  }

  report(tierNames: readonly string[]): FunctionStats {
    const hits = this.hits.reduce((sum, n) => sum + n, 0)
    const mean = this.computed === 0 ? 0 : this.computeMsTotal / this.computed
    return {
      id: this.id,
      calls: this.calls,
      hits: Object.fromEntries(tierNames.map((name, i) => [name, this.hits[i] ?? 0])),
      misses: this.misses,
      computations: this.computations,
      joins: { inProcess: this.joins, fleet: this.fleetJoins },
      staleServed: this.staleServed,
      errors: this.errors,
      computeMs: { total: this.computeMsTotal, mean, max: this.computeMsMax },
      timeSavedMs: hits * mean,
    }
  }
}

/** Functions beyond this many get counters of their own but no row in `cache.stats().functions`. */
const MAX_FUNCTIONS = 10_000

/**
 * The cached functions of one cache, by id, and by the prefix of their default keys, so that an event about
 * a key (a tier's, a bus's) can name its function.
 */
export class FunctionTable {
  readonly #tierCount: number
  readonly #byId = new Map<string, FunctionRecord>()
  readonly #byPrefix = new Map<string, FunctionRecord>()

  constructor(tierCount: number) {
    this.#tierCount = tierCount
  }

  /**
   * The record of function `id`, made on first use; wrappers of one function share it. `prefix`: the
   * function's default key prefix (`video:describe:v2`), when its keys have one.
   */
  record(id: string, prefix?: string): FunctionRecord {
    let record = this.#byId.get(id)
    if (record === undefined) {
      record = new FunctionRecord(id, this.#tierCount)
      if (this.#byId.size < MAX_FUNCTIONS) this.#byId.set(id, record)
    }
    if (prefix !== undefined && this.#byPrefix.size < MAX_FUNCTIONS)
      this.#byPrefix.set(prefix, record)
    return record
  }

  /**
   * The function whose default keys `key` belongs to. A default key's prefix ends at its first segment that
   * reads as a version (`v` and a digit or `'`): key-prefix.ts guarantees that no name segment does.
   */
  byKey(key: string): FunctionRecord | undefined {
    if (this.#byPrefix.size === 0) return undefined
    const at = key.indexOf(':v')
    for (let i = at; i !== -1; i = key.indexOf(':v', i + 1)) {
      const next = key.charCodeAt(i + 2)
      if ((next >= 48 && next <= 57) || next === 39 /* ' */) {
        const end = key.indexOf(':', i + 2)
        return this.#byPrefix.get(end === -1 ? key : key.slice(0, end))
      }
    }
    return undefined
  }

  /** Every function's report, by id. */
  report(tierNames: readonly string[]): Record<string, FunctionStats> {
    return Object.fromEntries([...this.#byId].map(([id, r]) => [id, r.report(tierNames)]))
  }
}

/** The id of a cached function: `namespace:name:v<version>`. */
export function functionId(
  namespace: string | undefined,
  name: string,
  version: string | number = 1,
) {
  return `${namespace === undefined ? '' : `${namespace}:`}${name || 'anonymous'}:v${version}`
}
