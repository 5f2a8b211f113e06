import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { forkHelper, type Child } from '../../helpers/fork-child'
import type { WorkerOptions, WorkerResult } from '../../helpers/lease-worker'
import { eventually } from '../../helpers/eventually'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

jest.setTimeout(120_000)
useTempDirs()

const runsIn = (file: string): number[] =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []

const started: Child[] = []
afterEach(() => {
  for (const child of started.splice(0)) child.process.kill('SIGKILL') // a failed test leaves none behind
})

function startWorker(options: WorkerOptions): Child {
  const child = forkHelper('lease-worker', [JSON.stringify(options)])
  started.push(child)
  return child
}

async function startAll(children: Child[]): Promise<void> {
  for (const child of children) expect(await child.next()).toEqual({ ready: true })
}

function leaseFiles(dir: string): string[] {
  const leases = join(dir, '.leases')
  // A process's own reusable lease file (`<pid>-….own`) is no lease: leases are `*.lease`.
  return existsSync(leases) ? readdirSync(leases).filter((name) => name.endsWith('.lease')) : []
}

describe('file leases across processes on one host', () => {
  it('4 processes × 250 concurrent calls of one uncached key: the 2 s function runs once, every call gets its value', async () => {
    const dir = makeTempDir()
    const runsFile = join(makeTempDir(), 'runs')
    const children = Array.from({ length: 4 }, () =>
      startWorker({ dir, runsFile, computeMs: 2_000, calls: 250 }),
    )
    await startAll(children)
    for (const child of children) child.process.send({ go: true })
    const results = await Promise.all(children.map((child) => child.next<WorkerResult>()))

    expect(runsIn(runsFile)).toHaveLength(1)
    const values = results.flatMap((result) => result.values)
    expect(values).toHaveLength(1_000)
    expect(new Set(values)).toEqual(new Set([`segment 1 by ${runsIn(runsFile)[0]}`]))
    expect(results.flatMap((result) => result.errors)).toEqual([])
    expect(results.flatMap((result) => result.storageErrors)).toEqual([])
    // One holder; the three others waited on it rather than computing.
    expect(results.map((result) => result.leases.acquired).reduce((a, b) => a + b)).toBe(1)
    expect(results.map((result) => result.leases.waited).reduce((a, b) => a + b)).toBe(3)
    expect(leaseFiles(dir)).toEqual([])
  })

  it('a holder killed mid-computation: one waiter takes the lease over, the function runs exactly twice, no caller hangs, no lease is left', async () => {
    const dir = makeTempDir()
    const runsFile = join(makeTempDir(), 'runs')
    const leaseTtl = 1_000
    const holder = startWorker({ dir, runsFile, computeMs: 600_000, calls: 5, leaseTtl })
    await startAll([holder])
    holder.process.send({ go: true })
    await eventually(() => runsIn(runsFile).length === 1, 'the holder computes', 20_000)

    const waiters = Array.from({ length: 3 }, () =>
      startWorker({ dir, runsFile, computeMs: 200, calls: 50, leaseTtl, reportWaiting: true }),
    )
    await startAll(waiters)
    for (const child of waiters) child.process.send({ go: true })
    for (const child of waiters) expect(await child.next()).toEqual({ waiting: true })
    const killedAt = Date.now()
    holder.process.kill('SIGKILL')
    expect((await holder.exited).signal).toBe('SIGKILL')

    const results = await Promise.all(waiters.map((child) => child.next<WorkerResult>()))
    const waited = Date.now() - killedAt
    const runs = runsIn(runsFile)
    expect(runs).toHaveLength(2)
    expect(runs[0]).toBe(holder.process.pid)
    const values = results.flatMap((result) => result.values)
    expect(values).toHaveLength(150)
    expect(new Set(values)).toEqual(new Set([`segment 1 by ${runs[1]}`]))
    expect(results.map((result) => result.leases.takeover).reduce((a, b) => a + b)).toBe(1)
    // Taken over once the lease went stale, not after some much longer wait (a generous bound: a busy box).
    expect(waited).toBeLessThan(leaseTtl * 10 + 200 * 10)
    expect(leaseFiles(dir)).toEqual([])
  })

  it("a holder's rejection: the lease is released, one waiter computes, and every waiting call gets the second run's value", async () => {
    const dir = makeTempDir()
    const scratch = makeTempDir()
    const runsFile = join(scratch, 'runs')
    const rejectOnce = join(scratch, 'rejected')
    const holdUntil = join(scratch, 'waiters-wait')
    const holder = startWorker({ dir, runsFile, computeMs: 0, calls: 3, rejectOnce, holdUntil })
    await startAll([holder])
    holder.process.send({ go: true })
    await eventually(() => runsIn(runsFile).length === 1, 'the holder computes', 20_000)
    const waiters = Array.from({ length: 3 }, () =>
      startWorker({ dir, runsFile, computeMs: 200, calls: 50, rejectOnce, reportWaiting: true }),
    )
    await startAll(waiters)
    for (const child of waiters) child.process.send({ go: true })
    for (const child of waiters) expect(await child.next()).toEqual({ waiting: true })
    writeFileSync(holdUntil, '') // the holder's run ends now, and rejects

    const [first, ...rest] = await Promise.all(
      [holder, ...waiters].map((child) => child.next<WorkerResult>()),
    )
    // In-process single-flight is unchanged: the holder's own callers share its rejection.
    expect(first!.errors).toEqual(Array(3).fill('Error: the model crashed'))
    const runs = runsIn(runsFile)
    expect(runs).toHaveLength(2)
    const values = rest.flatMap((result) => result.values)
    expect(values).toHaveLength(150)
    expect(new Set(values)).toEqual(new Set([`segment 1 by ${runs[1]}`]))
    expect(rest.flatMap((result) => result.errors)).toEqual([])
    expect(leaseFiles(dir)).toEqual([])
  })

  it('maxWait: a waiter computes itself once maxWait has passed, and its lease event says so', async () => {
    const dir = makeTempDir()
    const runsFile = join(makeTempDir(), 'runs')
    const holder = startWorker({ dir, runsFile, computeMs: 600_000, calls: 1 })
    await startAll([holder])
    holder.process.send({ go: true })
    await eventually(() => runsIn(runsFile).length === 1, 'the holder computes', 20_000)

    const impatient = startWorker({ dir, runsFile, computeMs: 10, calls: 20, maxWait: 300 })
    await startAll([impatient])
    impatient.process.send({ go: true })
    const result = await impatient.next<WorkerResult>()
    holder.process.kill('SIGKILL')
    await holder.exited

    expect(result.leases).toMatchObject({ waited: 1, 'max-wait': 1, acquired: 0 })
    expect(new Set(result.values)).toEqual(new Set([`segment 1 by ${impatient.process.pid}`]))
    expect(runsIn(runsFile)).toEqual([holder.process.pid, impatient.process.pid])
  })
})
