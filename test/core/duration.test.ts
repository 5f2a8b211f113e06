import { toMs } from '../../src/core/duration'

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe('toMs', () => {
  it.each([1, 90, 3_600, 0.5, 0.001, 86_400 * 365])('reads the number %p as seconds', (seconds) => {
    expect(toMs(seconds)).toBe(seconds * SECOND)
  })

  it.each([
    ['250ms', 250],
    ['90s', 90 * SECOND],
    ['30m', 30 * MINUTE],
    ['1h', HOUR],
    ['7d', 7 * DAY],
    ['1.5h', 1.5 * HOUR],
    ['0.5s', SECOND / 2],
    ['  10m ', 10 * MINUTE],
    ['10 m', 10 * MINUTE],
  ])('reads the string %p', (text, ms) => {
    expect(toMs(text)).toBe(ms)
  })

  it('keeps Infinity as "never expires"', () => {
    expect(toMs(Infinity)).toBe(Infinity)
  })

  it.each([
    0,
    -1,
    -Infinity,
    Number.NaN,
    '0s',
    '-5s',
    '',
    '10',
    '1x',
    '1H',
    'h',
    '1e3s',
    'Infinity',
    '1.s',
    null,
    undefined,
    {},
    true,
  ])('rejects %p with a TypeError naming the option', (bad) => {
    expect(() => toMs(bad as never)).toThrow(TypeError)
    expect(() => toMs(bad as never)).toThrow(/^ttl option/)
    expect(() => toMs(bad as never, 'memoryTtl')).toThrow(/^memoryTtl option/)
  })

  it('shows the rejected value in the message', () => {
    expect(() => toMs('2 weeks', 'cleanupInterval')).toThrow(/2 weeks/)
  })
})
