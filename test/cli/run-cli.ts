import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { ensureBuilt, ROOT } from '../package/built-package'

/** The built command, as package.json's "bin" names it. */
export const CLI = join(ROOT, 'dist', 'cli.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Text for its stdin (a pipe); nothing by default. */
  input?: string
  env?: Record<string, string>
}

/** Builds the package if needed (call in beforeAll). */
export { ensureBuilt }

/** Runs `tiercache ...args` as a child process with pipes for stdin, stdout and stderr. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...options.env }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0
        if (typeof code !== 'number') return reject(err)
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin!.end(options.input ?? '')
  })
}

/**
 * Runs `tiercache ...args` on a terminal: under util-linux `script`, which gives it a pseudo-terminal for
 * stdin, stdout and stderr, and copies everything written to it (both streams, in order, with \r\n) to its
 * own stdout. `input` is typed into the terminal.
 */
export function runInTerminal(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ')
  return new Promise((resolve, reject) => {
    const child = execFile(
      'script',
      ['--quiet', '--return', '--command', command, '/dev/null'],
      { env: { ...process.env, ...options.env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0
        if (typeof code !== 'number') return reject(err)
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin!.end(options.input ?? '')
  })
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`
}
