// Lint rules from STYLE.md §4.6: the ones lru-cache enforces through oxlint, type-aware where they need types.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'bench/node_modules/**',
      'bench/results/**',
      'coverage/**',
      '.scratch/**',
      '.prof/**',
      'docs/api/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  { files: ['src/**/*.ts'], rules: { 'no-console': 'error' } },
  // tiercache/testing takes the runner's functions from its caller: src/ never relies on test globals.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...[
          'describe',
          'it',
          'test',
          'expect',
          'beforeEach',
          'afterEach',
          'beforeAll',
          'afterAll',
          'jest',
        ],
      ],
    },
  },
  // The bench loads the built library, and fresh copies of its own loops, by path at run time.
  { files: ['bench/**/*.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['*.config.ts', '*.config.mjs'], ...tseslint.configs.disableTypeChecked },
  // Plain JavaScript that Node runs as it is (the package fixtures also run on the oldest supported Node).
  {
    files: ['scripts/**/*.mjs', 'test/package/fixtures/**/*.{mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['test/package/fixtures/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
