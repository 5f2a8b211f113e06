import { bytes } from './output'

/**
 * A preview of a cached value with its types shown: `Date 2026-11-30T07:50:12.000Z`, `Buffer 1.2 MiB <89 50 4e
 * 47 …>`, `Map(3) { … }`, `Array(1000) [ … ]`. Bounded in depth, items and string length, so a huge value
 * previews in a screenful; what is left out is counted (`… 990 more`).
 */

export interface PreviewLimits {
  depth: number
  items: number
  chars: number
}

export const DEFAULT_LIMITS: PreviewLimits = { depth: 4, items: 12, chars: 120 }

/** Shorter than this, a container is written on one line. */
const INLINE_WIDTH = 72
const HEX_BYTES = 8

export function previewValue(value: unknown, limits: PreviewLimits = DEFAULT_LIMITS): string {
  return preview(value, 0, limits)
}

/** The type a preview names first: `Buffer`, `Map(3)`, `Array(10)`, `object`, `string`… */
export function typeLabel(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  if (value instanceof Map) return `Map(${value.size})`
  if (value instanceof Set) return `Set(${value.size})`
  if (Array.isArray(value)) return `Array(${value.length})`
  const ctor =
    Object.getPrototypeOf(value) === null ? 'Object: null prototype' : value.constructor.name
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer
    ? ctor
    : ctor === 'Object'
      ? 'object'
      : ctor
}

function preview(value: unknown, depth: number, limits: PreviewLimits): string {
  switch (typeof value) {
    case 'string':
      return value.length > limits.chars
        ? `${JSON.stringify(value.slice(0, limits.chars))}… (${value.length.toLocaleString('en-US')} chars)`
        : JSON.stringify(value)
    case 'bigint':
      return `${value}n`
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'object':
      break
    default:
      return String(value)
  }
  if (value === null) return 'null'
  if (value instanceof Date)
    return `Date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}`
  if (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof SharedArrayBuffer
  ) {
    const view = ArrayBuffer.isView(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      : new Uint8Array(value)
    const hex = Array.from(view.subarray(0, HEX_BYTES), (b) => b.toString(16).padStart(2, '0'))
    const more = view.byteLength > HEX_BYTES ? ' …' : ''
    return `${typeLabel(value)} ${bytes(view.byteLength)} <${hex.join(' ')}${more}>`
  }
  const label = typeLabel(value)
  if (depth >= limits.depth) return `${label} […]`
  if (value instanceof Map)
    return container(
      label,
      '{',
      '}',
      value.size,
      items(
        value.entries(),
        limits.items,
        ([k, v]) => `${preview(k, depth + 1, limits)} => ${preview(v, depth + 1, limits)}`,
      ),
    )
  if (value instanceof Set)
    return container(
      label,
      '{',
      '}',
      value.size,
      items(value.values(), limits.items, (v) => preview(v, depth + 1, limits)),
    )
  if (Array.isArray(value))
    return container(
      label,
      '[',
      ']',
      value.length,
      items(value.values(), limits.items, (v) => preview(v, depth + 1, limits)),
    )
  const keys = Object.keys(value)
  const shown = items(
    keys.values(),
    limits.items,
    (k) =>
      `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${preview((value as Record<string, unknown>)[k], depth + 1, limits)}`,
  )
  return container(label === 'object' ? '' : label, '{', '}', keys.length, shown)
}

function items<T>(source: IterableIterator<T>, limit: number, show: (item: T) => string): string[] {
  const out: string[] = []
  for (const item of source) {
    if (out.length === limit) break
    out.push(show(item))
  }
  return out
}

function container(
  label: string,
  open: string,
  close: string,
  size: number,
  shown: string[],
): string {
  const lines =
    size > shown.length
      ? [...shown, `… ${(size - shown.length).toLocaleString('en-US')} more`]
      : shown
  const prefix = label ? `${label} ` : ''
  if (lines.length === 0) return `${prefix}${open}${close}`
  const inline = `${prefix}${open} ${lines.join(', ')} ${close}`
  if (inline.length <= INLINE_WIDTH && !inline.includes('\n')) return inline
  const body = lines.map((line) => `  ${line.replace(/\n/g, '\n  ')},`).join('\n')
  return `${prefix}${open}\n${body}\n${close}`
}
