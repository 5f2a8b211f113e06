import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** The package root: fixtures under it reach the build through the package's own "exports". */
export const ROOT = join(__dirname, '..', '..')
export const FIXTURES = join(__dirname, 'fixtures')

const BUILT = join(ROOT, 'dist', 'index.mjs')
const SOURCES = [join(ROOT, 'src'), join(ROOT, 'package.json'), join(ROOT, 'tsup.config.ts')]

/**
 * Builds the package unless dist is newer than every source (CI builds just before the tests). Test files
 * run in parallel workers, and a build starts by deleting dist: one build at a time, the others wait for it.
 */
export function ensureBuilt(): void {
  const fresh = () => existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestMtime(SOURCES)
  if (fresh()) return
  withBuildLock(() => {
    if (!fresh()) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' })
  })
}

const LOCK = join(tmpdir(), `tiercache-build-lock-${Buffer.from(ROOT).toString('hex').slice(-32)}`)

function withBuildLock(build: () => void): void {
  const giveUpAt = Date.now() + 300_000
  for (;;) {
    try {
      mkdirSync(LOCK)
      break
    } catch {
      // Held by another worker; a lock older than any build is left over from a killed run.
      const heldSince = existsSync(LOCK) ? statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs : 0
      if (Date.now() > giveUpAt || Date.now() - (heldSince ?? 0) > 300_000) {
        rmSync(LOCK, { recursive: true, force: true })
        continue
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200)
    }
  }
  try {
    build()
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}

const run = promisify(execFile)

/** Runs a fixture (or any script) with this Node, from the package root; its stdout. */
export async function runNode(script: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [script, ...args], {
    cwd: ROOT,
    timeout: 60_000,
  })
  return stdout
}

/** Installs the package into `appDir` as a user's app gets it: `node_modules/tiercache` links to the root. */
export function installInto(appDir: string): void {
  mkdirSync(join(appDir, 'node_modules'), { recursive: true })
  symlinkSync(ROOT, join(appDir, 'node_modules', 'tiercache'), 'dir')
}

function newestMtime(paths: string[]): number {
  let newest = 0
  for (const path of paths) {
    const stat = statSync(path)
    newest = Math.max(newest, stat.mtimeMs)
    if (stat.isDirectory())
      newest = Math.max(newest, newestMtime(readdirSync(path).map((name) => join(path, name))))
  }
  return newest
}
