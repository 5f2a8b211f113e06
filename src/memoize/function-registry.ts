import { CacheError } from '../core/exceptions'
import { processState } from '../core/process-state'

/**
 * Which function owns each default key prefix of each cache, so that two different functions never share
 * keys by accident (two modules' `load`, two classes named `Client`). A function is told apart by its source
 * text: wrapping the same function again (a factory called twice, a wrapper per request, a module loaded
 * twice) is fine; closures of one source with different captured state cannot be told apart.
 *
 * One registry per process, even with two copies of the library loaded (ESM and CJS): see `processState`.
 * Keyed by cache in a WeakMap, so caches can still be collected.
 */

interface Owner {
  readonly source: string
  readonly label: string
}

/** Identities given to functions by the code that wraps them (a decorated method is known by its class). */
const identities = new WeakMap<object, Owner>()

/** Names `fn` by `label` and tells it apart by `source` instead of its own source text (decorated methods). */
export function setIdentity(fn: object, source: string, label: string): void {
  identities.set(fn, { source, label })
}

/**
 * Claims `prefix` on `cache` for `fn`. Throws a CacheError when a different function (by source text)
 * already holds it; claiming again for the same function is a no-op.
 */
export function claimPrefix(
  cache: object,
  prefix: string,
  fn: (...args: never[]) => unknown,
): void {
  // Looked up on each claim, not at import: importing tiercache touches no global.
  const registry = processState(
    'function-registry',
    1,
    () => new WeakMap<object, Map<string, Owner>>(),
  )
  let owners = registry.get(cache)
  if (owners === undefined) registry.set(cache, (owners = new Map()))
  const claimant = identities.get(fn) ?? ownerOf(fn)
  const owner = owners.get(prefix)
  if (owner === undefined) owners.set(prefix, claimant)
  else if (owner.source !== claimant.source)
    throw new CacheError(
      `[tiercache] two different functions would share the keys "${prefix}…" on one cache: ` +
        `${owner.label} and ${claimant.label}. Give the second a \`namespace\` of its own, or a \`key\`.`,
    )
}

/** One Owner per source text, so that a wrapper made per request adds no copy of its source. */
const bySource = new Map<string, Owner>()

function ownerOf(fn: (...args: never[]) => unknown): Owner {
  const source = String(fn)
  let owner = bySource.get(source)
  if (owner === undefined) {
    if (bySource.size >= 4096) bySource.clear() // only saves copies; generated code must not grow it forever
    bySource.set(source, (owner = { source, label: describe(fn) }))
  }
  return owner
}

function describe(fn: (...args: never[]) => unknown): string {
  const source = String(fn).replace(/\s+/g, ' ')
  const excerpt = source.length > 80 ? `${source.slice(0, 77)}...` : source
  return `${fn.name ? `function ${fn.name}` : 'an anonymous function'} (${excerpt})`
}
