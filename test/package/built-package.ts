import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** The package root: fixtures under it reach the build through the package's own "exports". */
export const ROOT = join(__dirname, '..', '..')
export const FIXTURES = join(__dirname, 'fixtures')

const BUILT = join(ROOT, 'dist', 'index.mjs')
const SOURCES = [join(ROOT, 'src'), join(ROOT, 'package.json'), join(ROOT, 'tsup.config.ts')]

/** Builds the package unless dist is newer than every source (CI builds just before the tests). */
export function ensureBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestMtime(SOURCES)) return
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' })
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
