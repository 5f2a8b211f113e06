import { Cache } from '../../src/storage/cache'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

describe('values with toJSON', () => {
  it('a plain object with its own toJSON is stored as JSON.stringify would store it', async () => {
    const dir = makeTempDir()
    const value = { id: 7, toJSON: () => ({ id: 7, kind: 'ref' }) }
    await new Cache({ cacheDir: dir, cleanupInterval: false }).set('k', value)
    expect(await new Cache({ cacheDir: dir, cleanupInterval: false }).get('k')).toEqual({
      id: 7,
      kind: 'ref',
    })
  })
})
