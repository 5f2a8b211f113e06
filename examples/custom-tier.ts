/**
 * Writing a tier: a Map-backed Tier in a few lines. Start here for a tier of your own, and run the
 * compliance suite (`describeTier` from tiercache/testing) against it, as test/testing/custom-tier.test.ts does.
 * Run: npx ts-node examples/custom-tier.ts
 */
import {
  Cache,
  MemoryTier,
  systemClock,
  type Clock,
  type Entry,
  type KeyPredicate,
  type Tier,
  type TierStats,
} from '../src'

export class MapTier implements Tier {
  readonly name = 'map'
  readonly needsEncoded = true // store the codec's text, as a remote tier would
  readonly #entries = new Map<string, Entry>()

  constructor(private readonly clock: Clock = systemClock) {}

  async get(key: string): Promise<Entry | undefined> {
    const entry = this.#entries.get(key)
    if (entry && entry.expiresAt <= this.clock.now()) this.#entries.delete(key)
    else return entry
    return undefined
  }
  async set(entry: Entry): Promise<void> {
    this.#entries.set(entry.key, entry)
  }
  async delete(key: string): Promise<boolean> {
    return this.#entries.delete(key)
  }
  async clear(match?: KeyPredicate): Promise<number> {
    let removed = 0
    for (const key of [...this.#entries.keys()])
      if ((!match || match(key)) && this.#entries.delete(key)) removed++
    return removed
  }
  async prune(): Promise<number> {
    const now = this.clock.now()
    return this.clear((key) => this.#entries.get(key)!.expiresAt <= now)
  }
  async stats(): Promise<TierStats> {
    let bytes = 0
    for (const entry of this.#entries.values()) bytes += entry.encoded?.length ?? 0
    return { entries: this.#entries.size, bytes, evictions: 0 }
  }
  async close(): Promise<void> {}
}

async function main() {
  const cache = new Cache({ tiers: [new MemoryTier({ maxEntries: 100 }), new MapTier()] })
  await cache.set('greeting', { text: 'hello' })
  console.log('read back:', await cache.get('greeting'))
  console.log(
    'stats:',
    (await cache.stats()).tiers.map((t) => `${t.name}: ${t.entries} entries`).join(', '),
  )
  await cache.close()
}

if (require.main === module) void main()
