import { tierScopes } from '../../src/storage/tier-scopes'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FileTier } from '../../src/storage/tiers/file'
import type { Tier } from '../../src/storage/tier'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

describe('tierScopes', () => {
  it('groups memory → local file → shared tier by where a removal must reach', () => {
    const memory = new MemoryTier()
    const file = new FileTier({ dir: makeTempDir() })
    // A shared tier as a bus sees it: any tier that says `shared: true` (RedisTier does).
    const shared = Object.assign(new FileTier({ dir: makeTempDir() }), { shared: true }) as Tier
    const { inProcess, of } = tierScopes([memory, file, shared])
    const names = (layers: readonly { index: number }[]) => layers.map((l) => l.index)
    expect(names(inProcess)).toEqual([0])
    expect(names(of['every tier'])).toEqual([0, 1, 2])
    expect(names(of['in-process'])).toEqual([0])
    expect(names(of.local)).toEqual([0, 1])
    expect(names(of.persistent)).toEqual([1, 2])
    expect(names(of['local persistent'])).toEqual([1])
  })
})
