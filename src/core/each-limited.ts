/** Runs `work` over `items` with at most `concurrency` in flight (file I/O: enough to keep the disk busy, few enough fds). */
export async function eachLimited<T>(
  items: readonly T[],
  work: (item: T) => Promise<void>,
  concurrency = 32,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
