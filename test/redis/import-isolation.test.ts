import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = join(__dirname, '../..')

/** Which modules of the `redis` packages a fresh Node process has loaded after running `code`. */
async function redisModulesLoaded(code: string, args: string[] = []): Promise<string[]> {
  const report = `.then(() => console.log(JSON.stringify(Object.keys(require('node:module')._cache).filter((p) => /node_modules[\\\\/](redis|@redis)[\\\\/]/.test(p)))))`
  const { stdout } = await run(
    process.execPath,
    [...args, '-e', `Promise.resolve(${code})${report}`],
    {
      cwd: root,
    },
  )
  return JSON.parse(stdout.trim().split('\n').pop()!) as string[]
}

const ts = ['-r', 'ts-node/register/transpile-only']
// Each check starts a fresh Node process (ts-node for the sources): slow on a busy machine.
jest.setTimeout(60_000)
const built =
  existsSync(join(root, 'dist/index.js')) && existsSync(join(root, 'dist/redis/index.js'))

describe('importing tiercache never loads redis', () => {
  it('from the sources', async () => {
    expect(await redisModulesLoaded(`require('./src')`, ts)).toEqual([])
    // The check can see redis when it is there: tiercache/redis does load it.
    expect(await redisModulesLoaded(`require('./src/redis')`, ts)).not.toEqual([])
  })

  // The built package exists once `npm run build` has run, as it has in CI before the tests.
  ;(built ? it : it.skip)(
    'from the build, through require and import (needs npm run build)',
    async () => {
      const [required, imported, redisRequired, redisImported] = await Promise.all(
        [
          `require('tiercache')`,
          `import('tiercache')`,
          `require('tiercache/redis')`,
          `import('tiercache/redis')`,
        ].map((code) => redisModulesLoaded(code)),
      )
      expect(required).toEqual([])
      expect(imported).toEqual([])
      expect(redisRequired).not.toEqual([])
      expect(redisImported).not.toEqual([])
    },
  )
})
