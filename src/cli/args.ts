import { parseArgs, type ParseArgsConfig } from 'node:util'

/**
 * The command line's grammar: `tiercache <command> [options] [arguments]`. node:util's parseArgs does the
 * parsing (strict: unknown options and missing values are usage errors); this module adds the options every
 * command shares, per-command options and positionals, and number checks.
 */

/** A mistake in how the command was called: printed with the usage line, exit code 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError'
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message)
  }
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string }

/** One command's grammar, for parsing and for `--help`. */
export interface CommandSpec {
  name: string
  summary: string
  /** Positionals, as shown in the usage line: `KEY`, `[PATTERN]`. Optional ones are in brackets. */
  positionals: string[]
  options: Record<string, OptionSpec>
}

/** What every command accepts. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  dir: { type: 'string', short: 'd', description: 'the cache folder (default ./cache)' },
  json: { type: 'boolean', description: 'print JSON, for scripts' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
}

/** Options of the commands that read a Redis prefix instead of a folder. */
export const REDIS_OPTIONS: Record<string, OptionSpec> = {
  redis: {
    type: 'string',
    description: 'a Redis URL (redis://host:port) to read instead of a folder',
  },
  prefix: { type: 'string', description: "the RedisTier's key prefix (default tc:)" },
}

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
}

/** Parses `argv` (after the command name) by `spec`; a UsageError for anything it does not allow. */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedCommand {
  const options = Object.fromEntries(
    Object.entries({ ...COMMON_OPTIONS, ...spec.options }).map(
      ([name, { description: _d, ...o }]) => [name, o],
    ),
  )
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    // parseArgs's messages are clear but mention its own API ("To specify a positional argument…"): keep the first sentence.
    const message = (err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '')
    throw new UsageError(message, spec.name)
  }
  const values = parsed.values as ParsedCommand['values']
  if (values.help) return { values, positionals: parsed.positionals }
  const required = spec.positionals.filter((p) => !p.startsWith('['))
  if (parsed.positionals.length < required.length)
    throw new UsageError(`${spec.name} needs ${required.join(' ')}`, spec.name)
  if (parsed.positionals.length > spec.positionals.length)
    throw new UsageError(
      `unexpected argument "${parsed.positionals[spec.positionals.length]}"`,
      spec.name,
    )
  return { values, positionals: parsed.positionals }
}

/** The value of a numeric option: a whole number of at least `min`, or undefined when not given. */
export function intOption(
  values: ParsedCommand['values'],
  name: string,
  min: number,
  command: string,
): number | undefined {
  const text = values[name]
  if (text === undefined) return undefined
  const n = Number(text)
  if (typeof text !== 'string' || !/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `--${name} must be a whole number of at least ${min} (got "${String(text)}")`,
      command,
    )
  return n
}

/** One of `allowed`, or `fallback` when not given. */
export function choiceOption<T extends string>(
  values: ParsedCommand['values'],
  name: string,
  allowed: readonly T[],
  fallback: T,
  command: string,
): T {
  const text = values[name]
  if (text === undefined) return fallback
  if (!allowed.includes(text as T))
    throw new UsageError(
      `--${name} must be one of ${allowed.join(', ')} (got "${String(text)}")`,
      command,
    )
  return text as T
}

/** The usage text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [
    `Usage: tiercache ${spec.name}${spec.positionals.map((p) => ` ${p}`).join('')} [options]`,
    '',
    spec.summary,
    '',
    'Options:',
  ]
  const all = { ...spec.options, ...COMMON_OPTIONS }
  const shown = Object.entries(all).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' <value>' : ''}`
    return [flag, o.description] as const
  })
  const width = Math.max(...shown.map(([flag]) => flag.length))
  for (const [flag, description] of shown) lines.push(`  ${flag.padEnd(width)}  ${description}`)
  return lines.join('\n') + '\n'
}
