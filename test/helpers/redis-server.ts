import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * Real `redis-server` processes for tests: each on a free loopback port of its own (never 6379), with no
 * persistence, in a temp dir removed on stop. `.ci/run` installs Debian's redis-server when it is missing.
 */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>
  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a hung host. */
  pause(): void
  /** Lets a paused server run on (SIGCONT). */
  resume(): void
  /** Starts it again on the same port (after `kill`). */
  restart(): Promise<void>
  /** Stops it for good and removes its files. */
  stop(): Promise<void>
}

const run = promisify(execFile)

/** A port free on 127.0.0.1 now, and (for a cluster node) whose cluster bus port, +10000, is free too. */
async function freePort(withBusPort = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = withBusPort ? 20_000 + Math.floor(Math.random() * 30_000) : await anyFreePort()
    if ((await isFree(port)) && (!withBusPort || (await isFree(port + 10_000)))) return port
  }
  throw new Error('no free loopback port found')
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** Resolves once something accepts connections on `port` and answers PING. */
async function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`redis-server on port ${port} exited (${child.exitCode ?? child.signalCode})`)
    if (await pings(port)) return
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    socket.setTimeout(500, () => socket.destroy())
    socket.once('error', () => resolve(false))
    socket.once('close', () => resolve(false))
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'))
      socket.destroy()
    })
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}

async function startOn(port: number, dir: string, extra: string[]): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--loglevel',
      'warning',
      ...extra,
    ],
    { stdio: 'ignore' },
  )
  child.on('error', () => {}) // a missing binary shows as the exit waitForPing reports
  await waitForPing(port, child)
  return child
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Starts a server on a free port. Retries on another port if one is taken between the check and the bind. */
export async function startRedisServer(
  extra: string[] = [],
  withBusPort = false,
): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-redis-'))
  let port = 0
  let child: ChildProcess | undefined
  for (let attempt = 0; !child; attempt++) {
    port = await freePort(withBusPort)
    try {
      child = await startOn(port, dir, extra)
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
  let current: ChildProcess = child
  const kill = async () => {
    current.kill('SIGKILL')
    await exited(current)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    pause: () => void current.kill('SIGSTOP'),
    resume: () => void current.kill('SIGCONT'),
    async restart() {
      current = await startOn(port, dir, extra)
    },
    async stop() {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface RedisCluster {
  readonly nodes: readonly RedisServer[]
  /** `redis://` URLs of the masters, for `createCluster({ rootNodes })`. */
  readonly urls: readonly string[]
  stop(): Promise<void>
}

/** Three masters, no replicas, slots split evenly by `redis-cli --cluster create`; resolves once the cluster is ok. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = []
  try {
    for (let i = 0; i < 3; i++)
      nodes.push(
        await startRedisServer(
          [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${i}.conf`,
            '--cluster-node-timeout',
            '2000',
          ],
          true,
        ),
      )
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    const deadline = Date.now() + 15_000
    for (const node of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(node.port), 'cluster', 'info'])
        if (stdout.includes('cluster_state:ok')) break
        if (Date.now() > deadline) throw new Error(`cluster node ${node.port} never became ok`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()))
    throw err
  }
  return {
    nodes,
    urls: nodes.map((node) => node.url),
    stop: async () => void (await Promise.all(nodes.map((node) => node.stop()))),
  }
}

/** A prefix no other test uses, so tests sharing one server never see each other's keys. */
let prefixCount = 0
export const uniquePrefix = (name = 'test') => `tc-${name}-${process.pid}-${++prefixCount}:`
