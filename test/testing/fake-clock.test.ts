import { FakeClock } from '../../src/testing/fake-clock'

describe('FakeClock', () => {
  it('stands still until advanced, then moves by exactly the step', () => {
    const clock = new FakeClock(1_000)
    expect(clock.now()).toBe(1_000)
    expect(clock.now()).toBe(1_000)
    expect(clock.advance(250)).toBe(1_250)
    expect(clock.advance(0)).toBe(1_250)
    expect(clock.now()).toBe(1_250)
  })

  it('starts at a fixed, realistic epoch by default', () => {
    expect(new FakeClock().now()).toBe(1_700_000_000_000)
  })

  it.each([-1, NaN, -Infinity])('refuses to move by %p, and stays where it was', (step) => {
    const clock = new FakeClock(5)
    expect(() => clock.advance(step)).toThrow(RangeError)
    expect(clock.now()).toBe(5)
  })
})
