/**
 * The persistent stores of scenarios 6 and 7, behind one small interface so that the same code fills a
 * folder in the bench process and reads it back in a fresh child process. The library is passed in rather
 * than imported, because the children load a transpiled copy of it (see build.ts).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as Library from '../src'
import {
  eachLimited,
  flushToDisk,
  rawAtomicWrite,
  rawReadJson,
  record1K,
  scratchDir,
} from './fixtures'
import { label, type Peers } from './peers'

/** What a store holds in a scenario: 1 KB JSON records, or raw bytes (Buffers). */
export type ValueKind = 'json' | 'bytes'

export interface OpenStore {
  set(key: string, value: unknown): Promise<unknown>
  get(key: string): Promise<unknown>
  close(): Promise<unknown>
}

export interface FileStore {
  /** Stable id, passed to the restart child. */
  id: string
  /** Stores of one family write the same files (tiercache with or without its memory tier, …). */
  family: string
  /** Label in the table. */
  name: string
  baseline?: boolean
  /** Is a reader guaranteed to see a whole old or a whole new value, never a torn write? */
  note?: string
  open(dir: string, kind: ValueKind): Promise<OpenStore>
}

const filled = new Map<string, Promise<string>>()

/**
 * A folder holding `count` 1 KB JSON records (`record1K(k)` under its own key) written through `store`'s
 * family, filled once per run and shared by the scenarios that only read it (6b and 7). Flushed to disk
 * before it is handed out, so no reader competes with the writeback of the fill.
 */
export function sharedFolder(store: FileStore, count: number): Promise<string> {
  const id = `${store.family}-${count}`
  let ready = filled.get(id)
  if (!ready) {
    ready = (async () => {
      const dir = scratchDir(`shared-${id}`)
      const open = await store.open(dir, 'json')
      await eachLimited(count, 16, (k) => {
        const value = record1K(k)
        return open.set(value.key, value)
      })
      await open.close()
      flushToDisk()
      return dir
    })()
    filled.set(id, ready)
  }
  return ready
}

export function fileStores(lib: typeof Library, peers: Peers): FileStore[] {
  const stores: FileStore[] = [
    {
      id: 'raw',
      family: 'raw',
      name: 'raw fs (baseline)',
      baseline: true,
      note: 'atomic: write temp + rename; read: readFile + JSON.parse (bytes: readFile)',
      async open(dir, kind) {
        const suffix = kind === 'json' ? '.json' : '.bin'
        return {
          set: (key, value) =>
            rawAtomicWrite(
              dir,
              key + suffix,
              kind === 'json' ? JSON.stringify(value) : (value as Buffer),
            ),
          get: (key) =>
            kind === 'json' ? rawReadJson(dir, key + suffix) : readFile(join(dir, key + suffix)),
          close: async () => {},
        }
      },
    },
    {
      id: 'tiercache-file',
      family: 'tiercache',
      name: 'tiercache (file tier only)',
      note: 'atomic: temp + rename',
      async open(dir) {
        const cache = new lib.Cache({ tiers: [new lib.FileTier({ dir })], cleanupInterval: false })
        return {
          set: (key, value) => cache.set(key, value),
          get: (key) => cache.get(key),
          close: () => cache.close(),
        }
      },
    },
    {
      id: 'tiercache',
      family: 'tiercache',
      name: 'tiercache (memory + file, default)',
      note: 'atomic: temp + rename',
      async open(dir) {
        const cache = new lib.Cache({ cacheDir: dir, cleanupInterval: false })
        return {
          set: (key, value) => cache.set(key, value),
          get: (key) => cache.get(key),
          close: () => cache.close(),
        }
      },
    },
  ]
  if (peers.keyv && peers.keyvFile) {
    const { Keyv } = peers.keyv
    const { KeyvFile } = peers.keyvFile
    stores.push({
      id: 'keyv-file',
      family: 'keyv-file',
      name: `${label(peers, 'keyv-file', '(separatedFile)')} via ${label(peers, 'keyv')}`,
      note: 'not atomic: writeFile in place; write errors are logged, not thrown',
      async open(dir) {
        const keyv = new Keyv({ store: new KeyvFile({ filename: dir, separatedFile: true }) })
        return {
          set: (key, value) => keyv.set(key, value),
          get: (key) => keyv.get(key),
          close: () => keyv.disconnect(),
        }
      },
    })
  }
  if (peers.bentocache && peers.bentoFile && peers.bentoMemory) {
    const { BentoCache, bentostore } = peers.bentocache
    const { fileDriver } = peers.bentoFile
    const { memoryDriver } = peers.bentoMemory
    const bento = (dir: string, withMemory: boolean) => {
      const store = withMemory
        ? bentostore().useL1Layer(memoryDriver({ maxItems: 100_000 }))
        : bentostore()
      store.useL2Layer(fileDriver({ directory: dir, pruneInterval: false }))
      const cache = new BentoCache({ default: 'files', stores: { files: store } })
      return {
        set: (key: string, value: unknown) => cache.set({ key, value }),
        get: (key: string) => cache.get({ key }),
        close: () => cache.disconnect(),
      }
    }
    stores.push({
      id: 'bentocache-file',
      family: 'bentocache',
      name: label(peers, 'bentocache', '(file driver only)'),
      note: 'not atomic: writeFile in place',
      open: async (dir) => bento(dir, false),
    })
    stores.push({
      id: 'bentocache',
      family: 'bentocache',
      name: label(peers, 'bentocache', '(memory + file drivers)'),
      note: 'not atomic: writeFile in place',
      open: async (dir) => bento(dir, true),
    })
  }
  if (peers.cacache) {
    const cacache = peers.cacache.default
    stores.push({
      id: 'cacache',
      family: 'cacache',
      name: label(peers, 'cacache', 'put / get'),
      note: 'atomic: content-addressed, temp + move, checksummed index',
      async open(dir, kind) {
        return {
          set: (key, value) =>
            cacache.put(dir, key, kind === 'json' ? JSON.stringify(value) : (value as Buffer)),
          get: async (key) => {
            const { data } = await cacache.get(dir, key)
            return kind === 'json' ? JSON.parse(data.toString('utf8')) : data
          },
          close: async () => {},
        }
      },
    })
  }
  return stores
}
