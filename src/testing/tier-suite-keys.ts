import { compilePattern } from '../core/pattern'
import type { Tier } from '../storage/tier'
import type { FakeClock } from './fake-clock'
import { HOSTILE_KEYS } from './hostile-keys'
import type { TestFunctions } from './test-functions'

/** What the key-listing tests need of `describeTier`: its runner, the tier and clock of the running test. */
export interface KeyListingContext {
  test: TestFunctions
  tier: () => Tier
  clock: () => FakeClock
  makeEntry: (key: string, value: unknown, expiresAt: number) => Parameters<Tier['set']>[0]
  /** The storage expires entries on its own clock: the fake one cannot expire them. */
  expiresByItself: boolean
}

/** Everything `tier.keys(match)` yields, in order. */
export async function collectKeys(
  tier: Tier,
  match?: Parameters<NonNullable<Tier['keys']>>[0],
): Promise<string[]> {
  const keys: string[] = []
  for await (const key of tier.keys!(match)) keys.push(key)
  return keys
}

/** The tests of the optional `keys()` of a tier (`listsKeys: true`). */
export function describeKeyListing(ctx: KeyListingContext): void {
  const { it, expect } = ctx.test
  const sorted = (keys: readonly string[]) => [...keys].sort()
  const later = () => ctx.clock().now() + 60_000

  it('keys() lists every key held, once, hostile and hashed ones included', async () => {
    const keys = [...new Set([...HOSTILE_KEYS, 'video_1', `video_${'x'.repeat(300)}`])]
    for (const key of keys) await ctx.tier().set(ctx.makeEntry(key, key.length, later()))
    expect(sorted(await collectKeys(ctx.tier()))).toEqual(sorted(keys))
  })

  it('keys(match) lists only the keys match accepts, a glob or a bare predicate', async () => {
    const longVideoKey = `video_${'x'.repeat(300)}`
    const keys = ['video_1', 'video_2', longVideoKey, 'audio_1', 'Video_3', 'xvideo_4']
    for (const key of keys) await ctx.tier().set(ctx.makeEntry(key, 1, later()))
    const videos = keys.filter((key) => key.startsWith('video_'))
    expect(sorted(await collectKeys(ctx.tier(), compilePattern('video_*')))).toEqual(sorted(videos))
    expect(await collectKeys(ctx.tier(), (key) => key.endsWith('_4'))).toEqual(['xvideo_4'])
    expect(await collectKeys(ctx.tier(), compilePattern('none_*'))).toEqual([])
  })

  if (!ctx.expiresByItself)
    it('keys() leaves out expired entries', async () => {
      await ctx.tier().set(ctx.makeEntry('short', 1, ctx.clock().now() + 1_000))
      await ctx.tier().set(ctx.makeEntry('long', 2, ctx.clock().now() + 5_000))
      await ctx.tier().set(ctx.makeEntry('never', 3, Infinity))
      ctx.clock().advance(1_000)
      expect(sorted(await collectKeys(ctx.tier()))).toEqual(['long', 'never'])
    })

  it('keys() of an empty tier yields nothing; a listing left early leaves the tier working', async () => {
    expect(await collectKeys(ctx.tier())).toEqual([])
    for (let i = 0; i < 50; i++) await ctx.tier().set(ctx.makeEntry(`k${i}`, i, later()))
    let seen = 0
    for await (const _key of ctx.tier().keys!()) if (++seen === 3) break
    expect(seen).toBe(3)
    await ctx.tier().set(ctx.makeEntry('after', 'x', later()))
    expect((await ctx.tier().get('after'))?.value).toBe('x')
    expect((await collectKeys(ctx.tier())).length).toBe(51)
  })
}
