import {
  CacheError,
  describeFailure,
  InvalidKeyError,
  isStorageError,
  SerializationError,
  StorageError,
} from '../../src/core/exceptions'

describe('exceptions', () => {
  it('each class has its name and code, and extends CacheError', () => {
    const cases = [
      [new CacheError('m'), 'CacheError', 'E_CACHE'],
      [new InvalidKeyError('m'), 'InvalidKeyError', 'E_INVALID_KEY'],
      [new StorageError('m'), 'StorageError', 'E_STORAGE'],
      [new SerializationError('m'), 'SerializationError', 'E_SERIALIZATION'],
    ] as const
    for (const [error, name, code] of cases) {
      expect(error).toBeInstanceOf(CacheError)
      expect([error.name, error.code, error.message]).toEqual([name, code, 'm'])
    }
  })

  it('StorageError keeps key, tier and cause', () => {
    const cause = new Error('EACCES')
    const error = new StorageError('m', { key: 'k', tier: 'file', cause })
    expect([error.key, error.tier, error.cause]).toEqual(['k', 'file', cause])
    expect('cause' in new CacheError('no cause')).toBe(false)
  })

  it('isStorageError goes by code, so a copy of the class from another module instance counts', () => {
    const foreign = Object.assign(new Error('from another copy'), { code: 'E_STORAGE' })
    expect(isStorageError(foreign)).toBe(true)
    expect(isStorageError(new SerializationError('m'))).toBe(true)
    expect(isStorageError(new InvalidKeyError('m'))).toBe(false)
    expect(isStorageError(Object.assign(new Error(), { code: 'ENOENT' }))).toBe(false)
    expect([isStorageError(null), isStorageError('E_STORAGE')]).toEqual([false, false])
  })

  it('describeFailure names the tier, action and shortened key, and the errno code over the message', () => {
    const enospc = Object.assign(new Error('no space left'), { code: 'ENOSPC' })
    expect(describeFailure('file', 'write', 'k', enospc)).toBe(
      '[tiercache] [file] cannot write "k": ENOSPC',
    )
    expect(describeFailure('memory', 'close', undefined, 'plain')).toBe(
      '[tiercache] [memory] cannot close: plain',
    )
    expect(describeFailure('file', 'read', 'k'.repeat(100), new Error('x'))).toContain(
      `"${'k'.repeat(77)}..."`,
    )
  })
})
