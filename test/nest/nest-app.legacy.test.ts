// A real Nest application context (Nest needs experimentalDecorators and emitDecoratorMetadata: this file is
// compiled by the legacy-decorators Jest project, test/tsconfig.legacy.json).
import 'reflect-metadata'
import { Injectable, Module, type OnModuleInit } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { Cache, Cached, CacheConfig, FileTier, MemoryTier } from '../../src'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

/** What the cached service reads; counts its reads, so a cache hit shows as a read that did not happen. */
@Injectable()
class VideoRepository {
  reads = 0

  async load(id: string) {
    this.reads++
    return { id, title: `Video ${id}`, loadedAt: new Date() }
  }
}

@Injectable()
@CacheConfig({ namespace: 'video', version: 1, cache: (self: VideoService) => self.cache })
class VideoService {
  constructor(
    readonly repository: VideoRepository,
    readonly cache: Cache,
  ) {}

  @Cached({ ttl: '10m' })
  async metadata(id: string) {
    return this.repository.load(id)
  }
}

/** Uses the cached service while the module starts: before any code outside Nest could set a default cache. */
@Injectable()
class Warmup implements OnModuleInit {
  warmed: unknown

  constructor(private readonly videos: VideoService) {}

  async onModuleInit() {
    this.warmed = await this.videos.metadata('warm')
  }
}

function appModule(cacheDir: string) {
  @Module({
    providers: [
      VideoRepository,
      VideoService,
      Warmup,
      // The Cache itself is a provider: the class is the injection token.
      {
        provide: Cache,
        useFactory: () =>
          new Cache({
            tiers: [new MemoryTier(), new FileTier({ dir: cacheDir })],
            cleanupInterval: false,
          }),
      },
    ],
  })
  class AppModule {}
  return AppModule
}

describe('tiercache in a Nest application context', () => {
  it('injects the service, its repository and the Cache provider, and caches through the injected Cache', async () => {
    const app = await NestFactory.createApplicationContext(appModule(makeTempDir()), {
      logger: false,
    })
    try {
      const videos = app.get(VideoService)
      const repository = app.get(VideoRepository)
      const cache = app.get(Cache)
      // Dependency injection went through the decorated class: constructor parameters by their types.
      expect(videos).toBeInstanceOf(VideoService)
      expect(videos.repository).toBe(repository)
      expect(videos.cache).toBe(cache)
      // The warm-up ran during module init, through the cache.
      expect(app.get(Warmup).warmed).toMatchObject({ id: 'warm' })
      expect(await cache.has('video:VideoService.metadata:v1:warm')).toBe(true)

      const first = await videos.metadata('42')
      const second = await videos.metadata('42')
      expect(second).toEqual(first)
      expect(repository.reads).toBe(2) // 'warm' and '42', each once
      expect(second.loadedAt).toBeInstanceOf(Date)
      const keys: string[] = []
      for await (const key of cache.keys('video:*')) keys.push(key)
      expect(keys.sort()).toEqual([
        "video:VideoService.metadata:v1:'42",
        'video:VideoService.metadata:v1:warm',
      ])
    } finally {
      await app.get(Cache).close()
      await app.close()
    }
  })
})
