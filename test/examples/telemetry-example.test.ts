import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

// docs/observability.md sends readers to this example: keep what it prints true to the docs.
describe('examples/telemetry.ts', () => {
  it('exits 0 by itself and prints the span tree of a delivery that succeeds after a retry, with no secret', async () => {
    // execFile rejects on a non-zero exit code, with stdout and stderr in the error.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/telemetry.ts'], {
      timeout: 30_000,
      maxBuffer: 16 * 2 ** 20,
    })

    // The console exporter's spans: the host's, the delivery's, one HTTP client span per attempt.
    expect(stdout).toContain("name: 'POST /orders'")
    expect(stdout).toContain("name: 'deliver wallet.coins_rewarded'")
    expect(stdout.match(/^ {2}name: 'POST',$/gm)).toHaveLength(2)
    expect(stdout).toMatch(/instrumentationScope: \{ name: 'eventrouter', version: '\d+\.\d+\.\d+/)
    // Attributes: ours on the delivery span, the HTTP client semantic conventions on attempts.
    for (const attribute of [
      "'eventrouter.event.name': 'wallet.coins_rewarded'",
      "'eventrouter.integration.id': 'crm'",
      "'eventrouter.integration.type': 'webhook'",
      "'eventrouter.delivery.outcome': 'succeeded'",
      "'eventrouter.delivery.attempts': 2",
      "'eventrouter.attempt.number': 1",
      "'eventrouter.attempt.retry_delay_ms': 100",
      "'http.request.method': 'POST'",
      "'server.address': '127.0.0.1'",
      "'http.response.status_code': 503",
      "'error.type': '503'",
      "'http.response.status_code': 200",
      "'http.request.resend_count': 1",
    ]) {
      expect(stdout).toContain(attribute)
    }
    expect(stdout).toMatch(/'url\.full': 'http:\/\/127\.0\.0\.1:\d+\/hooks\?token=REDACTED'/)
    expect(stdout).not.toContain('tok_live')
    // The metrics, exported once.
    for (const metric of [
      'eventrouter.deliveries',
      'eventrouter.attempts',
      'http.client.request.duration',
      'eventrouter.deliveries.pending',
      'eventrouter.attempts.in_flight',
      'eventrouter.circuit.state',
    ]) {
      expect(
        stdout.match(new RegExp(`^ {4}name: '${metric.replaceAll('.', '\\.')}',$`, 'gm')),
        metric,
      ).toHaveLength(1)
    }
    // The summary: the tree, and the link from the delivery span to the span active at emit().
    expect(stdout).toContain(
      'deliver wallet.coins_rewarded  succeeded, linked to POST /orders (the emitting span)',
    )
    expect(stdout).toMatch(
      /^ {2}POST {2}attempt 1: 503 {2}http:\/\/127\.0\.0\.1:\d+\/hooks\?token=REDACTED$/m,
    )
    expect(stdout).toMatch(
      /^ {2}POST {2}attempt 2: 200 {2}http:\/\/127\.0\.0\.1:\d+\/hooks\?token=REDACTED$/m,
    )
    expect(stdout).toMatch(/^delivery [0-9a-f-]{36}: succeeded after 2 attempt\(s\)$/m)
  })
})
