/**
 * Waits for every promise, even when one rejects early, then rejects with the first rejection in the
 * order given (not in time), or resolves with every value. Callers that start several writes must not
 * return while some are still under way.
 */
export async function settleAll<R>(pending: readonly Promise<R>[]): Promise<R[]> {
  const results = await Promise.allSettled(pending)
  const failed = firstRejection(results)
  if (failed) throw failed.reason
  return results.map((r) => (r as PromiseFulfilledResult<R>).value)
}

/** The first rejected result of an `allSettled`, or undefined when all fulfilled. */
export function firstRejection(
  results: readonly PromiseSettledResult<unknown>[],
): PromiseRejectedResult | undefined {
  return results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
}
