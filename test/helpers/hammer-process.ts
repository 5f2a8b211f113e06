// Child of file.multiprocess.test.ts: reads and overwrites a few keys of one folder as fast as it can, until it
// has done the writes and reads it was asked for, and counts every read that is not a whole, self-consistent value.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encode } from '../../src/core/codec'
import { FileTier } from '../../src/storage/tiers/file'
import { keyToFileName } from '../../src/storage/tiers/file-layout'
import { checksummed, isIntact } from './checksummed'

export interface HammerReport {
  writes: number
  hits: number
  misses: number
  rawReads: number
  torn: number
  wrong: number
  /** Misses of a key already seen: with no deletes or expiry, rename-into-place must never leave a gap. */
  lost: number
  /** True when the time cap stopped the child before its goal: the machine was too slow to prove anything. */
  capped: boolean
}

/** What the parent asks for: a number of operations, not a duration, so a slow machine only takes longer. */
export interface HammerGoal {
  minWrites: number
  minReads: number
  /** Epoch ms at which the child stops anyway. */
  capAt: number
}

async function main(dir: string, keyCount: number, writer: string): Promise<void> {
  const tier = new FileTier({ dir })
  const report: HammerReport = {
    writes: 0,
    hits: 0,
    misses: 0,
    rawReads: 0,
    torn: 0,
    wrong: 0,
    lost: 0,
    capped: false,
  }
  const seen = new Set<string>()
  process.send!('ready')
  const goal = await new Promise<HammerGoal>((resolve) => process.once('message', resolve as never))
  const done = () =>
    report.writes >= goal.minWrites && report.hits + report.rawReads >= goal.minReads
  for (let seq = 0; !done(); seq++) {
    if (Date.now() >= goal.capAt) {
      report.capped = true
      break
    }
    const key = `key-${Math.floor(Math.random() * keyCount)}`
    if (Math.random() < 0.5) {
      const value = checksummed(key, writer, seq, 1_000 + Math.floor(Math.random() * 200_000))
      await tier.set({ key, value, encoded: encode(value), expiresAt: Infinity })
      report.writes++
      seen.add(key)
      continue
    }
    const entry = await tier.get(key) // a torn file would read as a miss here: the raw read below catches it
    if (entry === undefined) {
      report.misses++
      if (seen.has(key)) report.lost++
    } else if (isIntact(entry.value, key)) report.hits++
    else report.wrong++
    let text: string
    try {
      text = await readFile(join(dir, keyToFileName(key)), 'utf8')
    } catch {
      if (seen.has(key)) report.lost++
      continue // not written yet
    }
    report.rawReads++
    seen.add(key)
    try {
      if (!isIntact((JSON.parse(text) as { value: unknown }).value, key)) report.wrong++
    } catch {
      report.torn++
    }
  }
  process.send!(report, () => process.disconnect())
}

main(process.argv[2]!, Number(process.argv[3]), process.argv[4]!).catch((err) => {
  console.error(err)
  process.exit(1)
})
