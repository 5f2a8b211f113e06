// Makes the ESM entry's declarations a re-export of the CJS ones. Two declaration files would declare two
// `Cache` classes whose `#private` members TypeScript treats as different, so a Cache made in a .cts module
// would not type-check where a .mts module expects one. The runtime builds stay two (see README, "Runs on").
// tiercache/keyv too: its toKeyvStore takes the Cache an ESM module imported from 'tiercache'.
import { writeFileSync } from 'node:fs'

for (const entry of ['index', 'keyv/index'])
  writeFileSync(
    new URL(`../dist/${entry}.d.mts`, import.meta.url),
    "// The CJS declarations, shared so that both entries declare one set of classes.\nexport * from './index.js'\n",
  )
