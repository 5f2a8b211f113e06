import { execFile } from 'node:child_process'
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import * as testing from '../../src/testing'
import { ensureBuilt, installInto, ROOT } from '../package/built-package'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

/** tiercache/testing: what it exports, how it loads from the build, and that tiercache itself never loads it. */
const run = promisify(execFile)
// Fresh Node processes and a tsc run: slow on a busy machine.
jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

/** Runs `code` in a fresh Node process in `cwd`; the last line it prints, parsed. */
async function inNode(cwd: string, code: string, args: string[] = []): Promise<unknown> {
  const { stdout } = await run(process.execPath, [...args, '-e', code], { cwd })
  return JSON.parse(stdout.trim().split('\n').pop()!)
}
const loadedTestingModules = `JSON.stringify(Object.keys(require.cache).filter((p) => /[\\\\/](src|dist)[\\\\/]testing[\\\\/]/.test(p)))`

/** Every file that `file` reaches through relative imports, itself included. */
function esmGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from\s*["'](\.[^"']+)["']/g))
    esmGraph(resolve(dirname(file), spec!), seen)
  return seen
}

describe('tiercache/testing', () => {
  it('exports the suite, its helpers and nothing else', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'FakeClock',
      'HOSTILE_KEYS',
      'describeTier',
      'keyLabel',
      'makeEntry',
    ])
  })

  it('importing tiercache never loads it: sources, CJS build, and ESM build graph', async () => {
    const ts = ['-r', 'ts-node/register/transpile-only']
    expect(
      await inNode(ROOT, `require('./src'); console.log(${loadedTestingModules})`, ts),
    ).toEqual([])
    const app = makeTempDir('tiercache-testing-')
    installInto(app)
    expect(await inNode(app, `require('tiercache'); console.log(${loadedTestingModules})`)).toEqual(
      [],
    )
    // The check can see it when it is loaded.
    expect(
      await inNode(app, `require('tiercache/testing'); console.log(${loadedTestingModules})`),
    ).toHaveLength(1)
    const reached = [...esmGraph(join(ROOT, 'dist', 'index.mjs'))]
    expect(reached.length).toBeGreaterThan(1)
    expect(reached.filter((file) => /[\\/]testing[\\/]/.test(file))).toEqual([])
  })

  it('loads by import as well as by require, with the same exports', async () => {
    const app = makeTempDir('tiercache-testing-')
    installInto(app)
    const names = `(m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort()))`
    const imported = await inNode(app, `import('tiercache/testing').then(${names})`)
    const required = await inNode(app, `(${names})(require('tiercache/testing'))`)
    expect(imported).toEqual(Object.keys(testing).sort())
    expect(required).toEqual(imported)
  })

  it('type-checks a tier of tiercache run through the suite, from .cts and .mts modules', async () => {
    const app = makeTempDir('tiercache-testing-types-')
    installInto(app)
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(app, 'node_modules', '@types'), 'dir')
    const body = (from: string) => `${from}
declare const test: TestFunctions
describeTier({
  name: 'memory',
  make: (clock: FakeClock) => new MemoryTier({ clock }),
  inProcess: true,
  test,
})
export const entry: Entry = makeEntry('k', 1, Infinity)
`
    const files = {
      'suite.cts': body(`import { MemoryTier, type Entry } from 'tiercache'
import { describeTier, makeEntry, FakeClock, type TestFunctions } from 'tiercache/testing'`),
      'suite.mts': body(`import { MemoryTier, type Entry } from 'tiercache'
import { describeTier, makeEntry, FakeClock, type TestFunctions } from 'tiercache/testing'`),
    }
    const compilerOptions = { module: 'nodenext', strict: true, noEmit: true, types: ['node'] }
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: Object.keys(files) }),
    )
    for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text)
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    const output = await run(process.execPath, [tsc, '-p', app]).then(
      ({ stdout }) => stdout,
      (err: { stdout?: string }) => err.stdout ?? String(err),
    )
    expect(output).toBe('')
  })
})
