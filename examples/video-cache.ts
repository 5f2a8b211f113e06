/**
 * The guide's custom wrapper: a domain-specific VideoCache over one Cache, with targeted invalidation.
 * Run: npx ts-node examples/video-cache.ts
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache, isStorageError } from '../src'

export class VideoCache {
  readonly cache: Cache

  constructor(cacheDir: string) {
    this.cache = new Cache({ cacheDir, ttl: 3600 })
  }

  getAnalysis(videoId: string) {
    return this.cache.get<Record<string, unknown>>(`analysis_${videoId}`)
  }

  setAnalysis(videoId: string, analysis: Record<string, unknown>) {
    return this.cache.set(`analysis_${videoId}`, analysis)
  }

  setTranscription(videoId: string, text: string) {
    return this.cache.set(`transcription_${videoId}`, text)
  }

  /** Clears every cache entry related to this video; a storage failure on one pattern does not stop the rest. */
  async invalidateVideo(videoId: string): Promise<number> {
    let removed = 0
    for (const pattern of [
      `analysis_${videoId}`,
      `metadata_${videoId}`,
      `transcription_${videoId}`,
    ]) {
      try {
        removed += await this.cache.clear(pattern)
      } catch (err) {
        if (!isStorageError(err)) throw err
      }
    }
    return removed
  }
}

async function main() {
  const videos = new VideoCache(mkdtempSync(join(tmpdir(), 'tiercache-videocache-')))
  await videos.setAnalysis('42', { objects: ['dog'] })
  await videos.setTranscription('42', 'woof')
  await videos.setAnalysis('43', { objects: ['cat'] })
  console.log('analysis of 42:', await videos.getAnalysis('42'))
  console.log('entries removed for video 42:', await videos.invalidateVideo('42'))
  console.log('analysis of 42 afterwards:', await videos.getAnalysis('42'))
  console.log('analysis of 43 untouched:', await videos.getAnalysis('43'))
  await videos.cache.close()
}

if (require.main === module) void main()
