import { statSync, writeFileSync } from 'node:fs'
import { readdir, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { ByteBudget } from '../../../src/storage/tiers/file-budget'
import { allocatedBytes } from '../../../src/storage/tiers/file-io'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()

/**
 * A real folder, a budget over it, and an evict that, as FileTier's does, removes the file, tells the budget
 * (forget), and writes down what it removed.
 */
function setup(maxBytes: number) {
  const dir = makeTempDir()
  let listings = 0
  const budget = new ByteBudget(maxBytes, dir, async () => (listings++, readdir(dir)))
  const evicted: string[] = []
  const evict = async (name: string) => {
    evicted.push(name)
    try {
      await unlink(join(dir, name)) // not rm(): it takes a file removed meanwhile as removed by it
    } catch {
      return false // removed by a concurrent eviction
    }
    budget.forget(name)
    return true
  }
  /** Writes `name` with `size` bytes and accounts for it as the tier does. */
  const write = async (name: string, size: number) => {
    writeFileSync(join(dir, name), 'x'.repeat(size))
    await budget.account(name, allocatedBytes(statSync(join(dir, name))), evict)
  }
  return { dir, budget, evicted, evict, write, listings: () => listings }
}

describe('ByteBudget', () => {
  const block = (() => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'probe'), 'x')
    return allocatedBytes(statSync(join(dir, 'probe'))) // what one small file takes on this file system
  })()

  it('evicts nothing while under the bound', async () => {
    const { write, evicted, budget } = setup(10 * block)
    for (let i = 0; i < 5; i++) await write(`e${i}`, 10)
    expect(evicted).toEqual([])
    expect(budget.evictions).toBe(0)
  })

  it('evicts the least recently used first, a read counting as a use, never the entry just written', async () => {
    const { write, evicted, budget } = setup(3 * block)
    await write('a', 10)
    await write('b', 10)
    await write('c', 10)
    budget.touch('a') // read: now the most recently used
    await write('d', 10)
    expect(evicted).toEqual(['b'])
    await write('e', 10)
    expect(evicted).toEqual(['b', 'c'])
    expect(budget.evictions).toBe(2)
  })

  it('an entry larger than the bound on its own is kept; the others go', async () => {
    const { write, evicted } = setup(2 * block)
    await write('small', 10)
    await write('huge', 3 * block)
    expect(evicted).toEqual(['small'])
  })

  it('a victim already gone is forgotten, not counted as an eviction', async () => {
    const { budget, write, dir } = setup(2 * block)
    await write('a', 10)
    await write('b', 10)
    await rm(join(dir, 'a'))
    writeFileSync(join(dir, 'c'), 'x')
    await budget.account('c', block, async () => false)
    expect(budget.evictions).toBe(0)
    const after: string[] = []
    writeFileSync(join(dir, 'd'), 'x')
    await budget.account('d', block, async (victim) => {
      after.push(victim)
      budget.forget(victim)
      return true
    })
    expect(after).toEqual(['b']) // 'a' left the index: only b and c count, and b is older
  })

  it('builds its index from the folder, oldest first, once for concurrent first writes', async () => {
    const { dir, budget, evict, listings } = setup(3 * block)
    for (const name of ['old', 'mid', 'new', 'w1', 'w2']) {
      writeFileSync(join(dir, name), 'x')
      await new Promise((resolve) => setTimeout(resolve, 20)) // distinct ctimes: the only order the folder keeps
    }
    await Promise.all([budget.account('w1', block, evict), budget.account('w2', block, evict)])
    expect(listings()).toBe(1)
    expect((await readdir(dir)).sort()).toEqual(['new', 'w1', 'w2'])
    expect(budget.evictions).toBe(2)
  })

  it('a failed load is forgotten: the next write loads again', async () => {
    const dir = makeTempDir()
    let attempts = 0
    const budget = new ByteBudget(10 * block, dir, async () => {
      if (++attempts === 1) throw new Error('folder unreadable for a moment')
      return readdir(dir)
    })
    await expect(budget.account('a', block, async () => true)).rejects.toThrow('unreadable')
    await expect(budget.account('a', block, async () => true)).resolves.toBeUndefined()
    expect(attempts).toBe(2)
  })

  it('reset() rebuilds the index from disk on next need (other processes write too)', async () => {
    const { dir, budget, write, evicted, listings } = setup(2 * block)
    await write('a', 10)
    writeFileSync(join(dir, 'by-another-process'), 'x')
    budget.reset()
    await write('b', 10)
    expect(listings()).toBe(2)
    expect(evicted).toEqual(['a'])
  })
})
