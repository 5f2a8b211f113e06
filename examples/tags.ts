/**
 * The guide's `update_video`, with tags. The guide clears the whole cache when a video changes ("Consider
 * more targeted clearing"); a glob such as `video_abc_*` only finds keys that spell the video out. Tags find
 * everything derived from the video: results keyed by a hashed object argument, results of other functions
 * in other namespaces, and a playlist summary that merely contains the video.
 * Run: npx ts-node examples/tags.ts
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache, withCache } from '../src'

const cache = new Cache({ cacheDir: mkdtempSync(join(tmpdir(), 'tiercache-tags-')), ttl: '1d' })
const videoTag = (videoId: string) => `video:${videoId}`
const runs: string[] = []

/** Vision model on sampled frames: its key holds a hash of the options object. */
const describeFrames = withCache(
  async (query: { videoId: string; fps: number }) => {
    runs.push(`describeFrames(${query.videoId})`)
    return `scenes of ${query.videoId} at ${query.fps} fps`
  },
  { cache, namespace: 'vision', tags: (query) => [videoTag(query.videoId)] },
)

/** Speech to text, in another namespace. */
const transcribe = withCache(
  async function transcribe(videoId: string) {
    runs.push(`transcribe(${videoId})`)
    return `words of ${videoId}`
  },
  { cache, namespace: 'text', tags: (videoId) => [videoTag(videoId)] },
)

/** A summary of a playlist: derived from every video in it, so its tags come from the result. */
const playlists: Record<string, string[]> = { weekly: ['abc', 'def'], archive: ['xyz'] }
const summarizePlaylist = withCache(
  async function summarizePlaylist(playlistId: string) {
    runs.push(`summarizePlaylist(${playlistId})`)
    return { playlistId, videoIds: playlists[playlistId]! }
  },
  { cache, namespace: 'text', resultTags: (summary) => summary.videoIds.map(videoTag) },
)

/** The guide's update_video: update, then invalidate exactly what was derived from the video. */
async function updateVideo(videoId: string) {
  runs.push(`update(${videoId})`) // process_video_update(video_id)
  await cache.invalidateTags([videoTag(videoId)])
}

async function useEverything() {
  await describeFrames({ videoId: 'abc', fps: 2 })
  await describeFrames({ videoId: 'xyz', fps: 2 })
  await transcribe('abc')
  await transcribe('xyz')
  await summarizePlaylist('weekly')
  await summarizePlaylist('archive')
}

async function main() {
  await useEverything()
  await useEverything()
  console.log('computations for two rounds of calls:', runs.length) // 6: the second round hits
  runs.length = 0

  await updateVideo('abc')
  await useEverything()
  console.log('recomputed after updateVideo("abc"):', runs.slice(1).join(', '))

  runs.length = 0
  await useEverything()
  console.log('recomputed on the next round:', runs.length)
  await cache.close()
}

void main()
