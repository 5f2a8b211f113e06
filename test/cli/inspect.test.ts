import { truncateSync } from 'node:fs'
import { join } from 'node:path'
import { encodeParts } from '../../src/core/codec'
import { FileTier } from '../../src/storage/tiers/file'
import { keyToFileName } from '../../src/storage/tiers/file-layout'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { AT_NOW, NOW } from './fixture-cache'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

const KEY = 'video:analyze:v2:abc:4'

async function cacheWith(value: unknown, expiresAt = NOW + 3_600_000): Promise<string> {
  const dir = join(makeTempDir('tiercache-cli-'), 'cache')
  const tier = new FileTier({ dir })
  const { text, attachments } = encodeParts(value)
  await tier.set({ key: KEY, value, encoded: text, attachments, expiresAt })
  return dir
}

describe('tiercache inspect', () => {
  it('shows the metadata and a preview with the types (Date, Buffer 1.2 MiB, Map(3))', async () => {
    const dir = await cacheWith({
      at: new Date('2026-01-02T03:04:05.000Z'),
      frame: Buffer.alloc(1.2 * 1024 * 1024, 7),
      labels: new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
      big: 12n,
    })
    const { code, stdout } = await runCli(['inspect', KEY, '--dir', dir], { env: AT_NOW })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Key\s+video:analyze:v2:abc:4$/m)
    expect(stdout).toMatch(/^Expires\s+.* \(in 1 h\)$/m)
    expect(stdout).toMatch(/^State\s+fresh$/m)
    expect(stdout).toContain('at: Date 2026-01-02T03:04:05.000Z')
    expect(stdout).toContain('frame: Buffer 1.2 MiB <07 07 07 07 07 07 07 07 …>')
    expect(stdout).toContain('labels: Map(3) { "a" => 1, "b" => 2, "c" => 3 }')
    expect(stdout).toContain('big: 12n')
  })

  it('--json gives the metadata, the type and the preview', async () => {
    const dir = await cacheWith(['x', 'y'], NOW - 1000)
    const { stdout } = await runCli(['inspect', KEY, '--dir', dir, '--json'], { env: AT_NOW })
    expect(JSON.parse(stdout)).toMatchObject({
      key: KEY,
      tier: 'file',
      file: keyToFileName(KEY),
      state: 'expired',
      type: 'Array(2)',
      preview: 'Array(2) [ "x", "y" ]',
    })
  })

  it('a missing key and a corrupt entry each fail with one line and exit code 1', async () => {
    const dir = await cacheWith({ a: 1 })
    const missing = await runCli(['inspect', 'nope', '--dir', dir])
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: `tiercache: no entry for "nope" in ${dir}\n`,
    })
    const file = join(dir, keyToFileName(KEY))
    truncateSync(file, 60) // the header survives, the value does not
    const corrupt = await runCli(['inspect', KEY, '--dir', dir])
    expect(corrupt.code).toBe(1)
    expect(corrupt.stderr).toMatch(/^tiercache: .*corrupt.*verify --fix removes it\n$/)
  })
})
