import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

// The examples are documentation that runs: keep them working.
describe('examples', () => {
  it('the demo exits 0 by itself and prints the delivery table', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], {
      timeout: 30_000,
    })
    expect(stdout).toMatch(/event\s+subscription\s+attempts\s+outcome\s+ms/)
    expect(stdout).toContain('Loyalty Wallet Coins Rewarded')
    expect(stdout).toMatch(/big-rewards\s+skipped \(filter_not_matched: coins \{"\$gte":100\}, found 20\)/)
    expect(stdout).toContain('"name": "Loyalty Wallet Coins Rewarded"')
    expect(stdout).toMatch(/klaviyo-loyalty\s+1\s+delivered \(202\)/)
    expect(stdout).toMatch(/\d+ delivered, \d+ failed/)
    // The restart: the second process found the configuration and the pending delivery in the file.
    expect(stdout).toMatch(
      /the new process loaded 3 integrations and 3 subscriptions from .*eventrouter\.db, with 1 delivery pending/,
    )
    expect(stdout).toMatch(
      /resumed [0-9a-f-]{36} \(Loyalty Wallet Coins Rewarded -> klaviyo\): succeeded after 2 attempts across both processes, same delivery id as before the restart/,
    )
    expect(stdout).toMatch(
      /Dead letter [0-9a-f-]{36}: Coupon Is Created -> analytics, retries_exhausted after 6 attempt\(s\) \[401, 401, 401, 401, 401, 401\]/,
    )
  })

  it('the custom adapter example passes the conformance suite and delivers', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/custom-adapter.ts'], {
      timeout: 30_000,
    })
    expect(stdout).not.toContain('FAIL')
    expect(stdout).toContain('delivery: succeeded after 1 attempt(s)')
  })
})
