/**
 * Cache on its own: get, set with a TTL, getOrSet, pattern clearing.
 * Run: npx ts-node examples/basic.ts
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache } from '../src'

async function main() {
  const cache = new Cache({ cacheDir: mkdtempSync(join(tmpdir(), 'tiercache-basic-')), ttl: '1h' })

  await cache.set('v2:video:abc:analysis', { scenes: 12, detectedAt: new Date() })
  await cache.set('v2:video:abc:thumbnail', Buffer.from([0x89, 0x50, 0x4e, 0x47]), {
    ttl: '7d',
    memoryTtl: '5m',
  })
  const analysis = await cache.get<{ scenes: number; detectedAt: Date }>('v2:video:abc:analysis')
  console.log(
    'analysis:',
    analysis?.scenes,
    'scenes, detected at a',
    analysis?.detectedAt.constructor.name,
  )

  const transcript = await cache.getOrSet(
    'v2:video:abc:transcript',
    async () => 'hello world',
    3600,
  )
  console.log('transcript:', transcript)

  console.log('removed by clear("v2:video:abc:*"):', await cache.clear('v2:video:abc:*'))
  console.log('has analysis afterwards:', await cache.has('v2:video:abc:analysis'))
  await cache.close()
}

void main()
