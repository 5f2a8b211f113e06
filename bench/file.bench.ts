/**
 * Scenario 6: the file tier with the memory tier cold (a cache of the file tier alone), against the raw fs
 * baseline and the persistent peers. 1 KB JSON records over many keys, and large Buffers that must come
 * back byte for byte and as Buffers.
 */
import { isDeepStrictEqual } from 'node:util'
import * as lib from '../src'
import {
  bigBuffer,
  contender,
  eachLimited,
  randomOrder,
  record1K,
  scratchDir,
  typeName,
  type Record1K,
} from './fixtures'
import {
  fileStores,
  sharedFolder,
  type FileStore,
  type OpenStore,
  type ValueKind,
} from './file-stores'
import { timed, type Contender, type Profile, type Scenario, type Verdict } from './harness'
import type { Peers } from './peers'

/** The stores of scenario 6: memory tier cold, so the default two-tier tiercache and bentocache are left out. */
function coldStores(peers: Peers): FileStore[] {
  return fileStores(lib, peers).filter((s) => s.id !== 'tiercache' && s.id !== 'bentocache')
}

function checkRecord(verdict: Verdict, got: unknown, expected: Record1K): void {
  if (got === null || typeof got !== 'object' || Array.isArray(got))
    verdict.fail(`wrong type: ${typeName(got)} (expected Object)`)
  else if (!isDeepStrictEqual(got, expected)) verdict.fail(`wrong value for ${expected.key}`)
}

function checkBytes(verdict: Verdict, got: unknown, expected: Buffer): void {
  if (!Buffer.isBuffer(got)) {
    const len = (got as { data?: unknown[] } | undefined)?.data?.length
    verdict.fail(
      `wrong type: ${typeName(got)} (expected Buffer)${len !== undefined ? `, ${len} items in .data` : ''}`,
    )
  } else if (!got.equals(expected))
    verdict.fail(`bytes differ (${got.length} bytes, expected ${expected.length})`)
}

interface Plan {
  id: string
  title: string
  kind: ValueKind
  op: 'set' | 'get'
  keys: number
  value: (k: number) => unknown
  check: (verdict: Verdict, got: unknown, k: number) => void
  minOps: number
  maxOps: number
  targets: Scenario['targets']
  notes: string[]
}

function fileScenario(peers: Peers, plan: Plan, random: () => number): Scenario {
  const keyOf = (k: number) => (plan.kind === 'json' ? `video_${k}` : `big_${k}`)
  const values = Array.from({ length: plan.keys }, (_, k) => plan.value(k))
  const order = randomOrder(1 << 16, plan.keys, random)
  const contenders = coldStores(peers).map((fileStore): Contender => {
    let store: OpenStore
    let cursor = 0
    let lastWritten: number[] = []
    return contender({
      name: fileStore.name,
      baseline: fileStore.baseline,
      note: fileStore.note,
      async setup(verdict) {
        if (plan.op === 'set') {
          store = await fileStore.open(scratchDir(`${plan.id}-${fileStore.id}`), plan.kind)
          return // the batches write every key in turn
        }
        if (plan.kind === 'json') {
          // The same folder scenario 7 reads back in a fresh process: filled once per run.
          store = await fileStore.open(await sharedFolder(fileStore, plan.keys), plan.kind)
        } else {
          store = await fileStore.open(scratchDir(`${plan.id}-${fileStore.id}`), plan.kind)
          await eachLimited(plan.keys, 16, (k) => store.set(keyOf(k), values[k]))
        }
        for (let k = 0; k < Math.min(plan.keys, 3); k++)
          plan.check(verdict, await store.get(keyOf(k)), k)
      },
      async batch(ops, verdict) {
        if (plan.op === 'get') {
          // Every value read is checked, after the clock stops: a deep compare of 1 MiB is not the store's cost.
          const got: unknown[] = new Array(ops)
          const asked = new Uint32Array(ops)
          const sample = await timed(ops, async () => {
            for (let i = 0; i < ops; i++) {
              const k = order[cursor++ & (order.length - 1)]!
              asked[i] = k
              got[i] = await store.get(keyOf(k))
            }
          })
          for (let i = 0; i < ops; i++) plan.check(verdict, got[i], asked[i]!)
          return sample
        }
        lastWritten = []
        return timed(ops, async () => {
          for (let i = 0; i < ops; i++) {
            const k = cursor++ % plan.keys
            await store.set(keyOf(k), values[k])
            if (i >= ops - 3) lastWritten.push(k)
          }
        })
      },
      // What was set must read back as it was given.
      async after(verdict) {
        for (const k of lastWritten) plan.check(verdict, await store.get(keyOf(k)), k)
      },
      teardown: async () => void (await store?.close()),
    })
  })
  return {
    id: plan.id,
    title: plan.title,
    contenders,
    minOps: plan.minOps,
    maxOps: plan.maxOps,
    targets: plan.targets,
    notes: plan.notes,
  }
}

