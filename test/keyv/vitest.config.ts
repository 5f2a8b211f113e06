// Vitest runs only the official Keyv suites (*.vitest.ts); everything else runs under Jest.
export default {
  test: {
    include: ['test/keyv/**/*.vitest.ts'],
    // The suite's stores share one cache: its files run one at a time.
    fileParallelism: false,
  },
}
