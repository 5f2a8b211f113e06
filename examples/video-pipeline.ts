/**
 * The video pipeline: an expensive model call and an API call, each wrapped once with withCache.
 * Run: npx ts-node examples/video-pipeline.ts
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache, withCache } from '../src'

/** Stands in for seconds of GPU time. */
async function runSegmentModel(videoId: string, segmentId: number) {
  await new Promise((resolve) => setTimeout(resolve, 300))
  return {
    videoId,
    segmentId,
    labels: ['person', 'car'],
    embedding: new Float32Array([0.1, 0.2, 0.3]),
  }
}

/** Stands in for a metadata API. */
async function fetchVideoMetadata(videoId: string) {
  await new Promise((resolve) => setTimeout(resolve, 100))
  return { videoId, title: `Video ${videoId}`, durationSeconds: 125, fetchedAt: new Date() }
}

export function makePipeline(cache: Cache) {
  return {
    processVideoSegment: withCache(runSegmentModel, {
      cache,
      key: 'processVideoSegment',
      namespace: 'video',
      version: 2,
      ttl: '7d',
    }),
    getVideoMetadata: withCache(fetchVideoMetadata, {
      cache,
      key: 'getVideoMetadata',
      namespace: 'video',
      ttl: '30m',
    }),
  }
}

async function main() {
  const cache = new Cache({
    cacheDir: process.argv[2] ?? mkdtempSync(join(tmpdir(), 'tiercache-example-')),
  })
  const { processVideoSegment, getVideoMetadata } = makePipeline(cache)
  for (const round of ['first', 'second']) {
    const started = Date.now()
    const segment = await processVideoSegment('abc', 4)
    const metadata = await getVideoMetadata('abc')
    console.log(
      `${round} call: ${Date.now() - started} ms, labels ${segment.labels.join(',')}, title "${metadata.title}"`,
    )
  }
  console.log('key of segment 4:', processVideoSegment.keyFor('abc', 4))
  await cache.close()
}

if (require.main === module) void main()
