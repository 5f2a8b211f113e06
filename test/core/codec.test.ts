import { decode, encode } from '../../src/core/codec'
import { CacheError, SerializationError, StorageError } from '../../src/core/exceptions'

const roundTrip = <T>(value: T): T => decode(encode(value)) as T

describe('codec', () => {
  describe('plain JSON', () => {
    it.each([
      ['a string', 'hello "world" \u0000 😀'],
      ['a number', -12.5],
      ['a boolean', false],
      ['null', null],
      ['an array', [1, 'two', null, [3]]],
      ['an object', { a: 1, b: { c: [true, 'x'] } }],
    ])('%s takes the fast path: the text is plain JSON.stringify output', (_name, value) => {
      expect(encode(value)).toBe(JSON.stringify(value))
      expect(roundTrip(value)).toStrictEqual(value)
    })
  })

  describe('types JSON loses come back with their type', () => {
    it('Date, including an invalid one', () => {
      const when = new Date(1_700_000_000_123)
      expect(roundTrip(when)).toBeInstanceOf(Date)
      expect(roundTrip(when).getTime()).toBe(when.getTime())
      expect(Number.isNaN(roundTrip(new Date(Number.NaN)).getTime())).toBe(true)
    })

    it('Buffer, with its exact bytes', () => {
      const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256))
      const back = roundTrip(bytes)
      expect(Buffer.isBuffer(back)).toBe(true)
      expect(back.equals(bytes)).toBe(true)
    })

    it('a Buffer that views part of a larger one keeps only its own bytes', () => {
      const whole = Buffer.from('0123456789')
      expect(roundTrip(whole.subarray(3, 6)).toString()).toBe('345')
    })

    it('Uint8Array, with a buffer of its own (not a slice of a shared pool)', () => {
      const bytes = new Uint8Array([1, 2, 3, 250])
      const back = roundTrip(bytes)
      expect(back).toBeInstanceOf(Uint8Array)
      expect(Buffer.isBuffer(back)).toBe(false)
      expect([...back]).toEqual([...bytes])
      // Code such as `new Float32Array(bytes.buffer)` reads the whole buffer: it must hold these bytes only.
      expect(back.byteOffset).toBe(0)
      expect(back.buffer.byteLength).toBe(bytes.length)
    })

    it('Float64Array and the other typed arrays, with exact contents', () => {
      const values: ArrayBufferView[] = [
        new Float64Array([Math.PI, -0.1, Number.MAX_VALUE, Number.NaN]),
        new Float32Array([1.5, -2.25]),
        new Int16Array([-32768, 32767]),
        new Uint32Array([4294967295]),
        new BigInt64Array([-(2n ** 63n)]),
        new Uint8ClampedArray([0, 255]),
        new DataView(new Uint8Array([9, 8, 7]).buffer),
      ]
      for (const value of values) {
        const back = roundTrip(value)
        expect(back.constructor).toBe(value.constructor)
        expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength)).toEqual(
          Buffer.from(value.buffer, value.byteOffset, value.byteLength),
        )
      }
    })

    it('Map and Set, with non-string keys and nested tagged values', () => {
      const map = new Map<unknown, unknown>([
        [1, 'one'],
        [new Date(5), new Set([1n, 2n])],
        ['nested', new Map([['x', Buffer.from('y')]])],
      ])
      const back = roundTrip(map)
      expect(back).toBeInstanceOf(Map)
      expect(back).toEqual(map)
      expect([...back.keys()][1]).toBeInstanceOf(Date)
      const set = roundTrip(new Set(['a', 1, null]))
      expect(set).toBeInstanceOf(Set)
      expect([...set]).toEqual(['a', 1, null])
    })

    it('BigInt beyond the safe integer range', () => {
      const big = 2n ** 100n + 1n
      expect(roundTrip(big)).toBe(big)
      expect(roundTrip({ n: -big })).toEqual({ n: -big })
    })

    it('undefined, at the root, in objects and in arrays', () => {
      expect(encode(undefined)).toEqual(expect.any(String))
      expect(roundTrip(undefined)).toBeUndefined()
      expect(roundTrip({ a: undefined, b: 1 })).toStrictEqual({ a: undefined, b: 1 })
      expect(roundTrip([undefined, 1])).toStrictEqual([undefined, 1])
    })

    it('NaN, Infinity and -Infinity', () => {
      expect(roundTrip([Number.NaN, Infinity, -Infinity])).toEqual([
        Number.NaN,
        Infinity,
        -Infinity,
      ])
      expect(roundTrip(Infinity)).toBe(Infinity)
    })
  })

  describe('user data that looks like a tag', () => {
    it.each([
      ['$t at the root', { $t: '~', v: { $t: 'Date', v: 0 } }],
      ['$t nested', { data: { $t: 'BigInt', v: '1' } }],
      ['$t naming a typed array', [{ $t: 'Buffer', v: 'AAAA' }]],
      ['$t next to a real Date', { $t: 'x', at: new Date(0) }],
      ['$t inside a Map', new Map([['k', { $t: 'Set', v: [] }]])],
    ])('an object with a $t key stays a plain object: %s', (_name, value) => {
      expect(roundTrip(value)).toEqual(value)
    })
  })

  it('nested mixes of every type round-trip', () => {
    const value = {
      id: 'video_42',
      createdAt: new Date(1_700_000_000_000),
      frames: [new Float64Array([0.5, 1.5]), { thumbnail: Buffer.from('png'), at: 12n }],
      labels: new Map<string, unknown>([
        ['cat', new Set([0.9, Number.NaN])],
        ['none', undefined],
      ]),
      deep: Array.from({ length: 300 }).reduce<unknown>((inner) => ({ inner }), {
        leaf: new Date(1),
      }),
    }
    const back = roundTrip(value)
    expect(back).toEqual(value)
    expect(back.frames[0]).toBeInstanceOf(Float64Array)
    expect(Buffer.isBuffer((back.frames[1] as { thumbnail: unknown }).thumbnail)).toBe(true)
  })

  describe('values that cannot be stored throw SerializationError', () => {
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    const circularMap = new Map<string, unknown>()
    circularMap.set('self', circularMap)
    const circularSet = new Set<unknown>()
    circularSet.add([circularSet])
    const circularArray: unknown[] = []
    circularArray.push({ back: circularArray })

    it.each([
      ['a function', () => 1],
      ['a function in an object', { run() {} }],
      ['a function in a Map', new Map([['f', () => 1]])],
      [
        'a function in a class instance',
        new (class Job {
          fn = () => 1
        })(),
      ],
      ['a symbol', Symbol('s')],
      ['a symbol in an array', [1, Symbol('s')]],
      ['a circular object', circular],
      ['a cycle through a Map', circularMap],
      ['a cycle through a Set', circularSet],
      ['a cycle through an array', circularArray],
    ])('%s', (_name, value) => {
      let thrown: unknown
      try {
        encode(value)
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(SerializationError)
      expect(thrown).toBeInstanceOf(StorageError)
      expect(thrown).toBeInstanceOf(CacheError)
      expect((thrown as SerializationError).code).toBe('E_SERIALIZATION')
      expect((thrown as Error).message).toMatch(/^\[tiercache\] value cannot be stored/)
    })
  })

  it('decode() throws on text that is not JSON, and on a tag it does not know', () => {
    expect(() => decode('{"v":1,')).toThrow(SyntaxError)
    expect(() => decode('{"$t":"~","v":{"$t":"Martian","v":1}}')).toThrow(/Martian/)
  })
})
