import { createHash, randomBytes } from 'node:crypto'

/** A value that carries a sha256 of everything else in it, so any torn or mixed read is detectable. */
export interface Checksummed {
  key: string
  writer: string
  seq: number
  payload: string
  sha: string
}

const digest = (v: Omit<Checksummed, 'sha'>) =>
  createHash('sha256').update(`${v.key}\n${v.writer}\n${v.seq}\n${v.payload}`).digest('hex')

/** A fresh value for `key` whose payload is `size` random hex characters. */
export function checksummed(key: string, writer: string, seq: number, size: number): Checksummed {
  const payload = randomBytes(Math.ceil(size / 2))
    .toString('hex')
    .slice(0, size)
  const value = { key, writer, seq, payload }
  return { ...value, sha: digest(value) }
}

/** True when `value` is a whole checksummed value written for `key`. */
export function isIntact(value: unknown, key: string): boolean {
  if (value === null || typeof value !== 'object') return false
  const v = value as Checksummed
  return (
    v.key === key &&
    typeof v.payload === 'string' &&
    typeof v.seq === 'number' &&
    v.sha === digest(v)
  )
}
