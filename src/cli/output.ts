/**
 * How the commands print: numbers, sizes and times for people, aligned tables, and JSON for scripts. Output
 * goes to stdout; messages about the run (progress, questions, errors) go to stderr.
 */

/** Where a command writes; a test or a redirect can stand in for the process's streams. */
export interface Streams {
  out: NodeJS.WritableStream & { isTTY?: boolean }
  err: NodeJS.WritableStream & { isTTY?: boolean }
  in: NodeJS.ReadableStream & { isTTY?: boolean }
}

export const processStreams: Streams = {
  out: process.stdout,
  err: process.stderr,
  in: process.stdin,
}

/** `1,234,567`. */
export function count(n: number): string {
  return n.toLocaleString('en-US')
}

/** `512 B`, `1.2 KiB`, `3.4 MiB`, `1.0 GiB`: binary units, as `du -h` and the examples use. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** A span of time, to two units at most: `45 s`, `12 min`, `3 h 12 min`, `2 d 4 h`. */
export function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000)
  if (s < 60) return `${s} s`
  const min = Math.floor(s / 60)
  if (min < 60) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** Time to expiry as `ls` shows it: `in 3 h`, `expired 5 min ago`, `never`. */
export function expiresIn(expiresAt: number, now: number): string {
  if (expiresAt === Infinity) return 'never'
  return expiresAt > now ? `in ${span(expiresAt - now)}` : `expired ${span(now - expiresAt)} ago`
}

/** `2026-11-30 07:50:12 UTC`. */
export function when(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
}

/** An epoch-ms time for JSON: ISO text, `null` for never. */
export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString()
}

/**
 * Rows as aligned columns; `right` lists the columns aligned right (numbers). The header is the first row.
 * Every row must be known first, so this is for bounded lists (top N, per function), not for streaming.
 */
export function table(rows: string[][], right: number[] = []): string {
  const widths: number[] = []
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 && !right.includes(i)
            ? cell
            : right.includes(i)
              ? cell.padStart(widths[i]!)
              : cell.padEnd(widths[i]!),
        )
        .join('  '),
    )
    .join('\n')
}

/** `label  value` lines with the values aligned. */
export function fields(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length))
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')
}

/** Writes JSON to `out`, one document, two-space indented. */
export function writeJson(streams: Streams, value: unknown): void {
  streams.out.write(JSON.stringify(value, null, 2) + '\n')
}

/** Writes text to `out`, ending it with a newline. */
export function writeText(streams: Streams, text: string): void {
  streams.out.write(text.endsWith('\n') ? text : text + '\n')
}
