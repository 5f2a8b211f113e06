/**
 * A process of the stale-lease race: three file tiers on the shared folder (three contenders, as separate
 * processes would be). On {key}, all three try to take that key's lease at once; replies with how many got it.
 * argv: dir ttlMs. IPC: sends {ready}; answers each {key} with {acquired, tookOver}.
 */
import { FileTier } from '../../src/storage/tiers/file'

const [dir, ttlMs] = process.argv.slice(2) as [string, string]
const tiers = [1, 2, 3].map(() => new FileTier({ dir }))

process.on('message', (message: { key?: string; exit?: true }) => {
  if (message.exit) return process.disconnect()
  void (async () => {
    const held = await Promise.all(
      tiers.map((tier) =>
        tier.leases.tryAcquire(message.key!, Number(ttlMs)).catch(() => undefined),
      ),
    )
    const got = held.filter((lease) => lease !== undefined)
    process.send!({ acquired: got.length, tookOver: got.filter((lease) => lease!.tookOver).length })
  })()
})
process.send!({ ready: true })
