import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// One TypeScript program checks, in memory, what only the compiler can test:
// - the type tests (test/**/*.test-d.ts: expectTypeOf and @ts-expect-error over the public types);
// - every ```ts block of README.md and docs/, which is code a host copies into their project, so
//   each one is typechecked as a module of a user's strict NodeNext project that imports
//   'eventrouter' by name (tsconfig.json's `paths` map the name and its subpaths to src/, as for
//   the examples).
// One program for both checks the sources once: as two (vitest's typecheck for the type tests,
// and this file for the blocks) they took about 20 s of CPU, as one about 10.
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
// and checked. Nothing is written to disk.
//
// The virtual files sit in test/.typecheck/, a directory that never exists on disk, so their
// package scope is the repository's ("type": "module"). Not in test/.tmp/: the package check
// leaves a package.json there, without "type", which would make a virtual .ts file CommonJS.

const root = fileURLToPath(new URL('../', import.meta.url))
/** Where the virtual modules are (see above). */
const VIRTUAL = join(root, 'test', '.typecheck')
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

/** The type tests: every `*.test-d.ts` under test/. */
function typeTestFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : walk(path)
      return entry.name.endsWith('.test-d.ts') ? [path] : []
    })
  return walk('test')
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
      fileName: join(VIRTUAL, 'docs-blocks', `${slug}-${index + 1}.mts`),
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

/** What the program reported: for the blocks, and for the type tests. */
interface Problems {
  readonly blocks: readonly string[]
  /** `test/router/emit.test-d.ts:12: TS2345: ...`, per file relative to the repository. */
  readonly typeTests: readonly string[]
}

/**
 * Checks `blocks` (virtual modules) and `typeTests` (files relative to the repository; those in
 * `virtual` are held in memory, as the self-tests are) in one program.
 */
function problems(
  blocks: readonly Block[],
  typeTests: readonly string[],
  virtual: ReadonlyMap<string, string> = new Map(),
): Problems {
  const texts = new Map<string, string>(blocks.map((block) => [block.fileName, block.text]))
  for (const [file, text] of virtual) texts.set(join(root, file), text)
  const options = compilerOptions()
  const host = ts.createCompilerHost(options, true)
  const { getSourceFile, fileExists, readFile } = host
  host.fileExists = (name) => texts.has(name) || fileExists.call(host, name)
  host.readFile = (name) => texts.get(name) ?? readFile.call(host, name)
  host.getSourceFile = (name, language, onError, shouldCreate) => {
    const text = texts.get(name)
    if (text !== undefined) return ts.createSourceFile(name, text, language, true)
    return getSourceFile.call(host, name, language, onError, shouldCreate)
  }
  const typeTestNames = typeTests.map((file) => join(root, file))
  const program = ts.createProgram(
    [...blocks.map((block) => block.fileName), ...typeTestNames],
    options,
    host,
  )
  const diagnosticsOf = (fileName: string) => {
    const sourceFile = program.getSourceFile(fileName)
    if (!sourceFile) throw new Error(`${fileName} was not part of the program`)
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ]
    return diagnostics.map((diagnostic) => ({
      line: sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line,
      text: `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ')}`,
    }))
  }
  const blockMessages = blocks.flatMap((block) =>
    diagnosticsOf(block.fileName).map(({ line, text }) => {
      const where =
        line < block.preludeLines
          ? `${block.where} (line ${line + 1} of the ts-fragment declarations above the block)`
          : `${block.file}:${block.firstLine + line - block.preludeLines} (block at ${block.where})`
      return `${where}: ${text}`
    }),
  )
  const typeTestMessages = typeTests.flatMap((file, index) =>
    diagnosticsOf(typeTestNames[index] as string).map(({ line, text }) => `${file}:${line + 1}: ${text}`),
  )
  return { blocks: blockMessages, typeTests: typeTestMessages }
}

// Checked with the others, in the same program: a block that must fail, to prove failures are reported.
const broken: Block = {
  where: 'docs/example.md:10',
  fileName: join(VIRTUAL, 'docs-blocks', 'self-test.mts'),
  text: "declare const prefix: string\nimport { EventRouter } from 'eventrouter'\nnew EventRouter({ adapter: [] })\n",
  preludeLines: 1,
  firstLine: 11,
  file: 'docs/example.md',
}

const blocks = markdownFiles().flatMap((file) => extractBlocks(file, readFileSync(join(root, file), 'utf8')))
const typeTests = typeTestFiles()
/** A type test that must fail, checked with the others, to prove its failure is reported. */
const BROKEN_TYPE_TEST = join('test', '.typecheck', 'self-test.test-d.ts')
const brokenTypeTest = [
  "import { expectTypeOf } from 'vitest'",
  "import type { EventRouter } from '../../src/index.js'",
  "expectTypeOf<EventRouter['emit']>().returns.toEqualTypeOf<string>()",
  '',
].join('\n')
let found: Problems | undefined
/** Builds the program once, at the first test that asks (about 10 s of CPU). */
const checked = () => {
  found ??= problems(
    [...blocks, broken],
    [...typeTests, BROKEN_TYPE_TEST],
    new Map([[BROKEN_TYPE_TEST, brokenTypeTest]]),
  )
  return found
}

describe('type tests (test/**/*.test-d.ts)', () => {
  it('keeps its virtual modules in a directory that is not on disk (its package scope is the repository)', () => {
    expect(existsSync(VIRTUAL)).toBe(false)
  })

  it('finds them', () => {
    expect(typeTests).toContain(join('test', 'router', 'emit.test-d.ts'))
    expect(typeTests.length).toBeGreaterThanOrEqual(5)
  })

  it('every type test typechecks', () => {
    const messages = checked().typeTests.filter((message) => !message.startsWith(`${BROKEN_TYPE_TEST}:`))
    expect(messages, `\n${messages.join('\n')}\n`).toEqual([])
  }, 120_000)

  it('reports a failing expectTypeOf by file and line', () => {
    const messages = checked().typeTests.filter((message) => message.startsWith(`${BROKEN_TYPE_TEST}:`))
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(/^test\/\.typecheck\/self-test\.test-d\.ts:3: TS\d+: /)
  }, 120_000)
})

describe('TypeScript blocks of README.md and docs/', () => {
  const problemsOf = (block: Block) =>
    checked().blocks.filter(
      (message) => message.includes(`(block at ${block.where})`) || message.startsWith(`${block.where} `),
    )

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
