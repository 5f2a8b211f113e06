import { FileTier } from '../storage/tiers/file'
import type { Command } from './command'
import { requireFolder } from './command'
import { walkFolder } from './folder-scan'
import { bytes, count, span, writeJson, writeText } from './output'
import { Progress } from './progress'

/**
 * `tiercache cleanup`: what `cache.cleanup()` does to the folder, with a summary. It runs the tier's own
 * FileTier.prune (expired and unreadable entries, temp files of writers that died, and what later versions
 * of the tier add to it), so it never decides differently from a running cache.
 */
export const cleanupCommand: Command = {
  spec: {
    name: 'cleanup',
    summary:
      'Does what cache.cleanup() does: removes expired and unreadable entries and the temp files of\nwriters that died, then says what it removed and what is left.',
    positionals: [],
    options: {},
  },
  async run(ctx) {
    requireFolder(ctx.dir)
    const tier = new FileTier({ dir: ctx.dir })
    const started = Date.now()
    const before = await tier.stats()
    const leftoversBefore = await sideFiles(ctx.dir)
    const removed = await new Progress(ctx.streams, 'cleaning up').during(tier.prune())
    const after = await tier.stats()
    const leftoversAfter = await sideFiles(ctx.dir)
    await tier.close()
    const summary = {
      removed,
      bytesFreed: Math.max(0, before.bytes - after.bytes),
      tempFilesRemoved: Math.max(0, leftoversBefore.temp - leftoversAfter.temp),
      leaseFilesRemoved: Math.max(0, leftoversBefore.lease - leftoversAfter.lease),
      entries: after.entries,
      bytes: after.bytes,
      ms: Date.now() - started,
    }
    if (ctx.json) writeJson(ctx.streams, summary)
    else
      writeText(
        ctx.streams,
        `removed ${count(removed)} expired or unreadable entries (${bytes(summary.bytesFreed)}), ` +
          `${count(summary.tempFilesRemoved)} temp files and ${count(summary.leaseFilesRemoved)} lease files in ${span(summary.ms)}\n` +
          `${count(after.entries)} entries (${bytes(after.bytes)}) remain`,
      )
    return 0
  },
}

/** How many files the temp and lease folders hold (a walk of names: no file is opened). */
async function sideFiles(dir: string): Promise<{ temp: number; lease: number }> {
  const counts = { temp: 0, lease: 0 }
  for await (const item of walkFolder(dir))
    if (item.kind === 'temp' || item.kind === 'lease') counts[item.kind]++
  return counts
}
