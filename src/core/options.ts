/** Throws a TypeError naming the option unless `value` is a positive integer (or undefined, when optional). */
export function checkPositiveInteger(name: string, value: unknown, optional = true): void {
  if (optional && value === undefined) return
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new TypeError(`${name} option must be a positive integer (got ${String(value)})`)
}
