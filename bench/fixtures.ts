/** Data, folders and raw-fs helpers shared by the scenario modules. */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Verdict, type Contender, type Sample } from './harness'

/** A value of about 1 KB as JSON: what an API call or a parsed metadata record typically looks like. */
export interface Record1K {
  id: number
  key: string
  title: string
  tags: string[]
  fps: number
  durationMs: number
  ready: boolean
  payload: string
}

/**
 * The value stored under key number `id`: the same in every process (the restart scenario's children
 * recompute it to check what they read). `payload` comes from a seeded generator, distinct per id.
 */
export function record1K(
  id: number,
  payload: (length: number) => string = (length) => seededHex(id, length),
): Record1K {
  const r: Record1K = {
    id,
    key: `video_${id}`,
    title: `Segment ${id} of the long recording`,
    tags: ['bench', 'tiercache', `t${id % 17}`],
    fps: 30,
    durationMs: 4000 + (id % 1000),
    ready: id % 2 === 0,
    payload: '',
  }
  // Pad to 1024 bytes of JSON with distinct text, so no two values share their bulk.
  r.payload = payload(1024 - JSON.stringify(r).length)
  return r
}

/** Random hex of `length` characters: fast, for values nobody recomputes (scenario 8's million sets). */
export const randomHex = (length: number) =>
  randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length)

function seededHex(seed: number, length: number): string {
  let x = (seed * 2654435761) >>> 0 || 1
  let out = ''
  while (out.length < length) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out += x.toString(16).padStart(8, '0')
  }
  return out.slice(0, length)
}

/** A buffer of `size` pseudo-random bytes (every byte matters when checking what comes back). */
export function bigBuffer(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** `count` indices into [0, keys), in a seeded random order. */
export function randomOrder(count: number, keys: number, random: () => number): Uint32Array {
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) out[i] = Math.floor(random() * keys)
  return out
}

/** The type of a value as a person would name it: Buffer, Uint8Array, Object, string … */
export function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Buffer.isBuffer(value)) return 'Buffer'
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'Object'
  return typeof value
}

// --- Folders ---

let root: string | undefined

/** The run's scratch folder under os.tmpdir(); everything the bench writes to disk goes under it. */
export function scratchRoot(): string {
  return (root ??= mkdtempSync(join(tmpdir(), 'tiercache-bench-')))
}

/** A new empty folder under the scratch root. */
export function scratchDir(name: string): string {
  const dir = join(
    scratchRoot(),
    `${name.replace(/[^a-z0-9_-]+/gi, '-')}-${Math.random().toString(36).slice(2, 8)}`,
  )
  mkdirSync(dir, { recursive: true })
  return dir
}

/** `sync`: writes dirty pages out, so a measurement that follows does not pay for an earlier fill's writeback. */
export function flushToDisk(): void {
  try {
    execFileSync('sync', { stdio: 'ignore' })
  } catch {
    // no sync(1) here: the measurement runs with the writeback still going
  }
}

export function removeScratch(): void {
  if (root) rmSync(root, { recursive: true, force: true })
  root = undefined
}

// --- The raw fs baseline ---

let tmpCounter = 0

/** What a careful hand-written file cache does to store: write a temp file, then rename it into place (atomic). */
export async function rawAtomicWrite(
  dir: string,
  name: string,
  data: string | Buffer,
): Promise<void> {
  const tmp = join(dir, `.tmp-${process.pid}-${tmpCounter++}`)
  await writeFile(tmp, data)
  await rename(tmp, join(dir, name))
}

/** …and to read: `readFile` + `JSON.parse`. */
export async function rawReadJson(dir: string, name: string): Promise<unknown> {
  return JSON.parse(await readFile(join(dir, name), 'utf8'))
}

// --- Contender helper ---

export interface ContenderSpec {
  name: string
  baseline?: boolean
  note?: string
  setup?: (verdict: Verdict) => Promise<void>
  prepare?: (verdict: Verdict) => Promise<void>
  batch: (ops: number, verdict: Verdict) => Promise<Sample>
  after?: (verdict: Verdict) => Promise<void>
  teardown?: () => Promise<void>
}

/** Builds a Contender with its own Verdict, passed to each step. */
export function contender(spec: ContenderSpec): Contender {
  const verdict = new Verdict()
  return {
    name: spec.name,
    baseline: spec.baseline,
    note: spec.note,
    verdict,
    setup: spec.setup && (() => spec.setup!(verdict)),
    prepare: spec.prepare && (() => spec.prepare!(verdict)),
    batch: (ops) => spec.batch(ops, verdict),
    after: spec.after && (() => spec.after!(verdict)),
    teardown: spec.teardown,
  }
}

/** Runs `work(0 … count-1)` with at most `limit` in flight: for filling stores quickly, untimed. */
export async function eachLimited(
  count: number,
  limit: number,
  work: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) await work(next++)
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker))
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
