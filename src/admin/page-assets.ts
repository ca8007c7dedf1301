import { PAGE_FILES, PAGE_HTML } from './page-assets.generated.js'

/** One file of the page, ready to serve. */
export interface PageFile {
  readonly contentType: string
  readonly bytes: Uint8Array<ArrayBuffer>
}

/** The page: its HTML, and its script and stylesheet by file name (names carry a content hash). */
export interface PageAssets {
  readonly html: Uint8Array<ArrayBuffer>
  readonly files: ReadonlyMap<string, PageFile>
}

let assets: PageAssets | undefined

/**
 * The page built by scripts/build-admin-page.mjs, decoded once. It is kept as base64 text in a
 * generated module, so that every runtime (Node, Deno, Bun, workers) serves it from memory and no
 * file is read at run time.
 */
export function pageAssets(): PageAssets {
  assets ??= {
    html: decode(PAGE_HTML),
    files: new Map(
      PAGE_FILES.map((file) => [file.name, { contentType: file.contentType, bytes: decode(file.base64) }]),
    ),
  }
  return assets
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return bytes
}
