import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname

/** Every `'ERR_…'` literal in a folder of src/, recursively. */
function codesIn(folder: string, found = new Set<string>()): Set<string> {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name)
    if (statSync(path).isDirectory()) codesIn(path, found)
    else if (name.endsWith('.ts')) {
      for (const [, code] of readFileSync(path, 'utf8').matchAll(/'(ERR_[A-Z_]+)'/g))
        found.add(code as string)
    }
  }
  return found
}

describe("the README's error-code table", () => {
  it('lists exactly the codes the package uses (the admin handler has its own table)', () => {
    const used = new Set<string>()
    for (const name of readdirSync(join(root, 'src'))) {
      if (name === 'admin') continue
      const path = join(root, 'src', name)
      if (statSync(path).isDirectory()) codesIn(path, used)
    }
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const table = readme.slice(readme.indexOf('### Errors'), readme.indexOf('## Lifecycle events'))
    const listed = new Set(
      [...table.matchAll(/^\| `(ERR_[A-Z_]+)` +\|/gm)].map((match) => match[1] as string),
    )
    expect([...listed].sort()).toEqual([...used].sort())
  })
})
