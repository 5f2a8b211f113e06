// Child of file.multiprocess.test.ts: overwrites a few keys with 1 MiB values in a loop until it is killed.
import { encode } from '../../src/core/codec'
import { FileTier } from '../../src/storage/tiers/file'
import { checksummed } from './checksummed'

export const VALUE_SIZE = 1024 * 1024

async function main(dir: string, keyCount: number): Promise<void> {
  const tier = new FileTier({ dir })
  // Two whole values per key, made up front and written in turn: the loop is then almost all file I/O, so a
  // kill at a random moment usually lands mid-write, and a mix of the two values would fail its checksum.
  const keys = Array.from({ length: keyCount }, (_, i) => `big-${i}`)
  const values = keys.map((key) =>
    [0, 1].map((seq) => checksummed(key, String(process.pid), seq, VALUE_SIZE)),
  )
  const encoded = values.map((pair) => pair.map((value) => encode(value)))
  for (let n = 0; ; n++) {
    const k = n % keyCount
    const turn = Math.floor(n / keyCount) % 2
    await tier.set({
      key: keys[k]!,
      value: values[k]![turn],
      encoded: encoded[k]![turn]!,
      expiresAt: Date.now() + 3_600_000,
    })
    if (n === keyCount - 1) process.send!('ready') // every key has a value now
  }
}

if (require.main === module) {
  main(process.argv[2]!, Number(process.argv[3])).catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
