/**
 * State that must be one per process, however many copies of tiercache are loaded: an app that both
 * `import`s and `require`s it runs the ESM and the CJS build side by side, each with its own module scope.
 * Such state lives on `globalThis` under `Symbol.for('tiercache.<name>.v<version>')`; an incompatible
 * future major changes the version, so copies that disagree on the shape never share a slot.
 */

/** The process-wide value named `name`, created by `create` on first use (by whichever copy comes first). */
export function processState<T extends object>(name: string, version: number, create: () => T): T {
  const slot = Symbol.for(`tiercache.${name}.v${version}`)
  const holder = globalThis as Record<symbol, T | undefined>
  let state = holder[slot]
  if (state === undefined) {
    state = create()
    // Not enumerable: it stays out of the way of code that walks globalThis.
    Object.defineProperty(globalThis, slot, { value: state, configurable: true })
  }
  return state
}
