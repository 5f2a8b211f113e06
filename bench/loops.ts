/**
 * The hot loops of the sub-microsecond scenarios. Each contender runs its own copy of this module (see
 * `freshLoops`): V8 keeps type feedback per function, so with one shared loop the call to "the cache" sees
 * eight different targets, goes megamorphic, and every contender pays for the others (measured: +60–90 ns
 * per call, more than a Map hit costs). With its own copy, each contender's call site sees one target, as
 * it would in an application.
 *
 * The loops check every result cheaply (a field or two) and hand anything unexpected to `wrong`, which
 * records it; they never throw, so a wrong answer is reported rather than hidden.
 */
import type * as Loops from './loops'

/** A key order: indices into the key arrays, its length a power of two. */
type Order = Uint32Array

interface SegmentLike {
  videoId: string
  segmentId: number
  fps: number
}

/** Scenario 1: `call(videoId, segmentId)`, every result checked. */
export async function hitPrimitive(
  call: (videoId: string, segmentId: number) => Promise<SegmentLike>,
  order: Order,
  videoIds: string[],
  segmentIds: number[],
  cursor: number,
  ops: number,
  wrong: (got: unknown, k: number) => void,
): Promise<void> {
  const mask = order.length - 1
  for (let i = 0; i < ops; i++) {
    const k = order[(cursor + i) & mask]!
    const got = await call(videoIds[k]!, segmentIds[k]!)
    if (got.segmentId !== segmentIds[k] || got.videoId !== videoIds[k]) wrong(got, k)
  }
}

/** Scenario 2: a new, equal `{ videoId, opts: { fps, model } }` object per call. */
export async function hitObject(
  call: (query: { videoId: string; opts: { fps: number; model: string } }) => Promise<SegmentLike>,
  order: Order,
  videoIds: string[],
  fpsOf: number[],
  modelOf: string[],
  cursor: number,
  ops: number,
  wrong: (got: unknown, k: number) => void,
): Promise<void> {
  const mask = order.length - 1
  for (let i = 0; i < ops; i++) {
    const k = order[(cursor + i) & mask]!
    const got = await call({ videoId: videoIds[k]!, opts: { fps: fpsOf[k]!, model: modelOf[k]! } })
    if (got.videoId !== videoIds[k] || got.fps !== fpsOf[k]) wrong(got, k)
  }
}

/** Scenario 3: keys `m<n>` for n in [first, first + ops), none seen before. */
export async function missPrimitive(
  call: (videoId: string, segmentId: number) => Promise<SegmentLike>,
  first: number,
  ops: number,
  wrong: (got: unknown, n: number) => void,
): Promise<void> {
  for (let i = 0; i < ops; i++) {
    const n = first + i
    const got = await call(`m${n}`, n)
    if (got.segmentId !== n) wrong(got, n)
  }
}

/** Scenario 5: `await get(key)`, checking the record's id. */
export async function getAwaited(
  get: (key: string) => unknown,
  order: Order,
  names: string[],
  cursor: number,
  ops: number,
  wrong: (got: unknown, k: number) => void,
): Promise<void> {
  const mask = order.length - 1
  for (let i = 0; i < ops; i++) {
    const k = order[(cursor + i) & mask]!
    const got = (await get(names[k]!)) as { id: number } | undefined
    if (got?.id !== k) wrong(got, k)
  }
}

/** Scenario 5, for a synchronous API (lru-cache), called as its users call it. */
export async function getSync(
  get: (key: string) => unknown,
  order: Order,
  names: string[],
  cursor: number,
  ops: number,
  wrong: (got: unknown, k: number) => void,
): Promise<void> {
  const mask = order.length - 1
  for (let i = 0; i < ops; i++) {
    const k = order[(cursor + i) & mask]!
    const got = get(names[k]!) as { id: number } | undefined
    if (got?.id !== k) wrong(got, k)
  }
}

export async function setAwaited<V>(
  set: (key: string, value: V) => unknown,
  order: Order,
  names: string[],
  values: V[],
  cursor: number,
  ops: number,
): Promise<void> {
  const mask = order.length - 1
  for (let i = 0; i < ops; i++) {
    const k = order[(cursor + i) & mask]!
    await set(names[k]!, values[k]!)
  }
}

export async function setSync<V>(
  set: (key: string, value: V) => unknown,
  order: Order,
  names: string[],
  values: V[],
  cursor: number,
  ops: number,
): Promise<void> {
  const mask = order.length - 1
  for (let i = 0; i < ops; i++) {
    const k = order[(cursor + i) & mask]!
    set(names[k]!, values[k]!)
  }
}

/**
 * A copy of this module of its own: compiled anew, so its functions share no type feedback with any other
 * copy. Call once per contender.
 */
export function freshLoops(): typeof Loops {
  const path = require.resolve('./loops')
  delete require.cache[path]
  try {
    return require('./loops') as typeof Loops
  } finally {
    delete require.cache[path]
  }
}
