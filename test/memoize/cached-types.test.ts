import { Cache, Cached, MemoryTier } from '../../src'
import { describeDecoratorTypes } from './cached-types-suite'

describe('decorator types (standard decorators)', () => {
  describeDecoratorTypes()

  it('@Cached on a private method is a type error, and the runtime refuses it (standard decorators only)', () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    const onPrivate = () => {
      class Secretive {
        // @ts-expect-error -- a private method: its key could not name it
        @Cached({ cache })
        async #load() {
          return 1
        }

        run() {
          return this.#load()
        }
      }
      return Secretive
    }
    expect(onPrivate).toThrow(/private/)
  })
})
