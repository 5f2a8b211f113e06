import { argsKey } from '../../src/memoize/key'
import { keyPrefix } from '../../src/memoize/key-prefix'
import { functionOfKey, newerFirst } from '../../src/cli/function-id'

const key = (parts: Parameters<typeof keyPrefix>[0], args: unknown[] = ['abc', 4]) =>
  argsKey(keyPrefix(parts), args)

describe('functionOfKey', () => {
  it.each([
    [{ namespace: 'video', name: 'describe', version: 2 }, 'video:describe', 'v2'],
    [{ name: 'describe', version: 1 }, 'describe', 'v1'],
    [{ namespace: 'asr', name: 'transcribe', version: '1.2.0' }, 'asr:transcribe', 'v1.2.0'],
    [{ namespace: 'x', name: 'f', version: 'beta' }, 'x:f', "v'beta"],
    [{ namespace: 'v1', name: 'v2', version: 3 }, "'v1:'v2", 'v3'],
    [
      { namespace: 'ns', name: 'Cls.method', version: 1, fingerprint: 'AbC123' },
      'ns:Cls.method',
      '#AbC123:v1',
    ],
  ])('reads the function and version withCache put in the key: %j', (parts, fn, version) => {
    for (const args of [[], ['v9', 'abc:def'], [{ a: 1 }]])
      expect(functionOfKey(key(parts, args))).toEqual({ id: `${fn}:${version}`, fn, version })
  })

  it('a key withCache did not make has no function', () => {
    for (const k of ['user_42', 'a:b:c:d:e', 'v1', 'v1:abc', 'report/vid1/x'])
      expect(functionOfKey(k)).toBeUndefined()
  })
})

describe('newerFirst', () => {
  const v = (version: string, newestWrite = 0) => ({ version, newestWrite })
  it('orders numbered versions by number, not as text', () => {
    const sorted = [v('v1'), v('v10'), v('v9'), v('v1.2.0'), v('v1.10.0')].sort(newerFirst)
    expect(sorted.map((x) => x.version)).toEqual(['v10', 'v9', 'v1.10.0', 'v1.2.0', 'v1'])
  })

  it('orders fingerprints and named versions by their newest entry', () => {
    const sorted = [v('#a:v1', 10), v('#b:v1', 30), v("v'beta", 20)].sort(newerFirst)
    expect(sorted.map((x) => x.version)).toEqual(['#b:v1', "v'beta", '#a:v1'])
  })
})
