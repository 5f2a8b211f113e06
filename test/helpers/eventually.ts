/**
 * Waits until `condition()` holds, checking every few milliseconds, and fails after `timeoutMs`. For effects a
 * call promises to make after it resolves (the file tier stamps an entry's mtime off the caller's path).
 */
export async function eventually(
  condition: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
