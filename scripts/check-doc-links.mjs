// Links that work: on the npm page the README's relative links are dead (only dist/ and the README ship), so
// the README links with absolute GitHub URLs, and each must name a file or folder of this repository. Inside
// docs/, relative links must reach a file, and a `#fragment` a heading of it. Run: `npm run docs:check`.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { markdownFiles } from './check-doc-code.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
/** https://github.com/owner/name, from package.json `repository`. */
const repoUrl = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')
const REPO_LINK = new RegExp(
  `^${repoUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/(blob|tree)/main/([^#?]*)(#.*)?$`,
)

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens (as github-slugger). */
const slug = (heading) =>
  heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')

/** The anchors of a markdown file's headings, outside code fences, numbered as GitHub numbers repeats. */
function anchors(file) {
  const seen = new Map()
  const found = new Set()
  let fence
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const mark = /^\s*(`{3,}|~{3,})/.exec(line)?.[1]
    if (mark && (!fence || mark.startsWith(fence))) fence = fence ? undefined : mark
    if (fence) continue
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (!heading) continue
    const base = slug(heading[1])
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    found.add(n === 0 ? base : `${base}-${n}`)
  }
  return found
}

/** The inline links `[text](target)` of a markdown text, outside code, with their line numbers. */
function links(text) {
  const found = []
  let fence
  text.split('\n').forEach((line, i) => {
    const mark = /^\s*(`{3,}|~{3,})/.exec(line)?.[1]
    if (mark && (!fence || mark.startsWith(fence))) fence = fence ? undefined : mark
    if (fence || mark) return
    const prose = line.replace(/`[^`]*`/g, '')
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      found.push({ line: i + 1, target: m[1] })
  })
  return found
}

export function checkDocLinks(files = markdownFiles()) {
  const problems = []
  const readme = join(root, 'README.md')
  for (const file of files) {
    const where = (line) => `${relative(root, file)}:${line}`
    for (const { line, target } of links(readFileSync(file, 'utf8'))) {
      if (/^(mailto:|https?:\/\/(?!github\.com\/tiercache\/))/.test(target)) continue
      let path
      let fragment
      const repoLink = REPO_LINK.exec(target)
      if (repoLink) {
        path = join(root, decodeURIComponent(repoLink[2]))
        fragment = repoLink[3]?.slice(1)
        if (repoLink[1] === 'tree' && existsSync(path) && !statSync(path).isDirectory())
          problems.push(`${where(line)}: ${target}: a file, linked as a folder (use /blob/)`)
      } else if (target.startsWith('http')) {
        problems.push(`${where(line)}: ${target}: not a link to ${repoUrl}/(blob|tree)/main/…`)
        continue
      } else if (file === readme && !target.startsWith('#')) {
        problems.push(
          `${where(line)}: ${target}: a relative link is dead on the npm page; use ${repoUrl}/blob/main/…`,
        )
        continue
      } else {
        const [pathPart, frag] = target.split('#')
        path = pathPart ? resolve(dirname(file), decodeURIComponent(pathPart)) : file
        fragment = frag
      }
      if (!existsSync(path)) {
        problems.push(`${where(line)}: ${target}: ${relative(root, path)} does not exist`)
        continue
      }
      if (fragment && path.endsWith('.md') && !anchors(path).has(fragment))
        problems.push(
          `${where(line)}: ${target}: no heading #${fragment} in ${relative(root, path)}`,
        )
    }
  }
  return problems
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2).map((file) => resolve(file))
  const problems = checkDocLinks(files.length > 0 ? files : undefined)
  for (const p of problems) console.error(p)
  if (problems.length > 0) {
    console.error(`\ndocs links: ${problems.length} broken link(s)`)
    process.exit(1)
  }
  console.log('docs links: every link of README.md and docs/ reaches its file and heading')
}
