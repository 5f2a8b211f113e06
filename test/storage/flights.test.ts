import { compilePattern } from '../../src/core/pattern'
import { FlightRegistry } from '../../src/storage/flights'
import { WriteTracker } from '../../src/storage/write-tracker'

describe('FlightRegistry', () => {
  it('a registered flight is joined until it settles, then the key is free', () => {
    const flights = new FlightRegistry(new WriteTracker())
    const flight = flights.open('k')
    const promise = Promise.resolve(1)
    expect(flights.register(flight, promise)).toBe(promise)
    expect(flights.running('k')).toBe(promise)
    flights.settle(flight)
    expect(flights.running('k')).toBeUndefined()
  })

  it('a flight that settled before it was registered is never joined', () => {
    const flights = new FlightRegistry(new WriteTracker())
    const flight = flights.open('k')
    flights.settle(flight) // a synchronous throw
    void flights.register(flight, Promise.resolve(1))
    expect(flights.running('k')).toBeUndefined()
  })

  it('settling an older flight leaves the slot of a newer one for the key', () => {
    const flights = new FlightRegistry(new WriteTracker())
    const older = flights.open('k')
    void flights.register(older, Promise.resolve('older'))
    const newer = flights.open('k')
    const newerPromise = flights.register(newer, Promise.resolve('newer'))
    flights.settle(older)
    expect(flights.running('k')).toBe(newerPromise)
  })

  it('changed() sees a write of its key made while the flight is open, and no other', () => {
    const writes = new WriteTracker()
    const flights = new FlightRegistry(writes)
    const flight = flights.open('k')
    writes.noteWrite('other')
    expect(flights.changed(flight)).toBe(false)
    writes.noteWrite('k')
    expect(flights.changed(flight)).toBe(true)
    flights.settle(flight)
  })

  it('drop() forgets one key, the keys a pattern matches, or every key', () => {
    const flights = new FlightRegistry(new WriteTracker())
    for (const key of ['video_1', 'video_2', 'audio_1', 'audio_2'])
      void flights.register(flights.open(key), Promise.resolve(key))
    flights.drop({ key: 'video_1' })
    expect(flights.running('video_1')).toBeUndefined()
    flights.drop({ match: compilePattern('audio_*') })
    expect(['video_2', 'audio_1', 'audio_2'].map((k) => flights.running(k) !== undefined)).toEqual([
      true,
      false,
      false,
    ])
    flights.drop({ match: undefined })
    expect(flights.running('video_2')).toBeUndefined()
  })
})
