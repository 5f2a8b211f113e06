/**
 * Where `actual` differs from `expected` (a path and what differs), or undefined when it is the same value as
 * far as a caller can tell: Object.is for primitives (-0 and NaN included), the same prototype, the same own
 * keys in the same order (holes in arrays included), the same bytes for binary data, the same entries in the
 * same order for Map and Set. Stricter than jest's equality and usable outside jest (in child processes).
 */
export function difference(expected: unknown, actual: unknown, path = '$'): string | undefined {
  if (Object.is(expected, actual)) return undefined
  if (
    typeof expected !== 'object' ||
    expected === null ||
    typeof actual !== 'object' ||
    actual === null
  )
    return `${path}: expected ${describe(expected)}, got ${describe(actual)}`
  if (Object.getPrototypeOf(expected) !== Object.getPrototypeOf(actual))
    return `${path}: expected a ${typeName(expected)}, got a ${typeName(actual)}`
  if (expected instanceof Date)
    return Object.is(expected.getTime(), (actual as Date).getTime())
      ? undefined
      : `${path}: expected time ${expected.getTime()}, got ${(actual as Date).getTime()}`
  if (expected instanceof ArrayBuffer || expected instanceof SharedArrayBuffer) {
    const other = actual as ArrayBuffer
    const growable = (b: ArrayBuffer) => {
      const info = b as unknown as {
        resizable?: boolean
        growable?: boolean
        maxByteLength: number
      }
      return info.resizable || info.growable ? info.maxByteLength : -1
    }
    if (growable(expected as ArrayBuffer) !== growable(other))
      return `${path}: maxByteLength differs`
    return sameBytes(new Uint8Array(expected), new Uint8Array(other), path)
  }
  if (ArrayBuffer.isView(expected)) {
    const other = actual as ArrayBufferView
    return sameBytes(
      new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength),
      new Uint8Array(other.buffer, other.byteOffset, other.byteLength),
      path,
    )
  }
  if (expected instanceof Map || expected instanceof Set) {
    const a = [...(expected as Map<unknown, unknown>)]
    const b = [...(actual as Map<unknown, unknown>)]
    return difference(a, b, `${path}<entries>`)
  }
  const keysA = Reflect.ownKeys(expected)
  const keysB = Reflect.ownKeys(actual)
  if (keysA.length !== keysB.length || keysA.some((key, i) => key !== keysB[i]))
    return `${path}: expected keys [${keysA.map(String).join(',')}], got [${keysB.map(String).join(',')}]`
  for (const key of keysA) {
    const found = difference(
      (expected as Record<PropertyKey, unknown>)[key],
      (actual as Record<PropertyKey, unknown>)[key],
      `${path}.${String(key)}`,
    )
    if (found !== undefined) return found
  }
  return undefined
}

function sameBytes(a: Uint8Array, b: Uint8Array, path: string): string | undefined {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  )
    ? undefined
    : `${path}: bytes differ`
}

function typeName(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null
  return proto === null ? 'null-prototype object' : (proto.constructor?.name ?? 'anonymous class')
}

function describe(value: unknown): string {
  if (Object.is(value, -0)) return '-0'
  if (typeof value === 'object' && value !== null) return typeName(value)
  return typeof value === 'bigint' ? `${value}n` : String(value)
}
