/** Values of every type the codec keeps, built the same way in the writing child and the reading parent. */
export function typedValues(): Record<string, unknown> {
  return {
    date: new Date(Date.UTC(2024, 5, 1, 12, 30, 15, 123)),
    buffer: Buffer.from(Array.from({ length: 1_000 }, (_, i) => (i * 31) % 256)),
    bytes: new Uint8Array([0, 1, 254, 255]),
    floats: new Float64Array([Math.PI, -0.5, Number.MAX_SAFE_INTEGER]),
    map: new Map<unknown, unknown>([
      ['fps', 30],
      [1, new Date(0)],
      ['nested', new Map([['k', [1n]]])],
    ]),
    set: new Set(['a', 2, null]),
    bigint: 2n ** 80n + 7n,
    special: { nan: Number.NaN, inf: -Infinity, none: undefined, $t: 'looks like a tag' },
    mixed: [new Date(86_400_000), { bytes: Buffer.from('png'), ids: new Set([1n, 2n]) }],
  }
}
