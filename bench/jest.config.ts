import type { Config } from 'jest'

// The bench smoke run, kept out of `npm test` because it needs bench/'s own dependencies.
const config: Config = {
  rootDir: '..',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/bench/smoke.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
}

export default config
