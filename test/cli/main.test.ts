import { accessSync, constants, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../package/built-package'
import { useTempDirs } from '../helpers/temp-dir'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

describe('the tiercache command', () => {
  it('package.json "bin" names the built, executable command, which runs with --help', async () => {
    const bin = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        bin: Record<string, string>
      }
    ).bin
    const path = join(ROOT, bin.tiercache!)
    expect(readFileSync(path, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(() => accessSync(path, constants.X_OK)).not.toThrow()
    const { code, stdout } = await runCli(['--help'])
    expect(code).toBe(0)
    for (const command of [
      'stats',
      'ls',
      'inspect',
      'clear',
      'cleanup',
      'verify',
      'prune-versions',
    ])
      expect(stdout).toMatch(new RegExp(`^  ${command}\\s`, 'm'))
  })

  it('each command has --help', async () => {
    const { code, stdout } = await runCli(['verify', '--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Usage: tiercache verify \[options\]/)
    expect(stdout).toContain('--fix')
    expect(stdout).toContain('--json')
  })

  it.each([
    [[], /^Usage: tiercache <command>/],
    [['stat'], /^tiercache: unknown command "stat"\nSee "tiercache --help"\.\n$/],
    [
      ['stats', '--colour'],
      /^tiercache: Unknown option '--colour'\nSee "tiercache stats --help"\.\n$/,
    ],
    [
      ['stats', '--dir'],
      /^tiercache: Option '-d, --dir <value>' argument missing\nSee "tiercache stats --help"\.\n$/,
    ],
    [['inspect'], /^tiercache: inspect needs KEY\n/],
    [['stats', 'extra'], /^tiercache: unexpected argument "extra"\n/],
  ])('usage error %j: exit code 2, a clear message, no stack trace', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args)
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' })
    expect(stderr).toMatch(message)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})
