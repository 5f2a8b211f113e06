/**
 * A second process for the shared-tier test: a RedisTier on the url and prefix it is given, driven over IPC.
 * Each message { op, key, value? } gets one answer: { value, pid } for get, { ok } else. A key ending in
 * `date` is set to a Date, so the parent sees that types cross processes.
 */
import { encode } from '../../src/core/codec'
import { RedisTier } from '../../src/redis'

const [url, prefix] = process.argv.slice(2) as [string, string]
const tier = new RedisTier({ url, prefix })

interface Command {
  op: 'get' | 'set' | 'delete' | 'exit'
  key: string
  value?: unknown
}

process.on('message', (command: Command) => {
  void (async () => {
    try {
      if (command.op === 'get') {
        const entry = await tier.get(command.key)
        const value = entry?.value
        process.send!({ value, pid: process.pid })
      } else if (command.op === 'set') {
        const value = command.key.endsWith('date')
          ? new Date(command.value as number)
          : command.value
        await tier.set({
          key: command.key,
          value,
          encoded: encode(value),
          expiresAt: Date.now() + 60_000,
        })
        process.send!({ ok: true })
      } else if (command.op === 'delete') {
        process.send!({ ok: await tier.delete(command.key) })
      } else {
        await tier.close()
        process.disconnect()
      }
    } catch (err) {
      process.send!({ error: String(err) })
    }
  })()
})
process.send!({ ready: true })
