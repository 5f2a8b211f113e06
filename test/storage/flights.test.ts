import { compilePattern } from '../../src/core/pattern'
import { FlightRegistry } from '../../src/storage/flights'

describe('FlightRegistry', () => {
  it('a registered flight is joined until it settles, then the key is free', () => {
    const flights = new FlightRegistry()
    const flight = flights.open('k')
    expect(flights.running('k')).toBeUndefined() // nothing to join before there is a promise
    const promise = Promise.resolve(1)
    expect(flights.register(flight, promise)).toBe(promise)
    expect(flights.running('k')).toBe(promise)
    flights.settle(flight)
    expect(flights.running('k')).toBeUndefined()
  })

  it('a flight that settled before it was registered is never joined', () => {
    const flights = new FlightRegistry()
    const flight = flights.open('k')
    flights.settle(flight) // a synchronous throw
    void flights.register(flight, Promise.resolve(1))
    expect(flights.running('k')).toBeUndefined()
  })

  it('settling an older flight leaves the slot of a newer one for the key', () => {
    const flights = new FlightRegistry()
    const older = flights.open('k')
    void flights.register(older, Promise.resolve('older'))
    const newer = flights.open('k')
    const newerPromise = flights.register(newer, Promise.resolve('newer'))
    flights.settle(older)
    expect(flights.running('k')).toBe(newerPromise)
  })

  it('a flight dropped for its key is changed, and stays so; flights of other keys are not', () => {
    const flights = new FlightRegistry()
    const flight = flights.open('k')
    const other = flights.open('other')
    expect(flights.changed(flight)).toBe(false)
    flights.drop({ key: 'k' })
    expect([flights.changed(flight), flights.changed(other)]).toEqual([true, false])
    void flights.register(flight, Promise.resolve(1))
    expect(flights.running('k')).toBeUndefined() // dropped before it was registered: not joined either
  })

  it('drop() forgets and marks one key, the keys a pattern matches, or every key', () => {
    const flights = new FlightRegistry()
    const opened = ['video_1', 'video_2', 'audio_1', 'audio_2'].map((key) => {
      const flight = flights.open(key)
      void flights.register(flight, Promise.resolve(key))
      return flight
    })
    flights.drop({ key: 'video_1' })
    expect(flights.running('video_1')).toBeUndefined()
    flights.drop({ match: compilePattern('audio_*') })
    expect(['video_2', 'audio_1', 'audio_2'].map((k) => flights.running(k) !== undefined)).toEqual([
      true,
      false,
      false,
    ])
    expect(opened.map((f) => flights.changed(f))).toEqual([true, false, true, true])
    flights.drop({ match: undefined })
    expect(flights.running('video_2')).toBeUndefined()
    expect(flights.changed(opened[1]!)).toBe(true)
  })
})
