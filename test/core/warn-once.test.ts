import { StorageError } from '../../src/core/exceptions'
import { warnOnce } from '../../src/core/warn-once'

describe('warnOnce', () => {
  it('warns for the first error only, and says how to see the others; each handler keeps its own count', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const first = warnOnce()
      first(new StorageError('[tiercache] [file] cannot write "k": ENOSPC'))
      first(new StorageError('second'))
      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn.mock.calls[0]![0]).toBe(
        '[tiercache] [file] cannot write "k": ENOSPC (further cache errors are not logged; pass onError to see them)',
      )
      warnOnce()(new StorageError('another cache'))
      expect(warn).toHaveBeenCalledTimes(2)
    } finally {
      warn.mockRestore()
    }
  })
})
