import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * A real PostgreSQL server for tests, as test/helpers/redis-server.ts does for Redis: Debian's binaries
 * (/usr/lib/postgresql/<version>/bin; `.ci/run` installs them when missing), a fresh cluster in a temp dir, on
 * a free loopback port (never 5432), with fsync off: nothing here needs to survive a crash of the machine.
 * PostgreSQL refuses to run as root, so as root the cluster belongs to, and runs as, the `postgres` user.
 */
export interface PostgresServer {
  readonly port: number
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust authentication: loopback only). */
  readonly url: string
  /** Stops the server and removes its files. */
  stop(): Promise<void>
}

const run = promisify(execFile)

/** The bin folder of the newest PostgreSQL installed, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin')
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir()
  if (bin === undefined) throw new Error('PostgreSQL is not installed (apt-get install postgresql)')
  const dir = mkdtempSync(join(tmpdir(), 'tc-postgres-'))
  const data = join(dir, 'data')
  const asRoot = userInfo().uid === 0
  // As root: the postgres user owns the folder and runs every command, through setpriv, which execs the
  // command itself (no parent left in between), so the child killed at stop is the server.
  const ids = asRoot ? await postgresIds() : undefined
  const command = (file: string, args: string[]): [string, string[]] =>
    ids
      ? [
          'setpriv',
          [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', join(bin, file), ...args],
        ]
      : [join(bin, file), args]
  if (ids) chownSync(dir, ids.uid, ids.gid)
  await run(...command('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']))
  for (let attempt = 0; ; attempt++) {
    const port = await anyFreePort()
    const child = spawn(
      ...command('postgres', [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ]),
      { stdio: 'ignore' },
    )
    child.on('error', () => {}) // a missing binary shows as the exit below
    if (await waitUntilReady(bin, port, child)) {
      return {
        port,
        url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
        stop: async () => {
          // A smart shutdown lets the clients' sessions end first (a session the server ends makes node-postgres
          // throw from an idle client); a fast one after a while, so that a leaked client cannot hang a test.
          child.kill('SIGTERM')
          const fast = setTimeout(() => child.kill('SIGINT'), 5_000)
          await exited(child)
          clearTimeout(fast)
          rmSync(dir, { recursive: true, force: true })
        },
      }
    }
    child.kill('SIGKILL')
    await exited(child)
    if (attempt === 3) throw new Error('postgres did not start')
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all(['-u', '-g'].map((flag) => run('id', [flag, 'postgres'])))
  return { uid: Number(uid!.stdout.trim()), gid: Number(gid!.stdout.trim()) }
}

/** True once the server answers `pg_isready` on `port`; false if it exited (the port was taken, say). */
async function waitUntilReady(bin: string, port: number, child: ChildProcess, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false
    const ready = await run(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)])
      .then(() => true)
      .catch(() => false)
    if (ready) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}
