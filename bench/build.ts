/**
 * Scenarios 7 and 8 run in fresh child processes. Those load plain JavaScript, not ts-node: ts-node would
 * load the TypeScript compiler into every child, adding some 100 MB to the RSS that scenario 8 reports
 * and most of a second to the start-up that scenario 7 is about. So the bench transpiles (no type check):
 * - `src/` into `node_modules/.cache/tiercache-bench-<pid>/src`, where it resolves its dependencies from the
 *   library's own node_modules, exactly as `../src` does in the bench process;
 * - the child scripts and the bench modules they use into `bench/results/.build-<pid>`, where they resolve
 *   the peers from bench/node_modules.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import * as ts from 'typescript'

const BENCH = __dirname
const ROOT = dirname(BENCH)

export interface Built {
  /** Absolute path of the transpiled library entry (require it). */
  library: string
  /** Absolute path of a transpiled child script, by name: `children/restart`. */
  script(name: string): string
}

function transpileTree(files: string[], fromRoot: string, toRoot: string): void {
  for (const file of files) {
    const out = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: false,
      },
    })
    const target = join(toRoot, relative(fromRoot, file)).replace(/\.ts$/, '.js')
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, out.outputText)
  }
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) =>
      join(
        (e as { parentPath?: string }).parentPath ?? (e as unknown as { path: string }).path,
        e.name,
      ),
    )
}

/** Transpiles the library and the child scripts; cheap (well under a second), so done on every run. */
export function buildForChildren(): Built {
  // One folder per run, removed at exit: two runs at once (a test and a manual run) must not rebuild each other's.
  const libraryOut = join(ROOT, 'node_modules', '.cache', `tiercache-bench-${process.pid}`)
  const benchOut = join(BENCH, 'results', `.build-${process.pid}`)
  for (const dir of [libraryOut, benchOut]) rmSync(dir, { recursive: true, force: true })
  process.on('exit', () => {
    for (const dir of [libraryOut, benchOut]) rmSync(dir, { recursive: true, force: true })
  })
  transpileTree(tsFiles(join(ROOT, 'src')), ROOT, libraryOut)
  const shared = ['fixtures.ts', 'harness.ts', 'peers.ts', 'file-stores.ts'].map((f) =>
    join(BENCH, f),
  )
  transpileTree([...shared, ...tsFiles(join(BENCH, 'children'))], BENCH, benchOut)
  return {
    library: join(libraryOut, 'src', 'index.js'),
    script: (name) => join(benchOut, `${name}.js`),
  }
}
