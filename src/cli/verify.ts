import { rmdirSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { parseEntry } from '../storage/tiers/file-format'
import { CacheFolder } from '../storage/tiers/file-folder'
import { codeOf } from '../storage/tiers/file-io'
import { TMP_DIR } from '../storage/tiers/file-layout'
import type { Command, CommandContext } from './command'
import { CommandError, folderProgress, isLeftover, requireFolder } from './command'
import { isFault, readEntryBytes } from './entry-head'
import { LEASE_DIR, walkFolder, type FolderItem } from './folder-scan'
import { bytes, count, fields, span, table, writeJson, writeText } from './output'

/**
 * `tiercache verify [--fix]`: reads every entry back whole through the tier's own parseEntry and reports what
 * a cache would never serve: corrupt entries, files that are not entries (foreign), temp files of writers that
 * died, orphaned lease files, entries too large to read back. With --fix it removes them, one at a time as it
 * finds them, and only in a folder the tier itself would use (CacheFolder's check). Like `npm cache verify`.
 * One entry is in memory at a time.
 */

type ProblemKind =
  | 'corrupt'
  | 'not a file'
  | 'unreadable'
  | 'too large'
  | 'foreign'
  | 'temp leftover'
  | 'orphaned lease'

interface Problem {
  kind: ProblemKind
  /** Relative to the cache folder. */
  file: string
  reason: string
  fixed: boolean
}

/** Problems listed one by one, at most; the counts are always exact. */
const MAX_LISTED = 1000

interface Report {
  entries: number
  bytes: number
  expired: number
  tempInProgress: number
  leasesHeld: number
  tagged: boolean
  problems: number
  fixed: number
  byKind: Map<ProblemKind, number>
  listed: Problem[]
}

export const verifyCommand: Command = {
  spec: {
    name: 'verify',
    summary:
      'Reads every entry back and reports corrupt or foreign files, temp leftovers, orphaned leases and\nentries too large to read back; --fix removes them. Exit code 1 when problems remain.',
    positionals: [],
    options: { fix: { type: 'boolean', description: 'remove what it reports' } },
  },
  async run(ctx) {
    requireFolder(ctx.dir)
    const fix = ctx.values.fix === true
    if (fix) await checkOwned(ctx.dir)
    const started = Date.now()
    const report: Report = {
      ...{ entries: 0, bytes: 0, expired: 0, tempInProgress: 0, leasesHeld: 0, tagged: false },
      ...{ problems: 0, fixed: 0, byKind: new Map(), listed: [] },
    }
    const found = (kind: ProblemKind, file: string, reason: string, remove?: () => boolean) => {
      const fixed = fix && remove !== undefined && tryRemove(remove)
      report.problems++
      if (fixed) report.fixed++
      report.byKind.set(kind, (report.byKind.get(kind) ?? 0) + 1)
      if (report.listed.length < MAX_LISTED) report.listed.push({ kind, file, reason, fixed })
    }
    const progress = folderProgress(ctx, fix ? 'verifying and fixing' : 'verifying')
    try {
      for await (const item of walkFolder(ctx.dir)) {
        progress.tick()
        check(ctx, item, report, found)
      }
    } finally {
      progress.finish()
    }
    const left = report.problems - report.fixed
    if (ctx.json) writeJson(ctx.streams, reportJson(ctx, report, fix, Date.now() - started))
    else writeText(ctx.streams, reportText(ctx, report, fix, Date.now() - started))
    return left > 0 ? 1 : 0
  },
}

type Found = (kind: ProblemKind, file: string, reason: string, remove?: () => boolean) => void

function check(ctx: CommandContext, item: FolderItem, report: Report, found: Found): void {
  const { dir, now } = ctx
  switch (item.kind) {
    case 'tag':
      report.tagged = true
      return
    case 'foreign':
      return found(
        'foreign',
        item.name,
        item.folder ? 'a folder tiercache never makes' : 'not a name tiercache writes',
        () => removeName(item.path, item.folder),
      )
    case 'temp': {
      const file = join(TMP_DIR, item.name)
      if (!item.ours)
        return found('foreign', file, 'not a temp file name tiercache uses', () =>
          removeName(item.path, true),
        )
      const leftover = isLeftover(item.path, 'temp', now)
      if (leftover)
        found('temp leftover', file, 'a write that never finished', () =>
          removeName(item.path, false),
        )
      else if (leftover === false) report.tempInProgress++
      return
    }
    case 'lease': {
      const orphaned = isLeftover(item.path, 'lease', now)
      if (orphaned)
        found('orphaned lease', join(LEASE_DIR, item.name), 'not renewed for over 10 min', () =>
          removeName(item.path, true),
        )
      else if (orphaned === false) report.leasesHeld++
      return
    }
    case 'entry': {
      const problem = entryProblem(dir, item.name, report, now)
      if (problem === undefined) return
      const [kind, reason] = problem
      // Checked again just before removal: a writer may have replaced the file since it was read.
      const remove =
        kind === 'unreadable'
          ? undefined
          : () =>
              entryProblem(dir, item.name) !== undefined && removeName(join(dir, item.name), true)
      return found(kind, item.name, reason, remove)
    }
  }
}

/** What is wrong with the entry file `name`, if anything; a sound entry is counted into `report`. */
function entryProblem(
  dir: string,
  name: string,
  report?: Report,
  now = 0,
): [ProblemKind, string] | undefined {
  const read = readEntryBytes(dir, name)
  if (read === undefined) return undefined // removed meanwhile
  if ('fault' in read) return [read.fault, read.reason]
  if (isFault(read.head)) return [read.head.fault, read.head.reason]
  const entry = parseEntry(read.bytes, read.head.key)
  if (entry === undefined) return ['corrupt', 'cut short, or a value that does not decode']
  if (report) {
    report.entries++
    report.bytes += read.head.bytes
    if (entry.expiresAt <= now) report.expired++
  }
  return undefined
}

/** Refuses --fix in a folder the tier would not write into: it removes only what it can tell is the tier's. */
async function checkOwned(dir: string): Promise<void> {
  try {
    await new CacheFolder(dir, 0o600, 0o600).check()
  } catch (err) {
    throw new CommandError(`--fix refused: ${(err as Error).message}`)
  }
}

/** Unlinks `path` (a symlink itself, never its target); a folder only when `folder` and empty. */
function removeName(path: string, folder: boolean): boolean {
  try {
    unlinkSync(path)
    return true
  } catch (err) {
    const code = codeOf(err)
    if (folder && (code === 'EISDIR' || code === 'EPERM')) {
      rmdirSync(path) // only an empty one: ENOTEMPTY otherwise, and it stays
      return true
    }
    if (code === 'ENOENT') return true
    throw err
  }
}

function tryRemove(remove: () => boolean): boolean {
  try {
    return remove()
  } catch {
    return false
  }
}

function reportJson(ctx: CommandContext, r: Report, fix: boolean, ms: number): unknown {
  return {
    dir: ctx.dir,
    tagged: r.tagged,
    entries: r.entries,
    bytes: r.bytes,
    expired: r.expired,
    tempInProgress: r.tempInProgress,
    leasesHeld: r.leasesHeld,
    problems: r.problems,
    ...(fix && { fixed: r.fixed }),
    byKind: Object.fromEntries(r.byKind),
    listed: r.listed,
    ms,
  }
}

function reportText(ctx: CommandContext, r: Report, fix: boolean, ms: number): string {
  const lines = [
    fields([
      ['Folder', `${ctx.dir}${r.tagged ? '' : ' (no CACHEDIR.TAG)'}`],
      ['Entries', `${count(r.entries)} (${bytes(r.bytes)}) read back whole in ${span(ms)}`],
      ['Expired', `${count(r.expired)}${r.expired ? ' (tiercache cleanup removes them)' : ''}`],
      ['In progress', `${count(r.tempInProgress)} temp files, ${count(r.leasesHeld)} leases held`],
      [
        'Problems',
        r.problems === 0 ? 'none' : [...r.byKind].map(([k, n]) => `${count(n)} ${k}`).join(', '),
      ],
    ]),
  ]
  if (r.problems > 0) {
    const rows = r.listed.map((p) => [
      p.kind,
      p.file,
      fix ? `${p.reason}: ${p.fixed ? 'removed' : 'NOT removed'}` : p.reason,
    ])
    lines.push('', table(rows))
    if (r.problems > r.listed.length)
      lines.push(
        `… and ${count(r.problems - r.listed.length)} more (--json lists the first ${MAX_LISTED})`,
      )
    const left = r.problems - r.fixed
    lines.push(
      '',
      fix
        ? `fixed ${count(r.fixed)} of ${count(r.problems)}${left ? `; ${count(left)} remain` : ''}`
        : 'tiercache verify --fix removes them',
    )
  }
  return lines.join('\n')
}
