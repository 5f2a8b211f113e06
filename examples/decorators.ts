/**
 * @Cached, @CacheConfig and @InvalidatesCache on a service class. Works with standard decorators (as here)
 * and with experimentalDecorators (no reflect-metadata needed).
 * Run: npx ts-node examples/decorators.ts
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache, Cached, CacheConfig, InvalidatesCache } from '../src'

const cache = new Cache({ cacheDir: mkdtempSync(join(tmpdir(), 'tiercache-decorators-')) })
let modelRuns = 0

@CacheConfig({ namespace: 'video', version: 2, cache })
class VideoService {
  @Cached({
    ttl: 3600,
    key: (videoId: string, segmentId: string) => `video_${videoId}_segment_${segmentId}`,
  })
  async processVideoSegment(videoId: string, segmentId: string) {
    modelRuns++
    await new Promise((resolve) => setTimeout(resolve, 200))
    return { videoId, segmentId, caption: `segment ${segmentId} of ${videoId}` }
  }

  @InvalidatesCache((videoId: string) => [`video_${videoId}_*`])
  async updateVideo(videoId: string, patch: { title: string }) {
    return { videoId, ...patch }
  }
}

async function main() {
  const service = new VideoService()
  await service.processVideoSegment('abc', '1')
  await service.processVideoSegment('abc', '1')
  console.log('model runs after two calls:', modelRuns)
  await service.updateVideo('abc', { title: 'Edited' })
  await service.processVideoSegment('abc', '1')
  console.log('model runs after an update invalidated the video:', modelRuns)
  await cache.close()
}

void main()
