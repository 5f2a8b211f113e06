import type { InProcessTier } from './tier'
import type { TagCounters, TagStamps } from './tier-tags'

/** How a tag-counter call reaches the tier: through the tier stack's guard, so a failure is a StorageError. */
export type GuardedCall = <R>(action: string, op: () => Promise<R>) => Promise<R>

/**
 * Sequence numbers come from one process-wide counter, so that a stamp checked by one `TagVersions` never
 * looks checked to another (a tier shared by two caches).
 */
let lastSequence = 0
const nextSequence = () => ++lastSequence

/** Past this many tags, what is remembered of them is dropped (see `#bound`). */
const MAX_REMEMBERED = 100_000

/**
 * What this process knows of the tag counters, and the in-process side of tag invalidation. The counters
 * live in the tier that keeps them (`authority`: the last tier with `TagCounters`, the one most widely
 * shared); without one, here. A memory hit on a tagged entry compares its stamps with the counters known
 * here: a Map lookup per tag, no I/O. Invalidations reach this process through `invalidate` (its own),
 * `receive` (the bus) and `learn` (a counter read from the tier that moved); an entry found in a slower
 * tier is checked against the tier's counters themselves.
 */
export class TagVersions {
  /**
   * Tag → counter known. A negative number `-(n + 1)` means "changed since n, new counter not read yet":
   * no stamp (always ≥ 0) equals it, so entries of the tag are misses until a higher counter is learnt.
   */
  readonly #known = new Map<string, number>()
  /** Tag → `#sequence` at its last change seen here: a computation begun before it does not store. */
  readonly #changedAt = new Map<string, number>()
  #sequence = nextSequence()
  /** Computations begun before this sequence count as overlapping a change (see `#bound`). */
  #floor = 0
  readonly #authority: (TagCounters & { readonly shared?: boolean }) | undefined
  readonly #call: GuardedCall

  constructor(
    authority: (TagCounters & { readonly shared?: boolean }) | undefined,
    call: GuardedCall,
  ) {
    this.#authority = authority
    this.#call = call
  }

  /** A number that grows with every tag change seen here: a computation records it when it begins. */
  get sequence(): number {
    return this.#sequence
  }

