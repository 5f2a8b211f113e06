// Every public export of every entry point needs a JSDoc comment with an `@example`: the API site (TypeDoc) and
// the editor's hover are the reference, so an export without them is a hole in both. Run: `npm run docs:check-api`.
import { createRequire } from 'node:module'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ts = createRequire(import.meta.url)('typescript')
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** The package's entry points: subpath → source file. Keep in step with `exports` in package.json. */
export const ENTRY_POINTS = {
  tiercache: 'src/index.ts',
  'tiercache/keyv': 'src/keyv/index.ts',
  'tiercache/redis': 'src/redis/index.ts',
  'tiercache/testing': 'src/testing/index.ts',
}

/** The exports of each entry point that lack a JSDoc comment or an `@example`, as `{ entry, name, where, missing }`. */
export function findUndocumentedExports(entryPoints = ENTRY_POINTS) {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  const files = Object.values(entryPoints).map((file) => resolve(root, file))
  const program = ts.createProgram(files, { ...config.options, noEmit: true })
  const checker = program.getTypeChecker()
  const problems = []
  for (const [entry, file] of Object.entries(entryPoints)) {
    const source = program.getSourceFile(resolve(root, file))
    const moduleSymbol = source && checker.getSymbolAtLocation(source)
    if (!moduleSymbol) throw new Error(`${file}: not found or not a module`)
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const declarations = symbol.declarations ?? []
      const docs = declarations.flatMap((d) => ts.getJSDocCommentsAndTags(d)).filter(ts.isJSDoc)
      const hasText = docs.some((doc) => ts.getTextOfJSDocComment(doc.comment)?.trim())
      const hasExample = docs.some((doc) =>
        (doc.tags ?? []).some((t) => t.tagName.text === 'example'),
      )
      if (hasText && hasExample) continue
      const first = declarations[0]
      const where = first
        ? `${relative(root, first.getSourceFile().fileName)}:${first.getSourceFile().getLineAndCharacterOfPosition(first.getStart()).line + 1}`
        : '?'
      const missing = [!hasText && 'a JSDoc comment', !hasExample && 'an @example'].filter(Boolean)
      problems.push({ entry, name: exported.name, where, missing })
    }
  }
  return problems
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Arguments `name=file` check those entry points instead (the tests use this).
  const args = process.argv.slice(2).map((arg) => arg.split('='))
  const entryPoints = args.length > 0 ? Object.fromEntries(args) : ENTRY_POINTS
  const problems = findUndocumentedExports(entryPoints)
  for (const p of problems) {
    console.error(
      `${p.where}: '${p.name}' (exported by ${p.entry}) needs ${p.missing.join(' and ')}`,
    )
  }
  if (problems.length > 0) {
    console.error(
      `\n${problems.length} public export(s) undocumented. Put a /** … */ comment on the declaration, with ` +
        'one sentence and an `@example` (a ```ts block), e.g.\n' +
        "  /**\n   * What it is, in one sentence.\n   *\n   * @example\n   * ```ts\n   * import { Thing } from 'tiercache'\n   * ```\n   */",
    )
    process.exit(1)
  }
  console.log(
    `API docs: every export of ${Object.keys(entryPoints).join(', ')} has a JSDoc comment and an @example`,
  )
}
