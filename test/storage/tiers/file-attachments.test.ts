import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache, FileTier, MemoryTier } from '../../../src'
import { ATTACH_FROM_BYTES, encodeParts, fromParsed } from '../../../src/core/codec'
import { FakeClock } from '../../../src/testing/fake-clock'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()

/** Large binary values are stored as raw bytes after the entry's JSON document, not as base64 inside it. */
describe('FileTier attachments', () => {
  const open = (dir = makeTempDir()) =>
    new Cache({
      tiers: [new FileTier({ dir, clock: new FakeClock() })],
      clock: new FakeClock(),
      cleanupInterval: false,
    })
  const onlyFile = (dir: string) =>
    join(
      dir,
      readdirSync(dir).find((name) => name.endsWith('.json'))!,
    )

  it('a 1 MiB Buffer round-trips byte for byte and is stored raw, not as base64', async () => {
    const dir = makeTempDir()
    const bytes = randomBytes(1 << 20)
    await open(dir).set('frame', bytes)
    const file = readFileSync(onlyFile(dir))
    expect(file.length).toBeLessThan(bytes.length + 200) // base64 would be 1.33x
    const back = await open(dir).get<Buffer>('frame')
    expect(Buffer.isBuffer(back)).toBe(true)
    expect(back!.equals(bytes)).toBe(true)
  })

  it('keeps nested binary data of several types, and small byte arrays inline', async () => {
    const dir = makeTempDir()
    const value = {
      thumbnail: randomBytes(ATTACH_FROM_BYTES),
      embedding: new Float32Array(2048).map((_, i) => i / 3),
      tiny: Buffer.from('abc'),
      frames: [randomBytes(5000), new Uint8Array(randomBytes(6000))],
      at: new Date(42),
    }
    await open(dir).set('segment', value)
    const header = readFileSync(onlyFile(dir)).toString('latin1').split('\n')[0]!
    expect(JSON.parse(header).attachments).toEqual([ATTACH_FROM_BYTES, 8192, 5000, 6000])
    const back = await open(dir).get<typeof value>('segment')
    expect(back!.thumbnail.equals(value.thumbnail)).toBe(true)
    expect(back!.embedding).toBeInstanceOf(Float32Array)
    expect([...back!.embedding]).toEqual([...value.embedding])
    expect(back!.tiny.toString()).toBe('abc')
    expect(Buffer.from(back!.frames[1]!).equals(Buffer.from(value.frames[1]!))).toBe(true)
    expect(back!.frames[1]!.constructor).toBe(Uint8Array)
    expect(back!.at).toEqual(new Date(42))
  })

  it.each([
    ['cut inside the bytes', (path: string, size: number) => truncateSync(path, size - 10)],
    [
      'cut right after the document',
      (path: string) => truncateSync(path, readFileSync(path).indexOf(0x0a) + 1),
    ],
    [
      'extra bytes appended',
      (path: string) =>
        writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from('junk')])),
    ],
  ])('an entry with attachments %s reads as a miss', async (_name, damage) => {
    const dir = makeTempDir()
    await open(dir).set('blob', randomBytes(10_000))
    const path = onlyFile(dir)
    damage(path, readFileSync(path).length)
    expect(await open(dir).get('blob')).toBeUndefined()
  })

  it('promotes an entry with attachments into a memory tier bounded by bytes, counting them', async () => {
    const dir = makeTempDir()
    await open(dir).set('big', randomBytes(100_000))
    const clock = new FakeClock()
    const memory = new MemoryTier({ maxBytes: 1_000_000, clock })
    const cache = new Cache({
      tiers: [memory, new FileTier({ dir, clock })],
      clock,
      cleanupInterval: false,
    })
    expect((await cache.get<Buffer>('big'))!.length).toBe(100_000)
    expect((await memory.stats()).bytes).toBeGreaterThanOrEqual(100_000)
    await cache.close()
  })

  it('encodeParts refers to attachments by index and fromParsed resolves them', () => {
    const a = randomBytes(ATTACH_FROM_BYTES + 1)
    const { text, attachments } = encodeParts({ a, list: [a] })
    expect(attachments).toHaveLength(2)
    const back = fromParsed(JSON.parse(text), attachments) as { a: Buffer; list: Buffer[] }
    expect(back.a.equals(a) && back.list[0]!.equals(a)).toBe(true)
    expect(() => fromParsed(JSON.parse(text), [])).toThrow(/missing attachment/)
  })
})

describe('FileTier attachments under a hashed (long-key) name', () => {
  it('clear(pattern) and prune() read the key of a hashed entry that has attachments', async () => {
    const dir = makeTempDir()
    const clock = new FakeClock()
    const tier = new FileTier({ dir, clock })
    const cache = new Cache({ tiers: [tier], clock, cleanupInterval: false })
    const longKey = `frames_${'x'.repeat(400)}`
    await cache.set(longKey, randomBytes(10_000), 60)
    expect(readdirSync(dir).some((name) => name.startsWith('='))).toBe(true)
    expect(await cache.clear('frames_*')).toBe(1)
    await cache.set(longKey, randomBytes(10_000), 60)
    clock.advance(61_000)
    expect(await cache.cleanup()).toBe(1)
    await cache.close()
  })
})

describe('FileTier attachments beyond IOV_MAX', () => {
  it('a value holding more byte arrays than IOV_MAX (1024) round-trips through writev', async () => {
    const dir = makeTempDir()
    const frames = Array.from({ length: 1500 }, (_, i) => Buffer.alloc(4096, i % 251))
    await new Cache({ cacheDir: dir, cleanupInterval: false }).set('frames', frames)
    const back = await new Cache({ cacheDir: dir, cleanupInterval: false }).get<Buffer[]>('frames')
    expect(back).toHaveLength(1500)
    expect(back!.every((b, i) => b.equals(frames[i]!))).toBe(true)
  })
})
