import type { Entry, Tier, TierStats } from '../../src/storage/tier'

/** A Tier whose every call rejects (after bentocache's ChaosCache): drives the error and fallback paths. */
export class FailingTier implements Tier {
  readonly needsEncoded = true
  /** The methods called so far, in order. */
  readonly calls: string[] = []

  constructor(
    readonly name = 'failing',
    readonly error: () => Error = () => new Error('chaos: tier unavailable'),
  ) {}

  get(_key: string): Promise<Entry | undefined> {
    return this.#fail('get')
  }

  set(_entry: Entry): Promise<void> {
    return this.#fail('set')
  }

  delete(_key: string): Promise<boolean> {
    return this.#fail('delete')
  }

  clear(): Promise<number> {
    return this.#fail('clear')
  }

  prune(): Promise<number> {
    return this.#fail('prune')
  }

  stats(): Promise<TierStats> {
    return this.#fail('stats')
  }

  close(): Promise<void> {
    return this.#fail('close')
  }

  async #fail(method: string): Promise<never> {
    this.calls.push(method)
    throw this.error()
  }
}
