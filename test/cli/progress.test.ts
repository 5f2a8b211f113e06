/* eslint-disable no-control-regex -- the terminal's escape sequences are what these tests look for */
import { useTempDirs } from '../helpers/temp-dir'
import { AT_NOW, fixtureCache } from './fixture-cache'
import { ensureBuilt, runCli, runInTerminal } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

/** Shown at once, rather than after a second: the fixture is small. */
const SHOW_AT_ONCE = { ...AT_NOW, TIERCACHE_PROGRESS_DELAY_MS: '0' }
const PROGRESS_LINE = /\r\x1b\[Kreading {2}\d+\/\d+ {2}\d+% {2}[\d,]+\/s/

describe('progress display', () => {
  it('on a terminal: done/total, percentage, rate and time left on stderr, erased before the output', async () => {
    const { dir } = await fixtureCache(40)
    const { code, stdout } = await runInTerminal(['stats', '--dir', dir], { env: SHOW_AT_ONCE })
    expect(code).toBe(0)
    expect(stdout).toMatch(PROGRESS_LINE)
    expect(stdout).toMatch(/ left\r\x1b\[K(\r\n)?Folder/)
  })

  it('piped: nothing but the output, the same output as on a terminal', async () => {
    const { dir } = await fixtureCache(40)
    const piped = await runCli(['stats', '--dir', dir], { env: SHOW_AT_ONCE })
    expect(piped.stderr).toBe('')
    expect(piped.stdout).not.toMatch(/[\r\x1b]/)
    const onTerminal = await runInTerminal(['stats', '--dir', dir], { env: SHOW_AT_ONCE })
    // Each drawing is erased by the next one's \r\x1b[K; the last erase leaves the line empty for the output.
    const screen = onTerminal.stdout
      .replace(/\r\x1b\[K[^\r\n]*(?=\r\x1b\[K)/g, '')
      .replace(/\r\x1b\[K/g, '')
      .replace(/\r\n/g, '\n')
    expect(screen.replace(/\(\d+ s ago\)/g, '')).toBe(piped.stdout.replace(/\(\d+ s ago\)/g, ''))
  })

  it('on a terminal, work shorter than a second shows nothing', async () => {
    const { dir } = await fixtureCache(5)
    const { stdout } = await runInTerminal(['stats', '--dir', dir], { env: AT_NOW })
    expect(stdout).not.toMatch(/\x1b\[K/)
  })
})
