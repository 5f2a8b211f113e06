import type { Entry } from '../storage/tier'

/**
 * Entries of one cached function, found by its arguments instead of by key: building and hashing a fresh key
 * string and looking it up in the memory tier is most of a memory hit's cost.
 * - Primitive arguments (but -0): one Map lookup per argument (strings hash once, numbers not at all), in one tree per
 *   argument count, so the last argument's Map holds the entry itself.
 * - Arguments holding objects of plain JSON data: one lookup by the call's text (`callText`, which the caller
 *   computes once per call and passes in). Other calls are not remembered.
 *
 * It only remembers: the memory tier stays the authority, and every entry found here is checked with
 * `cache.isCurrent(entry)` before use. Only default keys qualify (they depend on nothing but the arguments).
 */
export class ArgsIndex {
  #byArity: (Map<unknown, unknown> | Entry | undefined)[] = []
  #byText = new Map<string, Entry>()
  #size = 0
  readonly #maxSize: number
  readonly #maxTexts: number

  /**
   * @param maxSize entries remembered before the index starts over (it refills from hits).
   * @param maxTexts of which remembered by call text (each text up to 512 characters, see `callText`).
   */
  constructor(maxSize = 65_536, maxTexts = 16_384) {
    this.#maxSize = maxSize
    this.#maxTexts = maxTexts
  }

  /** The entry remembered for these arguments (`text`: their `callText`); undefined when there is none. */
  get(args: readonly unknown[], text: string | undefined): Entry | undefined {
    if (text !== undefined) return this.#byText.get(text)
    let node = this.#byArity[args.length]
    for (let i = 0; i < args.length && node !== undefined; i++) {
      const arg = args[i]
      if (!isPrimitive(arg)) return undefined
      node = (node as Map<unknown, unknown>).get(arg) as Map<unknown, unknown> | Entry | undefined
    }
    return node as Entry | undefined
  }

  /** Remembers `entry` for these arguments (`text`: their `callText`), if they are primitives or plain data. */
  set(args: readonly unknown[], text: string | undefined, entry: Entry): void {
    if (text === undefined && !args.every(isPrimitive)) return
    if (this.#size >= this.#maxSize || this.#byText.size >= this.#maxTexts) {
      this.#byArity = [] // bounded by starting over: the entries are only shortcuts, and hits refill them
      this.#byText = new Map()
      this.#size = 0
    }
    if (text !== undefined) {
      if (!this.#byText.has(text)) this.#size++
      this.#byText.set(text, entry)
    } else if (args.length === 0) {
      this.#byArity[0] = entry
    } else {
      this.#setByArgs(args, entry)
    }
  }

  #setByArgs(args: readonly unknown[], entry: Entry): void {
    let node = (this.#byArity[args.length] ??= new Map()) as Map<unknown, unknown>
    for (let i = 0; i < args.length - 1; i++) {
      let next = node.get(args[i]) as Map<unknown, unknown> | undefined
      if (next === undefined) node.set(args[i], (next = new Map()))
      node = next
    }
    const last = args[args.length - 1]
    if (!node.has(last)) this.#size++
    node.set(last, entry)
  }
}

/** Longer string arguments are not remembered: 65,536 of them could hold gigabytes (as call texts, see callText). */
const MAX_STRING_LENGTH = 512

/**
 * Values a Map compares the way default keys do: `1` and `'1'` differ, NaN equals NaN. Not -0, which a Map
 * takes for 0 while keys keep them apart: a call with -0 is never indexed, so it never finds 0's entry.
 */
function isPrimitive(value: unknown): boolean {
  const type = typeof value
  return (
    (type === 'string' && (value as string).length <= MAX_STRING_LENGTH) ||
    (type === 'number' && (value !== 0 || 1 / (value as number) > 0)) ||
    type === 'boolean' ||
    type === 'bigint' ||
    value === undefined ||
    value === null
  )
}
