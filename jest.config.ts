import type { Config } from 'jest'

// Two projects so that the decorator suite compiles once with TC39 decorators and once with legacy ones.
const project = (
  displayName: string,
  tsconfig: string,
  testMatch: string[],
  ignore: string[] = [],
) => ({
  displayName,
  testEnvironment: 'node',
  testMatch,
  testPathIgnorePatterns: ['/node_modules/', ...ignore],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig }] },
})

const config: Config = {
  projects: [
    project(
      'tiercache',
      '<rootDir>/tsconfig.json',
      ['<rootDir>/test/**/*.test.ts'],
      ['\\.legacy\\.test\\.ts$'],
    ),
    project('legacy-decorators', '<rootDir>/test/tsconfig.legacy.json', [
      '<rootDir>/test/**/*.legacy.test.ts',
    ]),
  ],
}

export default config
