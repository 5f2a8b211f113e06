import { checkKey } from '../core/keys'
import type { KeyMatcher, KeyPattern } from '../core/pattern'
import type { BusLink } from './bus-link'
import type { TtlArgument } from './cache-types'
import type { Invalidation } from './invalidation'
import type { LifetimePolicy } from './lifetimes'
import { checkTags } from './tag-options'
import type { TierStack } from './tier-stack'

/**
 * The change path of a Cache: `set`, `delete`, `clear` and `invalidateTags` go through the invalidation path
 * to the tiers, then, with a bus, one message tells the fleet (see BusLink).
 */
export class CacheChanges {
  readonly #stack: TierStack
  readonly #lifetimes: LifetimePolicy
  readonly #invalidation: Invalidation
  readonly #bus: BusLink | undefined

  constructor(parts: {
    stack: TierStack
    lifetimes: LifetimePolicy
    invalidation: Invalidation
    bus: BusLink | undefined
  }) {
    this.#stack = parts.stack
    this.#lifetimes = parts.lifetimes
    this.#invalidation = parts.invalidation
    this.#bus = parts.bus
  }

  /** `Cache.set`: stores `value` in every tier, unless one of its tags is invalidated meanwhile. */
  async set(key: string, value: unknown, ttl?: TtlArgument): Promise<void> {
    checkKey(key)
    const lifetimes = this.#lifetimes.of(ttl)
    const tags = ttl !== null && typeof ttl === 'object' ? ttl.tags : undefined
    if (tags !== undefined) checkTags(tags)
    const tagging = tags?.length ? { tags, since: this.#stack.tags.sequence } : undefined
    await this.#invalidation.invalidate({ key }, 'none')
    await this.announce({ key }, this.#stack.write(key, value, lifetimes, tagging))
  }

  /** `Cache.invalidateTags`: every entry stored with one of `tags`, in every tier and process. */
  async invalidateTags(tags: string | readonly string[]): Promise<void> {
    const list = typeof tags === 'string' ? [tags] : tags
    checkTags(list, 'invalidateTags: tags')
    if (list.length === 0) return
    const work = this.#invalidation.invalidateTags(list, 'every tier')
    await (this.#bus ? this.#bus.afterTags(list, work) : work)
  }

  /** `Cache.delete`: removes `key` from every tier; true if any tier held it. */
  async delete(key: string): Promise<boolean> {
    checkKey(key)
    return (await this.announce({ key }, this.#invalidation.invalidate({ key }, 'every tier'))) > 0
  }

  /** `Cache.clear` past an exact key: removes the keys `match` accepts (every key when undefined). */
  clear(match: KeyMatcher | undefined, pattern: KeyPattern | undefined): Promise<number> {
    return this.announce({ pattern }, this.#invalidation.invalidate({ match }, 'every tier'))
  }

  /** `work` (a write of `change`), then, with a bus, one message telling the fleet (see BusLink). */
  announce<T>(
    change: { key: string } | { pattern: KeyPattern | undefined },
    work: Promise<T> | T,
  ): Promise<T> {
    return this.#bus ? this.#bus.after(change, work) : Promise.resolve(work)
  }
}
