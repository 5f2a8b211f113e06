import { MAX_DEPTH } from './codec-limits'
import { HOLE_TAG, KEPT_BUILT_INS, TAG, VIEW_TAGS } from './codec-tags'
import { SerializationError } from './exceptions'

// The encoder's tagging walk, the counterpart of codec-revive.ts: encodeParts (codec.ts) takes it once its fast
// scan has found something plain JSON would lose.

/** The error for a value holding a function or a symbol, which no tag can give back. */
export function unstorable(what: string): SerializationError {
  return new SerializationError(`[tiercache] value cannot be stored: it contains a ${what}`)
}

export interface TagContext {
  attachFrom: number
  attachments: Uint8Array[]
  depth: number
}

/**
 * A copy of `value` in which everything JSON would lose is a tag object, so that native JSON.stringify
 * (no replacer) can write it. A replacer would not do: JSON.stringify calls `toJSON` before the replacer
 * sees a value, and Buffer's toJSON turns 1 MiB into an array of a million numbers.
 */
export function toTagged(value: unknown, ctx: TagContext): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value) && !(value === 0 && 1 / value < 0)) return value
      return { [TAG]: 'Number', v: value === 0 ? '-0' : String(value) }
    case 'bigint':
      return { [TAG]: 'BigInt', v: value.toString() }
    case 'undefined':
      return { [TAG]: 'undefined' }
    case 'object':
      break
    default:
      throw unstorable(typeof value)
  }
  if (value === null) return null
  if (ctx.depth >= MAX_DEPTH)
    throw new SerializationError(
      `[tiercache] value cannot be stored: it is circular or nested deeper than ${MAX_DEPTH} levels`,
    )
  ctx.depth++
  try {
    return tagObject(value, ctx)
  } finally {
    ctx.depth--
  }
}

function tagObject(value: object, ctx: TagContext): unknown {
  const proto = Object.getPrototypeOf(value) as object | null
  if (Array.isArray(value)) {
    const json = (value as { toJSON?: unknown }).toJSON
    if (typeof json === 'function') return toTagged(json.call(value), ctx) // as JSON.stringify would
    if (proto !== Array.prototype) throw subclassOf(value, Array)
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      out[i] = item === undefined && !(i in value) ? { [TAG]: HOLE_TAG } : toTagged(item, ctx)
    }
    return out
  }
  if (proto === Object.prototype || proto === null) {
    const json = (value as { toJSON?: unknown }).toJSON
    if (typeof json === 'function') return toTagged(json.call(value), ctx) // as JSON.stringify would
    const entries = Object.keys(value).map(
      (key) => [key, toTagged((value as Record<string, unknown>)[key], ctx)] as const,
    )
    if (proto === null) return { [TAG]: 'NullObject', v: entries }
    // Entries, not an object: user data with a `$t` key must not read as a tag.
    if (Object.prototype.hasOwnProperty.call(value, TAG)) return { [TAG]: 'Object', v: entries }
    return Object.fromEntries(entries)
  }
  const viewTag = VIEW_TAGS.get(proto!)
  if (viewTag !== undefined) return tagBytes(viewTag, value as ArrayBufferView, ctx)
  if (proto === Date.prototype) {
    const time = (value as Date).getTime()
    return { [TAG]: 'Date', v: Number.isNaN(time) ? null : time }
  }
  if (proto === Map.prototype)
    return {
      [TAG]: 'Map',
      v: Array.from(value as Map<unknown, unknown>, ([k, v]) => [
        toTagged(k, ctx),
        toTagged(v, ctx),
      ]),
    }
  if (proto === Set.prototype)
    return { [TAG]: 'Set', v: Array.from(value as Set<unknown>, (item) => toTagged(item, ctx)) }
  if (proto === ArrayBuffer.prototype || proto === SharedArrayBuffer.prototype)
    return tagBuffer(value as ArrayBufferLike, ctx)
  for (const type of KEPT_BUILT_INS) if (value instanceof type) throw subclassOf(value, type)
  const json = (value as { toJSON?: unknown }).toJSON
  if (typeof json === 'function') return toTagged(json.call(value), ctx) // as JSON.stringify would
  throw new SerializationError(
    `[tiercache] value cannot be stored: it contains an instance of ${className(value)}, which would come back as a plain object; store plain data, or give the class a toJSON method`,
  )
}

function subclassOf(
  value: object,
  type: abstract new (...args: never[]) => object,
): SerializationError {
  const base = type.name || 'TypedArray'
  return new SerializationError(
    `[tiercache] value cannot be stored: it contains a ${className(value)}, a subclass of ${base} that would come back as a plain ${base}`,
  )
}

function className(value: object): string {
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } }).constructor
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'an anonymous class'
}

function tagBytes(type: string, view: ArrayBufferView, ctx: TagContext): unknown {
  return bytesTag(type, new Uint8Array(view.buffer, view.byteOffset, view.byteLength), ctx)
}

function tagBuffer(buffer: ArrayBufferLike, ctx: TagContext): unknown {
  const type = buffer instanceof ArrayBuffer ? 'ArrayBuffer' : 'SharedArrayBuffer'
  const tag = bytesTag(type, new Uint8Array(buffer), ctx) as Record<string, unknown>
  const sizing = buffer as unknown as {
    resizable?: boolean
    growable?: boolean
    maxByteLength: number
  }
  if (sizing.resizable || sizing.growable) tag.m = sizing.maxByteLength
  return tag
}

function bytesTag(type: string, bytes: Uint8Array, ctx: TagContext): unknown {
  if (bytes.byteLength >= ctx.attachFrom) {
    ctx.attachments.push(bytes)
    return { [TAG]: type, a: ctx.attachments.length - 1 }
  }
  return {
    [TAG]: type,
    v: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  }
}
