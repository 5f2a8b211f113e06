import { defineConfig } from 'tsup'

export default defineConfig({
  // tiercache/redis is an entry of its own: `redis` (an optional peer) is loaded only by it. tiercache/testing
  // (the tier compliance suite) too, so that an app never loads test code.
  entry: {
    index: 'src/index.ts',
    'redis/index': 'src/redis/index.ts',
    // tiercache/keyv: Keyv both ways. It never imports keyv itself, and tiercache never imports it.
    'keyv/index': 'src/keyv/index.ts',
    'testing/index': 'src/testing/index.ts',
    // The `tiercache` command (package.json "bin"): dist/cli.js, made executable by tsup for its shebang.
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  // Shared chunks in the CJS build too: else tiercache/redis would carry its own copy of StorageError & co.
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Rollup, not sucrase, splits the CJS build: sucrase turns each `?.` and `??` into a helper call, and a
  // require() user's withCache hit took 314 ns against 209 ns through import (a stale hit 1 200 vs 500 ns).
  treeshake: true,
})