export function fileScenarios(
  peers: Peers,
  profile: Profile,
  random: () => number,
  selected: (id: string) => boolean,
): Scenario[] {
  if (!['6a', '6b', '6c', '6d'].some(selected)) return []
  const keys = profile.fileKeys
  const records = Array.from({ length: keys }, (_, k) => record1K(k))
  const big = profile.bigBytes
  const bigKeys = 4
  const buffers = Array.from({ length: bigKeys }, (_, k) => bigBuffer(big, k + 1))
  const mib = big >= 1 << 20 ? `${big / (1 << 20)} MiB` : `${big / 1024} KiB`
  const json = {
    kind: 'json' as const,
    keys,
    value: (k: number) => records[k],
    check: (verdict: Verdict, got: unknown, k: number) => checkRecord(verdict, got, records[k]!),
    minOps: 16,
    maxOps: 4_000,
  }
  const bytes = {
    kind: 'bytes' as const,
    keys: bigKeys,
    value: (k: number) => buffers[k],
    check: (verdict: Verdict, got: unknown, k: number) => checkBytes(verdict, got, buffers[k]!),
    minOps: 2,
    maxOps: profile.name === 'full' ? 32 : 8,
  }
  return [
    fileScenario(
      peers,
      {
        ...json,
        id: '6a',
        title: 'file tier, 1 KB JSON set (memory tier cold)',
        op: 'set',
        targets: [
          { text: '≤ 1.2× raw fs, atomic', contender: 'tiercache (file tier only)', maxRatio: 1.2 },
        ],
        notes: [
          `${keys} keys, overwritten in turn; the last keys set are read back and compared (untimed).`,
        ],
      },
      random,
    ),
    fileScenario(
      peers,
      {
        ...json,
        id: '6b',
        title: 'file tier, 1 KB JSON get (memory tier cold)',
        op: 'get',
        targets: [
          { text: '≤ 1.1× raw fs', contender: 'tiercache (file tier only)', maxRatio: 1.1 },
        ],
        notes: [
          `${keys} keys read in a seeded random order; every value is compared with what was stored.`,
        ],
      },
      random,
    ),
    fileScenario(
      peers,
      {
        ...bytes,
        id: '6c',
        title: `file tier, ${mib} Buffer set (memory tier cold)`,
        op: 'set',
        targets: [
          {
            text: '≤ 1.3× raw fs, identical bytes',
            contender: 'tiercache (file tier only)',
            maxRatio: 1.3,
          },
        ],
        notes: [
          `${bigKeys} keys of ${big} bytes; the last ones set are read back and compared byte for byte (untimed).`,
        ],
      },
      random,
    ),
    fileScenario(
      peers,
      {
        ...bytes,
        id: '6d',
        title: `file tier, ${mib} Buffer get (memory tier cold)`,
        op: 'get',
        targets: [
          {
            text: '≤ 1.5× raw fs, identical bytes',
            contender: 'tiercache (file tier only)',
            maxRatio: 1.5,
          },
        ],
        notes: [
          'Every read must return a Buffer with the same bytes; anything else is reported as a wrong type.',
        ],
      },
      random,
    ),
  ]
}
