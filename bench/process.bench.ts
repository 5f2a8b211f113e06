/**
 * Scenarios 7 and 8, measured in fresh child processes (see children/ and build.ts): a restart that reads
 * a folder back, removal of many file entries, and the memory bound's peak RSS.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as lib from '../src'
import { buildForChildren, type Built } from './build'
import { fileStores, sharedFolder } from './file-stores'
import { contender, eachLimited, record1K, scratchDir } from './fixtures'
import type { Contender, Profile, Sample, Scenario } from './harness'
import type { Peers } from './peers'

interface ChildResult {
  ms: number
  ops: number
  failures: number
  first?: string
  extra?: Record<string, number>
}

function runChild(
  built: Built,
  script: string,
  args: string[],
  nodeArgs: string[] = [],
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...nodeArgs, built.script(script), ...args],
      {
        env: { ...process.env, TIERCACHE_LIB: built.library },
        maxBuffer: 1 << 20,
        timeout: 15 * 60_000,
      },
      (err, stdout, stderr) => {
        if (err)
          return reject(
            new Error(
              `${script} ${args.join(' ')}: ${stderr.trim().split('\n').slice(-3).join(' | ') || err.message}`,
            ),
          )
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult)
        } catch {
          reject(new Error(`${script} printed no result: ${stdout.slice(0, 200)}`))
        }
      },
    )
  })
}

/** A contender whose batch is one child process; the child's own failures land in the verdict. */
function childContender(
  name: string,
  options: {
    baseline?: boolean
    note?: string
    setup?: () => Promise<void>
    run: () => Promise<ChildResult>
  },
): Contender {
  return contender({
    name,
    baseline: options.baseline,
    note: options.note,
    setup: options.setup && (async () => options.setup!()),
    async batch(_ops, verdict): Promise<Sample> {
      const result = await options.run()
      if (result.failures > 0) verdict.fail(`${result.failures} failed check(s): ${result.first}`)
      return { ms: result.ms, ops: result.ops, extra: result.extra }
    },
  })
}

function restart(built: Built, peers: Peers, profile: Profile): Scenario {
  const count = profile.fileKeys
  const wanted = ['raw', 'tiercache', 'tiercache-file', 'keyv-file', 'bentocache', 'cacache']
  const stores = fileStores(lib, peers).filter((s) => wanted.includes(s.id))
  const contenders = stores.map((store) => {
    let dir = ''
    return childContender(store.name, {
      baseline: store.baseline,
      note: store.note,
      // Written through the store's own API by the bench process, once per run (scenario 6b reads it too).
      async setup() {
        dir = await sharedFolder(store, count)
      },
      run: () => runChild(built, 'children/restart', [store.id, dir, String(count)]),
    })
  })
  return {
    id: '7',
    title: `restart: a fresh process opens a folder of ${count} entries and reads every key`,
    unit: 'key',
    contenders,
    inChildProcess: true,
    fixedOps: count,
    targets: [
      { text: '≤ 1.1× raw fs', contender: 'tiercache (memory + file, default)', maxRatio: 1.1 },
    ],
    notes: [
      `${count} entries of 1 KB JSON; one new process per contender per round, timed from opening the store to the last read (module loading excluded); every value is compared after the clock stops.`,
    ],
  }
}

function scale(built: Built, profile: Profile): Scenario[] {
  const count = profile.scaleEntries
  const sets = profile.rssSets
  // One folder is filled through the file tier, once; every measurement removes its own copy of it.
  const template = scratchDir('scale-template')
  const fill = async () => {
    if (existsSync(join(template, `prefix_0.json`))) return
    const cache = new lib.Cache({
      tiers: [new lib.FileTier({ dir: template })],
      cleanupInterval: false,
    })
    await eachLimited(count, 64, (i) => cache.set(`prefix_${i}`, record1K(i)))
    await cache.close()
  }
  const remover = (how: string) => () =>
    runChild(built, 'children/scale', [
      'remove',
      how,
      template,
      join(scratchDir(`scale-${how}`), 'entries'),
      String(count),
    ])
  const reduced =
    profile.name === 'full' ? '' : ` (${profile.name} run: ${count} entries instead of 100 k)`
  const reducedSets =
    profile.name === 'full' ? '' : ` (${profile.name} run: ${sets} sets instead of 1 M)`
  const mib = (bytes: number) => `${(bytes / (1 << 20)).toFixed(0)} MiB`
  return [
    {
      id: '8a',
      title: `scale: remove ${count} file entries${reduced}`,
      unit: 'entry',
      inChildProcess: true,
      fixedOps: count,
      contenders: [
        childContender('raw readdir + unlink (baseline)', {
          baseline: true,
          note: '32 unlinks in flight',
          setup: fill,
          run: remover('raw'),
        }),
        childContender('tiercache cleanup()', {
          note: 'every entry expired',
          run: remover('cleanup'),
        }),
        childContender("tiercache clear('prefix_*')", {
          note: 'every key matches',
          run: remover('clear'),
        }),
      ],
      targets: [
        {
          text: 'cleanup ≤ 2× raw readdir + unlink',
          contender: 'tiercache cleanup()',
          maxRatio: 2,
        },
        {
          text: 'clear ≤ 2× raw readdir + unlink',
          contender: "tiercache clear('prefix_*')",
          maxRatio: 2,
        },
      ],
      notes: [
        `A folder of ${count} entries (1 KB JSON, TTL 24 h) is written once through the file tier; each measurement is a new process that copies it (timestamps kept, untimed), then removes every entry and checks that none is left. The copy is fresh (not flushed to disk) for every contender alike.`,
      ],
    },
    {
      id: '8b',
      title: `memory: ${sets} sets of 1 KB JSON into a MemoryTier with maxBytes 64 MiB${reducedSets}`,
      unit: 'set',
      inChildProcess: true,
      rounds: 1,
      fixedOps: sets,
      contenders: [
        childContender('tiercache', {
          note: 'MemoryTier({ maxEntries: 1e6, maxBytes: 64 MiB })',
          run: () =>
            runChild(built, 'children/scale', ['rss', 'tiercache', String(sets)], ['--expose-gc']),
        }),
        childContender('lru-cache (reference)', {
          note: 'LRUCache({ max: 1e6, maxSize: 64 MiB, sizeCalculation: JSON length })',
          run: () =>
            runChild(built, 'children/scale', ['rss', 'lru-cache', String(sets)], ['--expose-gc']),
        }),
      ],
      describe: (r) =>
        r.extra.peakRss
          ? `peak RSS ${mib(r.extra.peakRss.max)} (${mib(r.extra.rssStart!.median)} at start); holds ${r.extra.entries!.median} entries, ${mib(r.extra.bytes!.median)} counted; heap after a full GC ${mib(r.extra.heapAfterGc!.median)}`
          : undefined,
      targets: [
        {
          text: 'peak RSS ≤ 64 MiB + 100 MiB',
          judge: (r) => (r.extra.peakRss?.max ?? Infinity) <= (64 + 100) * (1 << 20),
          show: (r) => (r.extra.peakRss ? `${mib(r.extra.peakRss.max)} peak RSS` : 'n/a'),
        },
      ],
      notes: [
        'One process per contender; every value is distinct (random hex), so what is held is real. Per-set time includes making the value. Peak RSS is the process maximum (getrusage), whole process included.',
      ],
    },
  ]
}

export function processScenarios(
  peers: Peers,
  profile: Profile,
  only: (id: string) => boolean,
): Scenario[] {
  if (!only('7') && !only('8a') && !only('8b')) return []
  const built = buildForChildren()
  return [restart(built, peers, profile), ...scale(built, profile)]
}
