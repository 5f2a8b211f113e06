import { execFile } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ensureBuilt, ROOT } from '../package/built-package'

/** The docs checks of CI (scripts/), run as CI runs them, on markdown and sources written here. */
const run = promisify(execFile)
const script = (name: string, args: string[]) =>
  run(process.execPath, [join(ROOT, 'scripts', name), ...args], {
    cwd: ROOT,
    timeout: 120_000,
  }).then(
    ({ stdout }) => ({ ok: true, out: stdout }),
    (err: { stdout: string; stderr: string }) => ({ ok: false, out: err.stdout + err.stderr }),
  )
const fence = '```'
// Each check starts a TypeScript program: seconds, more on a busy machine.
jest.setTimeout(120_000)

let dir: string
beforeAll(() => {
  ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'tiercache-doc-checks-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const write = (name: string, text: string) => {
  const path = join(dir, name)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}

describe('check-doc-code: TypeScript blocks are type-checked against the built package', () => {
  it('passes blocks that use the API as it is, and skips the ones marked nocheck', async () => {
    const page = write(
      'good.md',
      [
        '# Good',
        `${fence}ts`,
        "import { Cache } from 'tiercache'",
        "const cache = new Cache({ ttl: '1h' })",
        fence,
        `${fence}ts nocheck`,
        'this is not TypeScript',
        fence,
        '<!-- nocheck -->',
        '',
        `${fence}ts`,
        'neither is this',
        fence,
        `${fence}ts continued`,
        "await cache.set('k', 1) // `cache` comes from the first block",
        fence,
      ].join('\n'),
    )
    const result = await script('check-doc-code.mjs', [page])
    expect(result).toEqual({
      ok: true,
      out: expect.stringMatching(/1 TypeScript blocks .* 2 marked nocheck/),
    })
  })

  it('fails on a block the API no longer fits, naming the file and the line', async () => {
    const page = write(
      'drifted.md',
      [
        '# Drifted',
        '',
        `${fence}ts`,
        "import { Cache } from 'tiercache'",
        'const cache = new Cache()',
        "await cache.put('k', 1)",
        fence,
        `${fence}ts continued`,
        "cache.get('k').then((v: string) => v)",
        fence,
      ].join('\n'),
    )
    const result = await script('check-doc-code.mjs', [page])
    expect(result.ok).toBe(false)
    expect(result.out).toMatch(/drifted\.md:6:\d+: error TS2339: Property 'put' does not exist/)
    expect(result.out).toMatch(/drifted\.md:9:\d+: error TS2345/)
  })
})

describe('check-api-docs: every export has a JSDoc comment and an @example', () => {
  it('lists each export that lacks one, with where it is declared', async () => {
    const entry = write(
      'entry.ts',
      [
        '/**',
        ' * Documented and shown.',
        ' *',
        ' * @example',
        ' * ```ts',
        ' * shown()',
        ' * ```',
        ' */',
        'export function shown(): void {}',
        '/** Documented, with no example. */',
        'export const unexampled = 1',
        'export interface Bare {}',
      ].join('\n'),
    )
    const result = await script('check-api-docs.mjs', [`fixture=${entry}`])
    expect(result.ok).toBe(false)
    expect(result.out).toMatch(
      /entry\.ts:11: 'unexampled' \(exported by fixture\) needs an @example/,
    )
    expect(result.out).toMatch(/entry\.ts:12: 'Bare' .* needs a JSDoc comment and an @example/)
    expect(result.out).not.toMatch(/'shown'/)
  })
})

describe('check-doc-links: links reach their file and heading', () => {
  it('reports a missing page and a missing heading, and accepts the ones that exist', async () => {
    write('docs/target.md', '# Target page\n\n## The `cache.get(key)` call\n')
    const page = write(
      'docs/links.md',
      [
        '# Links',
        '[fine](target.md) [fine too](target.md#the-cachegetkey-call) [here](#links)',
        '[gone](missing.md) [no such heading](target.md#nowhere)',
        '`[not a link](inside-code.md)`',
      ].join('\n'),
    )
    const result = await script('check-doc-links.mjs', [page])
    expect(result.ok).toBe(false)
    expect(result.out).toMatch(/links\.md:3: missing\.md: .*missing\.md does not exist/)
    expect(result.out).toMatch(/links\.md:3: target\.md#nowhere: no heading #nowhere/)
    expect(result.out).toMatch(/2 broken link\(s\)/)
  })
})
