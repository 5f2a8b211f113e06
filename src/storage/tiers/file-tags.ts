import { constants } from 'node:fs'
import { lstat, mkdir, open, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { eachLimited } from '../../core/each-limited'
import { codeOf, folderRefusal, isMissing } from './file-io'
import { ENTRY_SUFFIX, TAGS_DIR, fileNameToKey, keyToFileName } from './file-layout'
import { storedTags } from './file-format'
import { readWhole } from './read-whole'

/**
 * Tag counters of a file tier: `<dir>/.tags/<escaped tag>.tag`, one file per tag, whose size in bytes is the
 * counter. An increment appends one byte with O_APPEND: on a local file system each append lands whole at the
 * end, whatever other processes do, so concurrent increments never lose one, need no lock and leave no temp
 * file; a read is one `lstat`, so no cache of the counters is needed (the size is the cheap check). The price
 * is a byte per invalidation of a tag. On a network file system (NFS) O_APPEND is not atomic: two concurrent
 * increments may count as one (the counter still moves past every earlier stamp).
 *
 * These functions are also what the command line uses (`tiercache clear --tag`, `stats` per tag).
 */

const TAG_SUFFIX = '.tag'
const APPEND_FLAGS =
  constants.O_WRONLY |
  constants.O_APPEND |
  constants.O_CREAT |
  (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0)

/** The file name of `tag`'s counter (escaped as keys are; a long tag gets a hashed name). */
export function tagFileName(tag: string): string {
  return keyToFileName(tag).slice(0, -ENTRY_SUFFIX.length) + TAG_SUFFIX
}

/** The counter of `tag` in the cache folder `dir`: 0 when it was never invalidated. */
export async function readTagCounter(dir: string, tag: string): Promise<number> {
  try {
    const info = await lstat(join(dir, TAGS_DIR, tagFileName(tag)))
    if (!info.isFile()) throw notOurs(join(TAGS_DIR, tagFileName(tag)), 'a file')
    return info.size
  } catch (err) {
    if (isMissing(err)) return 0
    throw err
  }
}

/**
 * Increments `tag`'s counter in `dir` (which must exist and be the tier's; `FileTier.bumpTags` checks) and
 * returns it as it stands after the increment (it may include other processes' increments).
 */
export async function bumpTagCounter(dir: string, tag: string, fileMode = 0o600): Promise<number> {
  const folder = join(dir, TAGS_DIR)
  try {
    await mkdir(folder, { mode: fileMode | 0o100 | ((fileMode & 0o044) >> 2) })
  } catch (err) {
    if (codeOf(err) !== 'EEXIST') throw err
    if (!(await lstat(folder)).isDirectory()) throw notOurs(TAGS_DIR, 'a folder')
  }
  const handle = await open(join(folder, tagFileName(tag)), APPEND_FLAGS, fileMode)
  try {
    if (!(await handle.stat()).isFile()) throw notOurs(join(TAGS_DIR, tagFileName(tag)), 'a file')
    await handle.write('+')
    return (await handle.stat()).size
  } finally {
    await handle.close()
  }
}

/**
 * Every tag counter of the folder `dir`, by tag (a tag long enough to have a hashed file name is listed by
 * that name, `=<sha256>`). Empty when no tag was ever invalidated.
 */
export async function readTagCounters(dir: string): Promise<Map<string, number>> {
  const counters = new Map<string, number>()
  let names: string[]
  try {
    names = await readdir(join(dir, TAGS_DIR))
  } catch (err) {
    if (isMissing(err)) return counters
    throw err
  }
  for (const name of names) {
    if (!name.endsWith(TAG_SUFFIX)) continue
    const stem = name.slice(0, -TAG_SUFFIX.length)
    const tag = fileNameToKey(stem + ENTRY_SUFFIX)
    if (tag === undefined) continue
    const info = await lstat(join(dir, TAGS_DIR, name)).catch(() => undefined)
    if (info?.isFile()) counters.set(tag ?? stem, info.size)
  }
  return counters
}

/**
 * For `stats` per tag: each tag that valid entries of the folder `dir` carry, with how many carry it (an
 * entry whose stamp is older than the tag's counter, invalidated, is not counted) and the tag's counter.
 * Reads every entry file: a tool's question, not the cache's.
 */
export async function countEntriesByTag(
  dir: string,
): Promise<Map<string, { entries: number; counter: number }>> {
  const counts = new Map<string, { entries: number; counter: number }>()
  let names: string[]
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith(ENTRY_SUFFIX))
  } catch (err) {
    if (isMissing(err)) return counts
    throw err
  }
  const counters = new Map<string, Promise<number>>()
  const counterOf = (tag: string) => {
    let counter = counters.get(tag)
    if (counter === undefined) counters.set(tag, (counter = readTagCounter(dir, tag)))
    return counter
  }
  await eachLimited(names, async (name) => {
    const stamps = storedTags(await readWhole(join(dir, name)).catch(() => Buffer.alloc(0)))
    if (stamps === undefined) return
    const current = await Promise.all(stamps.tags.map(counterOf))
    // An entry one of whose tags was invalidated is a miss: it counts for none of its tags.
    if (current.some((counter, i) => stamps.counters[i] !== counter)) return
    for (const [i, tag] of stamps.tags.entries()) {
      const count = counts.get(tag) ?? { entries: 0, counter: current[i]! }
      count.entries++
      counts.set(tag, count)
    }
  })
  return counts
}

/**
 * Whether the entry file at `path` carries a tag stamp older than the tag's counter: invalidated by tag.
 * `counterOf` reads a counter (memoized by the caller for one sweep). Unreadable files are left to prune.
 */
export async function isTagInvalidated(
  path: string,
  counterOf: (tag: string) => Promise<number>,
): Promise<boolean> {
  let bytes: Buffer
  try {
    bytes = await readWhole(path)
  } catch {
    return false
  }
  const stamps = storedTags(bytes)
  if (stamps === undefined) return false
  for (const [i, tag] of stamps.tags.entries())
    if (stamps.counters[i]! < (await counterOf(tag))) return true
  return false
}

function notOurs(name: string, what: string): Error {
  return folderRefusal(`${name} is not ${what}; tiercache keeps its tag counters there. Remove it.`)
}
