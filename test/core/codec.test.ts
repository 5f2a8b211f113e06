import { decode, encode } from '../../src/core/codec'
import { difference } from '../helpers/same-value'
import { CacheError, SerializationError, StorageError } from '../../src/core/exceptions'

/** ES2024's resizable ArrayBuffer (Node 20 has it; the es2023 lib does not declare it). */
type Growable = new (length: number, options: { maxByteLength: number }) => ArrayBuffer

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

  describe('the same value comes back, not a lookalike', () => {
    const same = (value: unknown) => expect(difference(value, roundTrip(value))).toBeUndefined()

    it('an ArrayBuffer, with its bytes', () => {
      same(new Uint8Array([1, 2, 3, 255]).buffer)
      same({ body: new ArrayBuffer(0) })
    })

    it('a SharedArrayBuffer stays shared-typed, a resizable ArrayBuffer keeps its maxByteLength', () => {
      const shared = new SharedArrayBuffer(3)
      new Uint8Array(shared).set([7, 8, 9])
      same(shared)
      const resizable = new (ArrayBuffer as unknown as Growable)(2, { maxByteLength: 16 })
      new Uint8Array(resizable).set([4, 5])
      same(resizable)
    })

    it('-0, at the root, in arrays and objects and Map values', () => {
      same(-0)
      same([0, -0])
      same({ x: -0, y: 0 })
      same(new Map([['k', -0]]))
    })

    it('an array with holes keeps its holes', () => {
      // eslint-disable-next-line no-sparse-arrays
      same([1, , 3])
      same(new Array(3))
      same([undefined, 1])
    })

    it('a null-prototype object keeps its null prototype, with or without a $t key', () => {
      same(Object.assign(Object.create(null) as object, { a: 1, b: new Date(0) }))
      same(Object.assign(Object.create(null) as object, { $t: 'Date', v: 0 }))
      same(Object.create(null))
    })

    it('an own __proto__ key is data, not a prototype', () => {
      same(JSON.parse('{"__proto__":{"polluted":true},"a":1}'))
      same(JSON.parse('{"__proto__":1,"d":{}}') as object)
      same({ d: new Date(0), ...(JSON.parse('{"__proto__":[1]}') as object) })
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('symbol-keyed and non-enumerable properties are left out, as JSON and structuredClone leave them', () => {
      const value = Object.defineProperty({ a: 1, [Symbol('meta')]: 2 }, 'hidden', { value: 3 })
      expect(difference({ a: 1 }, roundTrip(value))).toBeUndefined()
      expect(
        difference({ a: 1, d: new Date(0) }, roundTrip({ ...value, d: new Date(0) })),
      ).toBeUndefined()
    })

    it('an invalid Date stays invalid', () => {
      same(new Date(Number.NaN))
    })
  })

  describe('what is by design not part of the stored copy (README, Values)', () => {
    it('a getter is stored as the value it returned', () => {
      const value = {
        get now() {
          return 42
        },
      }
      expect(difference({ now: 42 }, roundTrip(value))).toBeUndefined()
    })

    it('properties added to an array are left out: an array is its elements', () => {
      expect(difference([1, 2], roundTrip(Object.assign([1, 2], { extra: true })))).toBeUndefined()
    })

    it('a class instance with toJSON is stored as what toJSON returns', () => {
      class Money {
        constructor(private readonly cents: number) {}
        toJSON() {
          return { cents: this.cents }
        }
      }
      expect(difference({ cents: 5 }, roundTrip(new Money(5)))).toBeUndefined()
      expect(roundTrip(new URL('https://example.com/a'))).toBe('https://example.com/a')
    })

    it('two references to one object come back as two equal copies; object keys of a Map as equal objects', () => {
      const shared = { id: 1 }
      const back = roundTrip([shared, shared])
      expect(difference([{ id: 1 }, { id: 1 }], back)).toBeUndefined()
      expect(back[0]).not.toBe(back[1])
      const map = new Map<unknown, unknown>([
        [{ id: 1 }, 'a'],
        [[1, 2], 'b'],
      ])
      expect(difference(map, roundTrip(map))).toBeUndefined()
    })
  })

  describe('values that would not come back the same are refused, saying why', () => {
    class Bytes extends Uint8Array {}
    class Chunk extends Buffer {}
    class Money {
      constructor(public cents: number) {}
    }
    it.each([
      ['a typed-array subclass', new Bytes(4), /Bytes/],
      ['a typed-array subclass, attached size', new Bytes(10_000), /Bytes/],
      ['a Buffer subclass', Object.setPrototypeOf(Buffer.from('x'), Chunk.prototype), /Chunk/],
      ['a Map subclass', new (class Registry extends Map {})(), /Registry/],
      ['a Set subclass', new (class Tags extends Set {})(), /Tags/],
      ['a Date subclass', new (class When extends Date {})(0), /When/],
      ['an Array subclass', new (class List extends Array {})(), /List/],
      ['a class instance', new Money(100), /Money/],
      ['a class instance in an object', { price: new Money(100) }, /Money/],
      ['an Error', new Error('boom'), /Error/],
      ['a boxed number', new Number(1), /Number/],
      ['a boxed string', new String('s'), /String/],
      ['a RegExp', /x/g, /RegExp/],
      ['a Promise', Promise.resolve(1), /Promise/],
      ['a WeakMap', new WeakMap(), /WeakMap/],
    ])('%s', (_name, value, reason) => {
      expect(() => encode(value)).toThrow(SerializationError)
      expect(() => encode(value)).toThrow(reason)
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
