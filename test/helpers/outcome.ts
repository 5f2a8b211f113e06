/** Calls `f` and returns what it returned, or the rejection it threw synchronously, as a label. */
export function outcome(f: () => unknown): string {
  try {
    const result = f()
    if (result instanceof Promise) {
      result.catch(() => {}) // observed by the caller; keep Jest quiet
      return 'promise'
    }
    return 'value'
  } catch {
    return 'sync throw'
  }
}
