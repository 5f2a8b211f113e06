/**
 * Scenario 1t: what tags cost on the hit path. Scenario 1's memory hit through `withCache`, primitive args,
 * untagged (the baseline) against the same function with tags: a hit on a tagged entry compares each of its
 * stamps with the counter known in-process (a Map lookup per tag, no I/O). Half-way through the fill,
 * unrelated tags are invalidated, so the known counters are not all zero.
 */
import { Cache, MemoryTier, withCache } from '../src'
import { contender, randomOrder, typeName } from './fixtures'
import { timed, type Contender, type Profile, type Scenario, type Verdict } from './harness'
import { freshLoops } from './loops'

interface Segment {
  videoId: string
  segmentId: number
  fps: number
}

const VARIANTS: { name: string; baseline?: boolean; tags?: (videoId: string) => string[] }[] = [
  { name: 'tiercache withCache hit, untagged (baseline)', baseline: true },
  { name: 'tiercache withCache hit, 1 tag', tags: (videoId) => [`video:${videoId}`] },
  {
    name: 'tiercache withCache hit, 3 tags',
    tags: (videoId) => [`video:${videoId}`, `channel:${videoId.length % 7}`, 'catalog'],
  },
]

function taggedHit(profile: Profile, random: () => number): Scenario {
  const keys = profile.memoryKeys
  const videoIds = Array.from({ length: keys }, (_, i) => `vid${Math.floor(i / 10)}`)
  const segmentIds = Array.from({ length: keys }, (_, i) => i % 10)
  const order = randomOrder(1 << 20, keys, random)

  const contenders = VARIANTS.map((variant): Contender => {
    const loops = freshLoops()
    let cache: Cache
    let call: (videoId: string, segmentId: number) => Promise<Segment>
    let runs = 0
    let cursor = 0
    const check = (verdict: Verdict, got: unknown, k: number) => {
      const s = got as Segment
      if (s === null || typeof s !== 'object') verdict.fail(`wrong type: ${typeName(got)}`)
      else if (s.videoId !== videoIds[k] || s.segmentId !== segmentIds[k])
        verdict.fail(`wrong value for key ${k}: ${JSON.stringify(s).slice(0, 80)}`)
    }
    return contender({
      name: variant.name,
      baseline: variant.baseline,
      async setup(verdict) {
        cache = new Cache({
          tiers: [new MemoryTier({ maxEntries: keys * 2 })],
          cleanupInterval: false,
        })
        const tagsOf = variant.tags
        call = withCache(
          async function getSegment(videoId: string, segmentId: number): Promise<Segment> {
            runs++
            return { videoId, segmentId, fps: 30 }
          },
          {
            cache,
            ...(tagsOf && { tags: (videoId: string, _segment: number) => tagsOf(videoId) }),
          },
        )
        for (let k = 0; k < keys; k++) {
          if (k === keys >> 1) await cache.invalidateTags(['video:unrelated', 'channel:99'])
          check(verdict, await call(videoIds[k]!, segmentIds[k]!), k)
        }
        verdict.expect(runs === keys, () => `filling ${keys} keys ran the function ${runs} times`)
      },
      async batch(ops, verdict) {
        const runsBefore = runs
        const sample = await timed(ops, () =>
          loops.hitPrimitive(call, order, videoIds, segmentIds, cursor, ops, (got, k) =>
            check(verdict, got, k),
          ),
        )
        cursor += ops
        verdict.expect(
          runs === runsBefore,
          () => `${runs - runsBefore} of ${ops} hits ran the function`,
        )
        return sample
      },
      teardown: async () => void (await cache?.close()),
    })
  })
  return {
    id: '1t',
    title: 'memory hit, withCache, tagged entries against untagged ones',
    contenders,
    minOps: 256,
    notes: [
      `${keys} keys, filled once (two unrelated tags invalidated half-way), then read in a seeded random order.`,
    ],
  }
}

export function tagScenarios(
  profile: Profile,
  random: () => number,
  selected: (id: string) => boolean,
): Scenario[] {
  return selected('1t') ? [taggedHit(profile, random)] : []
}
