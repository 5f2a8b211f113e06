import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { eachLimited } from '../../core/each-limited'
import { allocatedBytes } from './file-io'

/**
 * The maxBytes bound of the file tier: an LRU index of entry file name → allocated bytes (what `du` counts,
 * not file lengths: a tiny entry takes a whole block). Built from the folder on first need; this process's view.
 */
export class ByteBudget {
  #index: Map<string, number> | undefined
  /** The one load of #index under way: concurrent first writes must share it, or a write lands in a map that is then replaced. */
  #indexLoad: Promise<Map<string, number>> | undefined
  #bytes = 0
  evictions = 0

  constructor(
    readonly maxBytes: number,
    private readonly dir: string,
    private readonly listNames: () => Promise<string[]>,
  ) {}

  /** Records that `name` now takes `size` bytes, and evicts the least recently used others while over the bound. */
  async account(
    name: string,
    size: number,
    evict: (victim: string) => Promise<boolean>,
  ): Promise<void> {
    // One load shared by concurrent first writes; a failed load is forgotten, so the next write tries again.
    const index =
      this.#index ??
      (await (this.#indexLoad ??= this.#load().catch((err: unknown) => {
        this.#indexLoad = undefined
        throw err
      })))
    this.#bytes += size - (index.get(name) ?? 0)
    index.delete(name)
    index.set(name, size)
    for (const victim of index.keys()) {
      if (this.#bytes <= this.maxBytes || victim === name) break
      if (await evict(victim)) this.evictions++
      else this.forget(victim)
    }
  }

  /** `name` was read: it becomes the most recently used. */
  touch(name: string): void {
    const size = this.#index?.get(name)
    if (size === undefined) return
    this.#index!.delete(name)
    this.#index!.set(name, size)
  }

  /** `name` is gone from the folder. */
  forget(name: string): void {
    const size = this.#index?.get(name)
    if (size === undefined) return
    this.#index!.delete(name)
    this.#bytes -= size
  }

  /** Other processes write here too: the index is rebuilt from disk on next need. */
  reset(): void {
    this.#index = undefined
    this.#indexLoad = undefined
  }

  async #load(): Promise<Map<string, number>> {
    const found: { name: string; size: number; ctimeMs: number }[] = []
    await eachLimited(await this.listNames(), async (name) => {
      try {
        const info = await lstat(join(this.dir, name))
        if (info.isFile()) found.push({ name, size: allocatedBytes(info), ctimeMs: info.ctimeMs })
      } catch {
        // removed meanwhile
      }
    })
    found.sort((a, b) => a.ctimeMs - b.ctimeMs) // last written last: the best recency a fresh process can know
    this.#index = new Map(found.map((f) => [f.name, f.size]))
    this.#bytes = found.reduce((sum, f) => sum + f.size, 0)
    return this.#index
  }
}
