import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MapTier } from '../../examples/custom-tier'
import type * as Testing from '../../src/testing'
import { ensureBuilt, installInto } from '../package/built-package'

/**
 * A tier written outside the library (the example's MapTier) passes the compliance suite as a tier author
 * runs it: from the built package, through the `tiercache/testing` subpath of its "exports", resolved by
 * Node in an app that has tiercache installed. describeTier must run while Jest collects the tests, so the
 * build (if dist is stale) happens here, synchronously.
 */
ensureBuilt()
const app = mkdtempSync(join(tmpdir(), 'tiercache-tier-author-'))
afterAll(() => rmSync(app, { recursive: true, force: true }))
installInto(app)
const appRequire = createRequire(join(app, 'index.js'))
const testing = appRequire('tiercache/testing') as typeof Testing

it('tiercache/testing resolves to the built package, not to the sources', () => {
  expect(appRequire.resolve('tiercache/testing')).toMatch(/[\\/]dist[\\/]testing[\\/]index\.js$/)
  expect(testing.describeTier).toBeInstanceOf(Function)
})

testing.describeTier({
  name: 'MapTier of examples/custom-tier.ts, through the built tiercache/testing',
  make: (clock) => new MapTier(clock),
  test: { describe, it, expect, beforeEach, afterEach },
})
