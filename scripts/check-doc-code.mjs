// The docs cannot drift from the API: every ```ts block of README.md and docs/**/*.md, and of the JSDoc comments
// in src/ (the `@example`s of the API site), is type-checked, as an ES module of its own, against the built package (`import … from 'tiercache'` resolves through package.json's
// `exports` to dist/, as it does for a user). A block meant not to compile is skipped when its fence says so
// (```ts nocheck) or when the line before it is `<!-- nocheck -->`; a block whose fence says ```ts continued is
// checked after the previous checked block of its file, as one module. Run after `npm run build`: `npm run docs:check`.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ts = createRequire(import.meta.url)('typescript')
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SKIP_MARK = 'nocheck'
const TS_LANGS = new Set(['ts', 'typescript', 'mts', 'cts'])

/** README.md and every .md under docs/, except the generated API site. */
export function markdownFiles() {
  const found = [join(root, 'README.md')]
  const walk = (dir) => {
    if (!existsSync(dir)) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory() && relative(root, path) !== join('docs', 'api')) walk(path)
      else if (entry.isFile() && entry.name.endsWith('.md')) found.push(path)
    }
  }
  walk(join(root, 'docs'))
  return found
}

/** Every .ts file under src/, for the fenced blocks of its JSDoc comments. */
export function sourceFiles(dir = join(root, 'src')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.isFile() && entry.name.endsWith('.ts') ? [path] : []
  })
}

/** The fenced TypeScript blocks of the `/** … *\/` comments of one source text, with lines of that text. */
export function extractCommentBlocks(text) {
  const blocks = []
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = text.slice(0, comment.index).split('\n').length
    const body = comment[0]
      .split('\n')
      .map((line) => line.replace(/^\s*(\/\*\*|\*\/|\*)? ?/, '').replace(/\*\/$/, ''))
      .join('\n')
    for (const block of extractBlocks(body))
      blocks.push({ ...block, line: firstLine + block.line - 1 })
  }
  return blocks
}

/** The fenced TypeScript blocks of one markdown text: `{ line, code, skipped }` (line: 1-based, of the fence). */
export function extractBlocks(text) {
  const lines = text.split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/.exec(lines[i])
    if (!open) continue
    const [, indent, fence, lang, info] = open
    const body = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const close = lines[j].trimStart()
      if (close.startsWith(fence) && close.slice(fence.length).trim() === '') break
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart())
    }
    if (TS_LANGS.has(lang.toLowerCase())) {
      const before =
        lines
          .slice(0, i)
          .reverse()
          .find((l) => l.trim() !== '') ?? ''
      const skipped =
        info.split(/\s+/).includes(SKIP_MARK) ||
        new RegExp(`^<!--\\s*${SKIP_MARK}\\b.*-->$`).test(before.trim())
      const continued = info.split(/\s+/).includes('continued')
      blocks.push({ line: i + 1, code: body.join('\n'), skipped, continued })
    }
    i = j
  }
  return blocks
}

/** Type-checks every block; returns the diagnostics as `file:line: message` strings, and the counts. */
export function checkDocCode({ markdown = markdownFiles(), sources = sourceFiles() } = {}) {
  const snippets = new Map() // virtual path → { file, line }
  let skipped = 0
  const inputs = [
    ...markdown.map((file) => [file, extractBlocks(readFileSync(file, 'utf8'))]),
    ...sources.map((file) => [file, extractCommentBlocks(readFileSync(file, 'utf8'))]),
  ]
  for (const [file, blocks] of inputs) {
    let previous
    for (const block of blocks) {
      if (block.skipped) {
        skipped++
        continue
      }
      if (block.continued && previous) {
        // One module: the previous block's lines, then this one's, each reported at its own place.
        previous.code += '\n' + block.code
        previous.parts.push({ from: previous.lines, line: block.line })
        previous.lines += block.code.split('\n').length
        continue
      }
      // Virtual files inside the repository, so that 'tiercache' resolves by the package's own name.
      const name = `${relative(root, file).replace(/[\\/.]/g, '_')}_L${block.line}.mts`
      previous = {
        file,
        code: block.code,
        lines: block.code.split('\n').length,
        parts: [{ from: 0, line: block.line }],
      }
      snippets.set(join(root, '.doc-snippets', name), previous)
    }
  }
  const options = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // As strict as the strictest user: what compiles here compiles for them.
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.readFile = (path) => snippets.get(path)?.code ?? readFile(path)
  host.fileExists = (path) => snippets.has(path) || fileExists(path)
  host.getSourceFile = (path, languageVersion, ...rest) => {
    const snippet = snippets.get(path)
    if (snippet) return ts.createSourceFile(path, snippet.code, languageVersion, true)
    return getSourceFile(path, languageVersion, ...rest)
  }
  const program = ts.createProgram([...snippets.keys()], options, host)
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ')
    const snippet = d.file && snippets.get(d.file.fileName)
    if (!snippet || d.start === undefined) return `error TS${d.code}: ${message}`
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
    // The block's first line is the one after the fence.
    const part = snippet.parts.findLast((p) => p.from <= line)
    const where = `${relative(root, snippet.file)}:${part.line + 1 + line - part.from}:${character + 1}`
    return `${where}: error TS${d.code}: ${message}`
  })
  return { problems, checked: snippets.size, skipped }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(root, 'dist', 'index.d.ts'))) {
    console.error(
      'docs code: dist/ is missing; run `npm run build` first (the blocks are checked against it)',
    )
    process.exit(1)
  }
  // With file arguments, only those markdown files (the tests use this); else every doc and src/.
  const files = process.argv.slice(2).map((file) => resolve(file))
  const { problems, checked, skipped } = checkDocCode(
    files.length > 0 ? { markdown: files, sources: [] } : undefined,
  )
  for (const p of problems) console.error(p)
  if (problems.length > 0) {
    console.error(
      `\ndocs code: ${problems.length} error(s) in the docs' TypeScript blocks. Fix the block, or, if it is ` +
        `meant not to compile, mark its fence \`\`\`ts ${SKIP_MARK} (or put <!-- ${SKIP_MARK} --> on the line before it).`,
    )
    process.exit(1)
  }
  console.log(
    `docs code: ${checked} TypeScript blocks type-checked against dist/, ${skipped} marked ${SKIP_MARK}`,
  )
}
