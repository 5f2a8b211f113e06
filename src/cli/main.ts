#!/usr/bin/env node
import { resolve } from 'node:path'
import { isStorageError } from '../core/exceptions'
import { commandHelp, parseCommand, UsageError } from './args'
import { CommandError, type Command } from './command'
import { processStreams, type Streams } from './output'
import { cleanupCommand } from './cleanup'
import { clearCommand } from './clear'
import { inspectCommand } from './inspect'
import { lsCommand } from './ls'
import { pruneVersionsCommand } from './prune-versions'
import { statsCommand } from './stats'
import { verifyCommand } from './verify'

/**
 * `tiercache <command>`: looks inside a cache folder. Exit codes: 0 all well, 1 problems found (verify) or
 * the work failed, 2 a usage error. Errors print one line, never a stack trace.
 */

const COMMANDS: Command[] = [
  statsCommand,
  lsCommand,
  inspectCommand,
  clearCommand,
  cleanupCommand,
  verifyCommand,
  pruneVersionsCommand,
]

const USAGE = `Usage: tiercache <command> [options]

Looks inside a tiercache cache folder (--dir, default ./cache).

Commands:
${COMMANDS.map((c) => `  ${c.spec.name.padEnd(15)} ${c.spec.summary.split('\n')[0]}`).join('\n')}

Every command takes --dir <folder> and --json. "tiercache <command> --help" tells more.
Exit codes: 0 all well, 1 problems found or the work failed, 2 a usage error.
`

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[], streams: Streams = processStreams): Promise<number> {
  const [name, ...rest] = argv
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      ;(name === undefined ? streams.err : streams.out).write(USAGE)
      return name === undefined ? 2 : 0
    }
    const command = COMMANDS.find((c) => c.spec.name === name)
    if (command === undefined) throw new UsageError(`unknown command "${name}"`)
    const parsed = parseCommand(command.spec, rest)
    if (parsed.values.help) {
      streams.out.write(commandHelp(command.spec))
      return 0
    }
    const dir = resolve(typeof parsed.values.dir === 'string' ? parsed.values.dir : 'cache')
    const json = parsed.values.json === true
    return await command.run({ ...parsed, command: name, dir, json, streams, now: nowMs() })
  } catch (err) {
    return report(err, streams)
  }
}

/**
 * The time the command judges expiry and leftovers by: the wall clock, or TIERCACHE_NOW_MS (epoch ms), which
 * tests set, as they inject a clock into a Cache. FileTier's own removals (cleanup) always use the wall clock.
 */
function nowMs(): number {
  const fixed = Number(process.env.TIERCACHE_NOW_MS)
  return process.env.TIERCACHE_NOW_MS && Number.isFinite(fixed) ? fixed : Date.now()
}

/** One line on stderr for `err`; its exit code. Only a bug in tiercache itself prints a stack. */
function report(err: unknown, streams: Streams): number {
  if (err instanceof UsageError) {
    const help = err.command ? `tiercache ${err.command} --help` : 'tiercache --help'
    streams.err.write(`tiercache: ${err.message}\nSee "${help}".\n`)
    return 2
  }
  if (err instanceof CommandError || isStorageError(err)) {
    streams.err.write(`tiercache: ${(err as Error).message.replace(/^\[tiercache\] /, '')}\n`)
    return 1
  }
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    streams.err.write(`tiercache: ${(err as Error).message}\n`) // a file-system failure: its message says it all
    return 1
  }
  streams.err.write(
    `tiercache: unexpected failure (a bug: please report it)\n${(err as Error)?.stack ?? String(err)}\n`,
  )
  return 1
}

// Run only as the program (dist/cli.js), not when imported (tests); the ESM build has no `require`.
if (typeof require !== 'undefined' && require.main === module) {
  // `| head` closes the pipe early: that ends the output, it is no failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code))
}
