import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// Every ```ts block of README.md and docs/ is code a host copies into their project, so each one
// is typechecked here as a module of a user's strict NodeNext project that imports 'eventrouter'
// by name (tsconfig.json's `paths` map the name and its subpaths to src/, as for the examples).
//
// A block that continues an earlier one, or leaves out what it needs on purpose (a `router`, the
// host's `payload`), says so with an HTML comment right before its fence, which GitHub does not
// show. The comment's body is TypeScript put before the block, declaring what the block assumes:
//
//   <!-- ts-fragment
//   import type { EventRouter } from 'eventrouter'
//   declare const router: EventRouter
//   -->
//
// Prefer a block that compiles as it is; the declarations make a fragment's assumptions explicit
// and checked. One program checks all blocks, held in memory: nothing is written to disk.

const root = fileURLToPath(new URL('../../', import.meta.url))
const FENCE = /^(\s*)(`{3,})(ts|typescript)\s*$/
const FRAGMENT = /<!--\s*ts-fragment\b((?:(?!-->)[\s\S])*)-->\s*$/

interface Block {
  /** Where the block is, for messages: `docs/catalog.md:30` (the line of its opening fence). */
  readonly where: string
  /** The virtual module's file name. */
  readonly fileName: string
  /** The module's text: the fragment's declarations, then the block. */
  readonly text: string
  /** Lines of the module before the block's first line (the fragment's declarations). */
  readonly preludeLines: number
  /** Line of the block's first code line in the Markdown file, 1-based. */
  readonly firstLine: number
  /** The Markdown file, relative to the repository. */
  readonly file: string
}

function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return path === join('docs', 'api') ? [] : walk(path)
      return entry.name.endsWith('.md') ? [path] : []
    })
  return ['README.md', ...walk('docs')]
}

function extractBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split('\n')
  const blocks: Block[] = []
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index] ?? '')
    if (!open) continue
    const indent = open[1] ?? ''
    const fence = open[2] ?? '```'
    const body: string[] = []
    let end = index + 1
    while (end < lines.length && !(lines[end] ?? '').trim().startsWith(fence)) {
      const line = lines[end] ?? ''
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart())
      end++
    }
    const before = lines.slice(0, index).join('\n')
    const prelude = FRAGMENT.exec(before)?.[1]?.trim() ?? ''
    const preludeText = prelude === '' ? '' : `${prelude}\n`
    const slug = file.replace(/[^A-Za-z0-9]+/g, '-')
    blocks.push({
      where: `${file}:${index + 1}`,
      fileName: join(root, 'test', '.tmp', 'docs-blocks', `${slug}-${index + 1}.mts`),
      text: `${preludeText}${body.join('\n')}\n`,
      preludeLines: preludeText === '' ? 0 : preludeText.split('\n').length - 1,
      firstLine: index + 2,
      file,
    })
    index = end
  }
  return blocks
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json')
  const config = ts.readConfigFile(configPath, ts.sys.readFile)
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath))
  return {
    ...parsed.options,
    // What a user's strict Node project has; the project's own stricter flags stay on.
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // Each block is a module of its own, even one without import or export.
    moduleDetection: ts.ModuleDetectionKind.Force,
    noEmit: true,
    skipLibCheck: true,
  }
}

function problems(blocks: readonly Block[]): string[] {
  const byName = new Map(blocks.map((block) => [block.fileName, block]))
  const options = compilerOptions()
  const host = ts.createCompilerHost(options, true)
  const { getSourceFile, fileExists, readFile } = host
  host.fileExists = (name) => byName.has(name) || fileExists.call(host, name)
  host.readFile = (name) => byName.get(name)?.text ?? readFile.call(host, name)
  host.getSourceFile = (name, language, onError, shouldCreate) => {
    const block = byName.get(name)
    if (block) return ts.createSourceFile(name, block.text, language, true)
    return getSourceFile.call(host, name, language, onError, shouldCreate)
  }
  const program = ts.createProgram([...byName.keys()], options, host)
  const messages: string[] = []
  for (const block of blocks) {
    const sourceFile = program.getSourceFile(block.fileName)
    if (!sourceFile) throw new Error(`${block.where}: the block was not part of the program`)
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ]
    for (const diagnostic of diagnostics) {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ')
      const line = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line
      const where =
        line < block.preludeLines
          ? `${block.where} (line ${line + 1} of the ts-fragment declarations above the block)`
          : `${block.file}:${block.firstLine + line - block.preludeLines} (block at ${block.where})`
      messages.push(`${where}: TS${diagnostic.code}: ${text}`)
    }
  }
  return messages
}

// Checked with the others, in the same program: a block that must fail, to prove failures are reported.
const broken: Block = {
  where: 'docs/example.md:10',
  fileName: join(root, 'test', '.tmp', 'docs-blocks', 'self-test.mts'),
  text: "declare const prefix: string\nimport { EventRouter } from 'eventrouter'\nnew EventRouter({ adapter: [] })\n",
  preludeLines: 1,
  firstLine: 11,
  file: 'docs/example.md',
}

describe('TypeScript blocks of README.md and docs/', () => {
  const blocks = markdownFiles().flatMap((file) =>
    extractBlocks(file, readFileSync(join(root, file), 'utf8')),
  )
  let found: string[] | undefined
  const problemsOf = (block: Block) => {
    found ??= problems([...blocks, broken])
    return found.filter(
      (message) => message.includes(`(block at ${block.where})`) || message.startsWith(`${block.where} `),
    )
  }

  it('finds the blocks (README.md and docs/ have several each)', () => {
    const files = new Set(blocks.map((block) => block.file))
    expect(files).toContain('README.md')
    expect(files).toContain(join('docs', 'catalog.md'))
    expect(blocks.length).toBeGreaterThan(20)
  })

  it('every block typechecks as a strict user module importing eventrouter', () => {
    const messages = blocks.flatMap(problemsOf)
    expect(messages, `\n${messages.join('\n')}\n`).toEqual([])
    // The compiler runs inside the test: 3 s on a quiet machine, over 20 s beside a CPU hog.
  }, 120_000)

  it('reports a broken block by file, line and TypeScript error', () => {
    const [message, ...rest] = problemsOf(broken)
    expect(rest).toEqual([])
    expect(message).toMatch(/^docs\/example\.md:12 \(block at docs\/example\.md:10\): TS2561: .*'adapter'/)
  })

  it('puts a ts-fragment comment right before a fence ahead of its block, and only there', () => {
    const markdown = [
      '<!-- ts-fragment',
      'declare const a: number',
      '-->',
      '',
      '```ts',
      'a.toFixed()',
      '```',
      '<!-- ts-fragment declare const b: number -->',
      'Some words, so the comment above belongs to no block.',
      '',
      '  ```typescript',
      '  const c = 1',
      '  ```',
      '```json',
      '{}',
      '```',
    ].join('\n')
    const [first, second, ...rest] = extractBlocks('x.md', markdown)
    expect(rest).toEqual([])
    expect(first).toMatchObject({
      where: 'x.md:5',
      text: 'declare const a: number\na.toFixed()\n',
      preludeLines: 1,
      firstLine: 6,
    })
    expect(second).toMatchObject({ where: 'x.md:11', text: 'const c = 1\n', preludeLines: 0, firstLine: 12 })
  })
})
