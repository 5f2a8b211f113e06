import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

const created: string[] = []

/** A new, empty, uniquely named folder under os.tmpdir(); removed by `removeTempDirs()`. */
export function makeTempDir(prefix = 'tiercache-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  created.push(dir)
  return dir
}

/** Removes every folder made by `makeTempDir()` so far. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** Registers `removeTempDirs` to run after each test of the calling file. */
export function useTempDirs(): void {
  afterEach(removeTempDirs)
}

/** Every path under `root` (relative, sorted), with size and mtime, except those under `skip`. */
export function listTree(root: string, skip?: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (path === skip) continue
      const info = statSync(path)
      out.push(`${relative(root, path)} ${entry.isDirectory() ? 'dir' : info.size} ${info.mtimeMs}`)
      if (entry.isDirectory()) walk(path)
    }
  }
  walk(root)
  return out.sort()
}
