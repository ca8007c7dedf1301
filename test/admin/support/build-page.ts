import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Builds the admin page into src/admin/page-assets.generated.ts (as `npm run build` does), so that
 * the tests serve the page of the sources they run. Import the handler after this resolves.
 */
export async function buildAdminPage(): Promise<void> {
  await run(process.execPath, ['scripts/build-admin-page.mjs'], { timeout: 60_000 })
}
