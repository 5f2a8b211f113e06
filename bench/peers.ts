/**
 * The peer libraries, loaded once. Several are ESM-only; `import()` loads them from this CommonJS package.
 * A peer that fails to load is reported as skipped with the reason, never replaced by something else.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** How each peer is loaded: the key names the field of `Peers`, the specifier names the package. */
const importers = {
  lruCache: () => import('lru-cache'),
  pMemoize: () => import('p-memoize'),
  memoizee: () => import('memoizee'),
  keyv: () => import('keyv'),
  cacheManager: () => import('cache-manager'),
  cacheable: () => import('cacheable'),
  bentocache: () => import('bentocache'),
  bentoMemory: () => import('bentocache/drivers/memory'),
  bentoFile: () => import('bentocache/drivers/file'),
  bentoRedis: () => import('bentocache/drivers/redis'),
  cacache: () => import('cacache'),
  keyvFile: () => import('keyv-file'),
  objectHash: () => import('object-hash'),
}

const PACKAGES: Record<keyof typeof importers, string> = {
  lruCache: 'lru-cache',
  pMemoize: 'p-memoize',
  memoizee: 'memoizee',
  keyv: 'keyv',
  cacheManager: 'cache-manager',
  cacheable: 'cacheable',
  bentocache: 'bentocache',
  bentoMemory: 'bentocache',
  bentoFile: 'bentocache',
  bentoRedis: 'bentocache',
  cacache: 'cacache',
  keyvFile: 'keyv-file',
  objectHash: 'object-hash',
}

export type Peers = {
  -readonly [K in keyof typeof importers]?: Awaited<ReturnType<(typeof importers)[K]>>
} & {
  /** package name → installed version. */
  versions: Record<string, string>
  /** package name → why it was skipped. */
  skipped: Record<string, string>
}

/** The version of `pkg` as installed in the node_modules nearest to this file (bench/node_modules). */
export function installedVersion(pkg: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      return (
        JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as {
          version: string
        }
      ).version
    } catch {
      if (dirname(dir) === dir) return 'not installed'
    }
  }
}

/** Loads the peers whose package `wanted` accepts (all by default; the child processes load only theirs). */
export async function loadPeers(wanted: (pkg: string) => boolean = () => true): Promise<Peers> {
  const peers: Peers = { versions: {}, skipped: {} }
  for (const field of Object.keys(importers) as (keyof typeof importers)[]) {
    const pkg = PACKAGES[field]
    if (!wanted(pkg)) continue
    try {
      ;(peers as Record<string, unknown>)[field] = await importers[field]()
      peers.versions[pkg] = installedVersion(pkg)
    } catch (err) {
      peers.skipped[pkg] = (err as Error).message.split('\n')[0]!
    }
  }
  return peers
}

/** `name version`, as the table labels peers. */
export function label(peers: Peers, pkg: string, how?: string): string {
  return `${pkg} ${peers.versions[pkg] ?? '?'}${how ? ` ${how}` : ''}`
}
