import { execFileSync } from 'node:child_process'
import { closeSync, constants, existsSync, openSync } from 'node:fs'

/** FIFOs made by `makeFifo`, to be released by `releaseFifos`. */
const fifos: string[] = []

/** A real FIFO at `path` (the `mkfifo` program). */
export function makeFifo(path: string): string {
  execFileSync('mkfifo', [path])
  fifos.push(path)
  return path
}

/**
 * Opens every FIFO made so far for writing, non-blocking: a reader stuck in open() on one (code under test
 * that blocks) is let go, so a failing test cannot hang the worker or hold a libuv thread after it.
 */
export function releaseFifos(): void {
  for (const path of fifos.splice(0)) {
    if (!existsSync(path)) continue
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK))
    } catch {
      // ENXIO: no reader is waiting, nothing to release
    }
  }
}

/** Resolves to what `work` resolved to, or to 'timed out' after `ms`: a bound on a wait, not a timing claim. */
export async function withinMs<T>(work: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Whether this process may mount file systems (root on Linux with mount permitted, as in CI). */
export const isRoot = process.platform === 'linux' && process.getuid?.() === 0
