import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build, stop } from 'esbuild'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { ensureBuilt, FIXTURES, installInto, ROOT, runNode } from './built-package'

/**
 * The built package (dist), as users load it: by `require`, by `import`, both in one process, bundled by
 * esbuild, and type-checked from .cts and .mts modules. The same smoke fixtures run in CI on the oldest Node
 * that `engines` declares (.ci/oldest-node.sh).
 */
jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 120_000)
// esbuild's service process outlives the test file otherwise: with one Jest worker (2 cores), the run never exits.
afterAll(() => stop())

const run = promisify(execFile)

describe('the built package', () => {
  it('require and import each run a cached call and a file-tier round trip', async () => {
    expect(await runNode(join(FIXTURES, 'smoke.cjs'))).toMatch(/^smoke require ok/)
    expect(await runNode(join(FIXTURES, 'smoke.mjs'))).toMatch(/^smoke import ok/)
  })

  it('importing it, either way, adds no global (Reflect.getMetadata included)', async () => {
    const seen = JSON.parse(await runNode(join(FIXTURES, 'globals-untouched.mjs')))
    expect(seen).toEqual({ added: [], getMetadata: 'undefined' })
  })

  it('the CommonJS build keeps native ?. and ??, as the ESM build does (no down-levelling helpers)', () => {
    // tsup's CJS code splitting, without treeshake, runs chunks through sucrase, which turns each `?.` into a
    // helper call: a require() user's stale hit took 1 200 ns against 500 ns through import.
    const dist = join(ROOT, 'dist')
    const cjs = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.js'),
    )
    expect(cjs.length).toBeGreaterThan(4)
    const helpers = cjs.filter((f) =>
      /function _(optionalChain|nullishCoalesce)\b/.test(readFileSync(join(dist, f), 'utf8')),
    )
    expect(helpers).toEqual([])
    expect(readFileSync(join(dist, 'index.js'), 'utf8')).toMatch(/\?\./)
  })
})

describe('one library state per process, with the ESM and CJS builds both loaded', () => {
  let facts: Record<string, unknown>
  beforeAll(async () => {
    facts = JSON.parse(await runNode(join(FIXTURES, 'two-copies.mjs')))
  }, 60_000)

  it('really loads two copies of the code', () => {
    expect(facts.twoCopies).toBe(true)
  })

  it('the default cache is one, whichever copy made or set it', () => {
    expect(facts.createdDefaultIsShared).toBe(true)
    expect(facts.setDefaultIsShared).toBe(true)
  })

  it("a Cache made by one copy serves the other's withCache, given or as the default", () => {
    expect(facts.results).toEqual([2, 2, 8, 8])
    expect(facts.runs).toBe(2)
    expect(facts.keysInCjsCache).toEqual(["default:':v1:4", "explicit:':v1:1"])
  })

  it("tiers made by one copy count as memory and file tiers in the other's Cache", () => {
    expect(facts.mixedMemorySize).toBe(1)
    expect(facts.mixedCacheDir).toBe(true)
  })

  it('@CacheConfig applied through one copy reaches @Cached from the other', () => {
    expect(facts.configuredKey).toBe(true)
  })
})

describe('an app that uses it', () => {
  it('bundled by esbuild as ESM for node, starts and caches a call', async () => {
    const app = makeTempDir('tiercache-bundle-')
    installInto(app)
    writeFileSync(
      join(app, 'app.mjs'),
      `import { Cache, withCache } from 'tiercache'
const cache = new Cache({ cacheDir: process.argv[2], cleanupInterval: false })
let runs = 0
const area = withCache(async (box) => (runs++, box.w * box.h), { cache, namespace: 'area' })
console.log(JSON.stringify([await area({ w: 2, h: 3 }), await area({ h: 3, w: 2 }), runs]))
await cache.close()
`,
    )
    const outfile = join(app, 'bundle.mjs')
    await build({
      entryPoints: [join(app, 'app.mjs')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      logLevel: 'silent',
    })
    // esbuild's shim for a CommonJS `require` throws on first use in an ESM bundle: none may be included.
    expect(readFileSync(outfile, 'utf8')).not.toContain('Dynamic require of')
    expect(await runNode(outfile, [join(app, 'cache')])).toBe('[6,6,1]\n')
  })

  it('type-checks a Cache made in a .cts module as the cache of withCache in a .mts module', async () => {
    const app = makeTempDir('tiercache-types-')
    installInto(app)
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(app, 'node_modules', '@types'), 'dir')
    const compilerOptions = { module: 'nodenext', strict: true, noEmit: true, types: ['node'] }
    const files = { 'make-cache.cts': MAKE_CACHE, 'use-cache.mts': USE_CACHE }
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

const MAKE_CACHE = `import { Cache, MemoryTier } from 'tiercache'
export const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
`
const USE_CACHE = `import { Cache, FileTier, setDefaultCache, withCache } from 'tiercache'
import { cache } from './make-cache.cjs'
export const double = withCache(async (n: number) => n * 2, { cache })
setDefaultCache(cache)
export const same: Cache = cache
export const mixed = new Cache({ tiers: [new FileTier({ dir: 'x' })] }).cacheDir
`
