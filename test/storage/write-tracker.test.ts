import { WriteTracker } from '../../src/storage/write-tracker'

describe('WriteTracker', () => {
  it('sees writes to its own key made after it opened, not before, and not to other keys', () => {
    const tracker = new WriteTracker()
    tracker.noteWrite('a') // before: irrelevant
    const watch = tracker.watch('a')
    tracker.noteWrite('b')
    expect(tracker.changedSince(watch)).toBe(false)
    tracker.noteWrite('a')
    expect(tracker.changedSince(watch)).toBe(true)
    tracker.unwatch(watch)
  })

  it('overlapping watches of one key each judge from their own start', () => {
    const tracker = new WriteTracker()
    const older = tracker.watch('k')
    tracker.noteWrite('k')
    const newer = tracker.watch('k')
    expect([tracker.changedSince(older), tracker.changedSince(newer)]).toEqual([true, false])
    tracker.unwatch(older)
    expect(tracker.changedSince(newer)).toBe(false) // closing the older one does not forget what the newer needs
    tracker.noteWrite('k')
    expect(tracker.changedSince(newer)).toBe(true)
    tracker.unwatch(newer)
  })

  it('closing one watch does not forget a write another open watch has yet to ask about', () => {
    const tracker = new WriteTracker()
    const a = tracker.watch('a')
    const b = tracker.watch('b')
    tracker.noteWrite('b')
    tracker.unwatch(a)
    expect(tracker.changedSince(b)).toBe(true)
    tracker.unwatch(b)
  })

  it('a write made while no watch was open does not count against a later watch', () => {
    const tracker = new WriteTracker()
    tracker.unwatch(tracker.watch('k'))
    tracker.noteWrite('k')
    const watch = tracker.watch('k')
    expect(tracker.changedSince(watch)).toBe(false)
    tracker.unwatch(watch)
  })

  it('a clear counts as a write to every key watched at the time', () => {
    const tracker = new WriteTracker()
    const a = tracker.watch('a')
    const b = tracker.watch('b')
    tracker.noteClear()
    const later = tracker.watch('a')
    expect([tracker.changedSince(a), tracker.changedSince(b), tracker.changedSince(later)]).toEqual(
      [true, true, false],
    )
  })

  it('a watch that never closes does not make writes to other keys count, however many there are', () => {
    const tracker = new WriteTracker()
    const forever = tracker.watch('held open')
    const mine = tracker.watch('k')
    for (let i = 0; i < 50_000; i++) tracker.noteWrite(`key${i}`)
    expect(tracker.changedSince(mine)).toBe(false)
    expect(tracker.changedSince(forever)).toBe(false)
    tracker.noteWrite('k')
    expect(tracker.changedSince(mine)).toBe(true)
    tracker.unwatch(mine)
    tracker.unwatch(forever)
  })
})
