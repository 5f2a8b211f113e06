import * as api from '../src'

describe('public API', () => {
  it('exports exactly these values (the surface cannot grow by accident)', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'Cache',
        'CacheConfig',
        'CacheError',
        'Cached',
        'ClockError',
        'FileTier',
        'InvalidKeyError',
        'InvalidatesCache',
        'MemoryTier',
        'PolicyError',
        'RefreshError',
        'SerializationError',
        'StorageError',
        'TimeoutError',
        'argToken',
        'compilePattern',
        'decode',
        'diagnosticChannels',
        'encode',
        'getDefaultCache',
        'isStorageError',
        'setDefaultCache',
        'systemClock',
        'toMs',
        'withCache',
      ].sort(),
    )
  })

  it('keeps the error hierarchy and codes of the guide', () => {
    const storage = new api.StorageError('x', { key: 'k', tier: 'file' })
    expect(storage).toBeInstanceOf(api.CacheError)
    expect(storage).toBeInstanceOf(Error)
    expect([storage.code, storage.key, storage.tier, storage.name]).toEqual([
      'E_STORAGE',
      'k',
      'file',
      'StorageError',
    ])
    expect(new api.SerializationError('x')).toBeInstanceOf(api.StorageError)
    expect(api.isStorageError({ code: 'E_STORAGE' })).toBe(true)
    expect(api.isStorageError(new api.CacheError('x'))).toBe(false)
  })

  it('has TimeoutError (E_TIMEOUT, for callers) and RefreshError (E_REFRESH, for onError)', () => {
    const timeout = new api.TimeoutError('late', { key: 'k', timeoutMs: 5 })
    expect([timeout.code, timeout.name, timeout.key, timeout.timeoutMs]).toEqual([
      'E_TIMEOUT',
      'TimeoutError',
      'k',
      5,
    ])
    expect(timeout).toBeInstanceOf(api.CacheError)
    expect(api.isStorageError(timeout)).toBe(false)
    const refresh = new api.RefreshError('failed', { key: 'k', cause: timeout })
    expect([refresh.code, api.isStorageError(refresh), refresh.cause]).toEqual([
      'E_REFRESH',
      true,
      timeout,
    ])
  })
})
