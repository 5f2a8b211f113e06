// What `npm pack` ships: the build, the manifest, the README and the licence, and nothing else (no src/, test/,
// bench/, examples/ or docs/). Every file that `exports`, `main`, `module`, `types` and `typesVersions` name
// must be in it. Run after a build: `npm run check:package`.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const [packed] = JSON.parse(
  execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }),
)
const shipped = new Set(packed.files.map((f) => f.path))

const allowed = (path) =>
  path.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE'].includes(path)
const named = new Set()
const collect = (value) => {
  if (typeof value === 'string') named.add(value.replace(/^\.\//, ''))
  else if (value && typeof value === 'object') Object.values(value).forEach(collect)
}
collect(manifest.exports)
collect([manifest.main, manifest.module, manifest.types])
collect(manifest.typesVersions)

const problems = [
  ...[...shipped].filter((p) => !allowed(p)).map((p) => `ships ${p}, which a user does not need`),
  ...[...named]
    .filter((p) => !shipped.has(p))
    .map((p) => `package.json names ${p}, which is not packed (build first?)`),
  ...['README.md', 'LICENSE'].filter((p) => !shipped.has(p)).map((p) => `does not ship ${p}`),
]
if (problems.length > 0) {
  for (const p of problems) console.error(`npm pack: ${p}`)
  process.exit(1)
}
const kib = (packed.size / 1024).toFixed(0)
console.log(
  `npm pack: ${shipped.size} files, ${kib} KiB packed; only dist/, package.json, README.md, LICENSE`,
)
