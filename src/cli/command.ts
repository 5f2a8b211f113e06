import { lstatSync } from 'node:fs'
import { basename } from 'node:path'
import { ownerPid } from '../storage/tiers/file-lease-reuse'
import { UsageError, type CommandSpec, type ParsedCommand } from './args'
import { countNames, folderState } from './folder-scan'
import type { Streams } from './output'
import { Progress } from './progress'
import { openRedisSource, type RedisSource } from './redis-source'

/** What a command runs with: its parsed arguments, the folder, the streams, and one `now` for the whole run. */
export interface CommandContext extends ParsedCommand {
  command: string
  dir: string
  json: boolean
  streams: Streams
  now: number
}

export interface Command {
  spec: CommandSpec
  /** Resolves to the exit code: 0 all well, 1 problems found (verify) or the work failed. */
  run(ctx: CommandContext): Promise<number>
}

/** A failure to report in one line, without a stack trace: exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError'
}

/** Temp files untouched this long belong to a writer that died (the age file-prune.ts's sweep uses). */
export const LEFTOVER_AFTER_MS = 10 * 60_000

/** Fails unless the cache folder exists and is a folder. */
export function requireFolder(dir: string): void {
  const state = folderState(dir)
  if (state === 'missing')
    throw new CommandError(`no cache folder at ${dir} (give the folder with --dir)`)
  if (state === 'not a folder') throw new CommandError(`${dir} is not a folder`)
}

/** A progress display for a walk of the folder, its total counted first when it will be shown. */
export function folderProgress(ctx: CommandContext, label: string): Progress {
  const progress = new Progress(ctx.streams, label)
  if (progress.enabled) progress.total = countNames(ctx.dir)
  return progress
}

/**
 * Whether a temp or lease file is left over: a temp file unchanged (ctime) for LEFTOVER_AFTER_MS, a lease not
 * renewed (mtime, which its holder touches) for as long. Undefined when it vanished meanwhile.
 */
export function isLeftover(path: string, kind: 'temp' | 'lease', now: number): boolean | undefined {
  // A process's own lease file (`<pid>-<hex>.own`) is idle between leases, not left over, while it runs.
  const pid = kind === 'lease' ? ownerPid(basename(path)) : undefined
  if (pid !== undefined && isRunning(pid)) return false
  try {
    const info = lstatSync(path)
    return now - (kind === 'temp' ? info.ctimeMs : info.mtimeMs) > LEFTOVER_AFTER_MS
  } catch {
    return undefined
  }
}

/** The Redis prefix to read instead of the folder, when --redis is given (the `redis` package loads only then). */
export async function redisSourceOf(ctx: CommandContext): Promise<RedisSource | undefined> {
  const { redis: url, prefix, dir: givenDir } = ctx.values
  if (url === undefined) {
    if (prefix !== undefined) throw new UsageError('--prefix goes with --redis', ctx.command)
    return undefined
  }
  if (givenDir !== undefined) throw new UsageError('give --dir or --redis, not both', ctx.command)
  return openRedisSource(String(url), prefix === undefined ? undefined : String(prefix))
}

/** Whether process `pid` runs on this host (the lease folder is local to it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' // someone else's process, running
  }
}
