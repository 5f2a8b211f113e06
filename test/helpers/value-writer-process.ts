// Child of file.multiprocess.test.ts: writes one value of every codec type, then leaves without close():
// the cache's cleanup timer is unref'd, so it must not keep this process alive.
import { Cache } from '../../src/storage/cache'
import { typedValues } from './typed-values'

async function main(dir: string): Promise<void> {
  const cache = new Cache({ cacheDir: dir })
  for (const [key, value] of Object.entries(typedValues())) await cache.set(key, value, '1h')
  process.send!({ written: Object.keys(typedValues()) }, () => process.disconnect())
}

main(process.argv[2]!).catch((err) => {
  console.error(err)
  process.exit(1)
})