  /**
   * Whether every stamp is the counter known here. The in-process hit path's check. Every change here that
   * could fail a stamp that passed moves `#sequence`, so a stamp that passed at the current sequence passes
   * again without a lookup: one comparison per hit until some tag changes.
   */
  isCurrent(stamps: TagStamps): boolean {
    if (stamps.checkedAt === this.#sequence) return true
    const { tags, counters } = stamps
    for (let i = 0; i < tags.length; i++)
      if (this.#known.get(tags[i]!) !== counters[i]) return false
    stamps.checkedAt = this.#sequence
    return true
  }

  /** True when one of `tags` changed since `since` (a `sequence` read when a computation began). */
  changedSince(tags: readonly string[], since: number): boolean {
    if (since < this.#floor) return tags.length > 0
    for (const tag of tags) if ((this.#changedAt.get(tag) ?? -1) > since) return true
    return false
  }

  /**
   * The stamps for an entry of `tags` computed since `since`: the current counters (read from the
   * authority, synchronously when counters live here), or undefined when a tag changed since `since`.
   */
  stampsFor(
    tags: readonly string[],
    since: number,
  ): TagStamps | undefined | Promise<TagStamps | undefined> {
    const unique = tags.length > 1 ? [...new Set(tags)] : tags
    if (this.#authority === undefined) {
      if (this.changedSince(unique, since)) return undefined
      const counters = unique.map((tag) => this.#localCounter(tag))
      return { tags: unique, counters, checkedAt: -1 }
    }
    const authority = this.#authority
    return this.#call('read tag counters of', () => authority.tagVersions(unique)).then(
      (counters) => {
        this.learn(unique, counters)
        // Checked after the read: a change noted before it may be in the counters read, or not.
        if (this.changedSince(unique, since)) return undefined
        return { tags: unique, counters, checkedAt: -1 }
      },
    )
  }

  /** Whether an entry found in a slower tier is still valid: its stamps against the authority's counters. */
  async check(stamps: TagStamps): Promise<boolean> {
    const { tags, counters } = stamps
    // Counters here (no tier keeps them): a tag this process never invalidated is at 0, as after a restart.
    if (this.#authority === undefined)
      return tags.every((tag, i) => this.#localCounter(tag) === counters[i])
    const authority = this.#authority
    const versions = await this.#call('read tag counters of', () => authority.tagVersions(tags))
    this.learn(tags, versions)
    return versions.every((version, i) => counters[i] === version)
  }

  /**
   * Invalidates `tags`: at once here (entries of the tags are misses, computations under way will not
   * store), then in the authority. Resolves to the counters after the change.
   */
  async invalidate(tags: readonly string[]): Promise<number[]> {
    this.#noteChange(tags)
    if (this.#authority === undefined) return tags.map((tag) => this.#localCounter(tag))
    const authority = this.#authority
    const versions = await this.#call('invalidate tags of', () => authority.bumpTags(tags))
    this.learn(tags, versions)
    return versions
  }

  /**
   * Another process invalidated `tags` (a bus message), and says what the counters became when it knows.
   * Counters in a shared tier (Redis) moved already: learnt from the message. Counters in a tier local to
   * this host (a file tier) are moved here too, as a bus message removes keys from local tiers.
   */
  async receive(tags: readonly string[], versions?: readonly number[]): Promise<void> {
    if (this.#authority === undefined || this.#authority.shared !== true) {
      await this.invalidate(tags)
      return
    }
    this.#noteChange(tags)
    if (versions) this.learn(tags, versions)
  }

  /**
   * Counters read from the authority. Counters only grow: an older reading that resolves late is ignored,
   * and a counter higher than the one known is a change this process had not heard of.
   */
  learn(tags: readonly string[], versions: readonly number[]): void {
    tags.forEach((tag, i) => {
      const version = versions[i]!
      const known = this.#known.get(tag)
      const floor = known === undefined ? -1 : known < 0 ? -known - 1 : known
      if (known !== undefined && version <= floor) return
      if (known !== undefined && known >= 0)
        this.#changedAt.set(tag, (this.#sequence = nextSequence()))
      this.#known.set(tag, version)
    })
    this.#bound()
  }

  /** Removes from `tier` the entries whose stamps are not current; returns how many. */
  async sweep(tier: InProcessTier): Promise<number> {
    let removed = 0
    for (const key of [...tier.keys()]) {
      const entry = tier.peek(key)
      if (entry?.tags !== undefined && !this.isCurrent(entry.tags) && (await tier.delete(key)))
        removed++
    }
    return removed
  }

  #noteChange(tags: readonly string[]): void {
    const sequence = (this.#sequence = nextSequence())
    for (const tag of tags) {
      this.#changedAt.set(tag, sequence)
      const known = this.#known.get(tag)
      if (this.#authority === undefined) this.#known.set(tag, (known ?? 0) + 1)
      else if (known === undefined || known >= 0) this.#known.set(tag, -((known ?? 0) + 1))
    }
    this.#bound()
  }

  /** The counter of `tag` when counters live here (0 until it is first invalidated). */
  #localCounter(tag: string): number {
    let counter = this.#known.get(tag)
    if (counter === undefined) this.#known.set(tag, (counter = 0))
    return counter
  }

  /**
   * Keeps memory bounded when a process sees very many tags. Forgetting is safe: a computation older than
   * the floor does not store, and a forgotten counter makes the in-process entries of its tag misses, read
   * again from the authority. Counters that live here cannot be forgotten (they are the only copy).
   */
  #bound(): void {
    if (this.#changedAt.size > MAX_REMEMBERED) {
      this.#changedAt.clear()
      this.#floor = this.#sequence = nextSequence()
    }
    if (this.#authority !== undefined && this.#known.size > MAX_REMEMBERED) {
      this.#known.clear()
      this.#sequence = nextSequence() // stamps checked against the forgotten counters are checked again
    }
  }
}
