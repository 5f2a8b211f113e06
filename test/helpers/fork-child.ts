import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

export interface Child {
  process: ChildProcess
  /** The next message the child sends. */
  next<T = unknown>(): Promise<T>
  /** Resolves when the child has exited, with its code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Forks `test/helpers/<name>.ts` through ts-node, as the multi-process tests do. */
export function forkHelper(name: string, args: string[]): Child {
  const child = fork(join(__dirname, `${name}.ts`), args, {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
  })
  const queue: unknown[] = []
  const waiting: ((message: unknown) => void)[] = []
  child.on('message', (message) => {
    const waiter = waiting.shift()
    if (waiter) waiter(message)
    else queue.push(message)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    process: child,
    exited,
    next: <T>() =>
      queue.length > 0
        ? Promise.resolve(queue.shift() as T)
        : new Promise<T>((resolve, reject) => {
            waiting.push(resolve as (message: unknown) => void)
            void exited.then(({ code, signal }) =>
              reject(
                new Error(
                  `${name} exited (code ${code}, signal ${signal}) before sending a message`,
                ),
              ),
            )
          }),
  }
}
