import { MapTier } from '../../examples/custom-tier'
import { isInProcessTier, type Tier } from '../../src/storage/tier'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

describe('isInProcessTier', () => {
  it('is true for the memory tier and false for the file tier and a remote-style tier', async () => {
    const file = new FileTier({ dir: makeTempDir() })
    expect(isInProcessTier(new MemoryTier())).toBe(true)
    expect(isInProcessTier(file)).toBe(false)
    expect(isInProcessTier(new MapTier())).toBe(false)
    await file.close()
  })

  it('checks capabilities, not classes: a tier of another copy of the library counts', () => {
    const memory = new MemoryTier()
    const lookalike = {
      peek: memory.peek.bind(memory),
      put: memory.put.bind(memory),
      isCurrent: memory.isCurrent.bind(memory),
      keys: memory.keys.bind(memory),
    } as unknown as Tier
    expect(isInProcessTier(lookalike)).toBe(true)
  })

  it.each(['peek', 'put', 'isCurrent', 'keys'] as const)(
    'is false when %s is missing: all four are needed',
    (missing) => {
      const memory = new MemoryTier()
      const partial: Record<string, unknown> = {
        peek: () => undefined,
        put: () => {},
        isCurrent: () => false,
        keys: () => memory.keys(),
      }
      delete partial[missing]
      expect(isInProcessTier(partial as unknown as Tier)).toBe(false)
    },
  )
})
