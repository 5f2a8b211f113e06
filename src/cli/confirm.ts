import { createInterface } from 'node:readline'
import type { Streams } from './output'

/** Whether the command may ask a question: its input and its output are both a terminal. */
export function canAsk(streams: Streams): boolean {
  return Boolean(streams.in.isTTY && streams.err.isTTY)
}

/** Asks `question` on stderr and reads one line: true only for y or yes. End of input is a no. */
export function confirm(streams: Streams, question: string): Promise<boolean> {
  const rl = createInterface({ input: streams.in, output: streams.err, terminal: false })
  return new Promise((resolve) => {
    let answered = false
    rl.once('line', (line) => {
      answered = true
      rl.close()
      resolve(/^\s*y(es)?\s*$/i.test(line))
    })
    rl.once('close', () => {
      if (!answered) resolve(false)
    })
    streams.err.write(`${question} [y/N] `)
  })
}
