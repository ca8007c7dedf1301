import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/admin/index.js'
import { loyaltyCatalog } from '../../src/catalogs/loyalty/index.js'
import { EventRouter, kyTransport, webhookAdapter } from '../../src/index.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'
import { createAdminHandler, SECRET, testAuthorize } from './support/admin-fixture.js'

// Debian's Chromium, driven by playwright-core: no browser is ever downloaded.
const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
const ci = process.env.CI === 'true'
if (!available && !ci) {
  console.log(`admin browser tests skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`)
}

// Screenshots for docs/admin.md: written when missing, or all of them with UPDATE_SCREENSHOTS=1
// (ports and times differ on every run, so rewriting them each time would only make noise).
const DOCS = join(import.meta.dirname, '../../docs/admin')
const shotPath = (name: string) =>
  process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(join(DOCS, `${name}.png`))
    ? join(DOCS, `${name}.png`)
    : join(tmpdir(), `eventrouter-admin-${name}.png`)

/** Polls `check` until it holds: real I/O, with a generous deadline and no fixed sleep. */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const attribute = (locator: Locator, name: string, value: string) =>
  until(async () => (await locator.getAttribute(name)) === value, `${name}="${value}"`)

/** The id (or text) of the focused element. */
const focused = (page: Page) =>
  page.evaluate(
    'document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? ""',
  )

describe.runIf(available || ci)('the admin page in Chromium', () => {
  let browser: Browser
  let page: Page
  let server: Server
  let receiver: WebhookReceiver
  let router: EventRouter<typeof loyaltyCatalog>
  let base: string
  let down = true
  const problems: string[] = []

  beforeAll(async () => {
    if (!available) throw new Error(`CI=true and ${CHROMIUM} is missing: install Debian's chromium`)
    receiver = await startWebhookReceiver({
      secret: SECRET,
      decide: (request) => (request.path === '/down' && down ? 503 : 200),
    })
    const adapters = [webhookAdapter()]
    router = new EventRouter({
      adapters,
      catalog: loyaltyCatalog,
      transport: kyTransport({ allowedAddresses: ['127.0.0.1'] }),
      retry: { retries: 0 },
    })
    // A second destination, which is down until the dead letter is redelivered.
    router.tenant('acme').integrations.add({
      id: 'legacy',
      name: 'Legacy endpoint',
      type: 'webhook',
      config: { url: `${receiver.origin}/down`, secret: SECRET },
    })
    const handler = createAdminHandler(router, {
      basePath: '/admin',
      adapters,
      catalog: loyaltyCatalog,
      authorize: testAuthorize,
    })
    server = createServer(toNodeListener(handler))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/`
    await mkdir(DOCS, { recursive: true })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      extraHTTPHeaders: { 'x-test-scope': 'acme' },
    })
    page = await context.newPage()
    page.setDefaultTimeout(10_000)
    // A CSP violation, a script error or a failed request would show here.
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
    page.on('console', (message) => {
      // The API's refusals (400, 404...) that the tests ask for are logged by Chromium too.
      const refusal = /status of 4\d\d/.test(message.text()) && message.location().url.includes('/admin/api/')
      if (message.type() === 'error' && !refusal) problems.push(`console: ${message.text()}`)
    })
    await page.goto(`${base}#events`)
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
    server?.closeAllConnections()
    server?.close()
    await router?.close({ timeoutMs: 1000 })
    await receiver?.close()
  })

  it('switches an event type off with its toggle, and on again from the keyboard', async () => {
    const toggle = page.getByRole('switch', { name: 'Wallet Coins Rewarded' })
    await attribute(toggle, 'aria-checked', 'true')
    await page.screenshot({ path: shotPath('events') })
    await toggle.click()
    await attribute(toggle, 'aria-checked', 'false')
    expect(router.tenant('acme').events.isEnabled('wallet.coins_rewarded')).toBe(false)
    await toggle.focus()
    await page.keyboard.press('Space')
    await attribute(toggle, 'aria-checked', 'true')
    expect(router.tenant('acme').events.isEnabled('wallet.coins_rewarded')).toBe(true)
  })

  it("adds an integration with the form built from the adapter's schema; its secret is write-only", async () => {
    await page.getByRole('link', { name: 'Integrations' }).click()
    await page.getByRole('button', { name: 'Add integration' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add integration' })
    await dialog.getByLabel('Type').selectOption('webhook')
    await dialog.getByLabel(/^Id/).fill('crm')
    await dialog.getByLabel(/^Name/).fill('CRM webhook')
    await dialog.getByLabel(/^url/).fill('not a url')
    await dialog.getByLabel(/^secret/).fill(SECRET)
    await dialog.getByRole('button', { name: 'Add integration' }).click()
    // The adapter's own message, by its field (its `code` spans shown as code).
    await dialog.getByText('Expected url to be an absolute http(s) URL').waitFor()
    expect(await dialog.getByLabel(/^url/).getAttribute('aria-invalid')).toBe('true')
    expect(router.tenant('acme').integrations.get('crm')).toBeUndefined()
    await dialog.getByLabel(/^url/).fill(`${receiver.origin}/hooks`)
    await page.screenshot({ path: shotPath('integration-form') })
    await dialog.getByRole('button', { name: 'Add integration' }).click()
    await dialog.waitFor({ state: 'detached' })
    const row = page.getByRole('row', { name: /CRM webhook/ })
    await row.getByText('set', { exact: true }).waitFor()
    expect(
      router.toJSON({ includeSecrets: true }).integrations.find((i) => i.id === 'crm')?.config,
    ).toMatchObject({
      secret: SECRET,
    })
    // Editing shows no secret, only that one is saved; Escape closes and focus goes back.
    const edit = page.getByRole('button', { name: 'Edit CRM webhook' })
    await edit.click()
    const editor = page.getByRole('dialog', { name: 'Integration CRM webhook' })
    expect(await editor.getByLabel(/^secret/).inputValue()).toBe('')
    await editor.getByText('(secret, saved: type a new value to replace it)').waitFor()
    expect(await page.content()).not.toContain(SECRET)
    await page.keyboard.press('Escape')
    await editor.waitFor({ state: 'detached' })
    expect(await focused(page)).toBe('Edit CRM webhook')
    await page.screenshot({ path: shotPath('integrations') })
  })

  it('creates a subscription with a filter and a prefix; the "did you mean" check shows by its row', async () => {
    await page.getByRole('link', { name: 'Send Events' }).click()
    await page.getByRole('button', { name: 'Create' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create subscription' })
    // Focus starts in the dialog, on its first field.
    await dialog.getByLabel('Event', { exact: true }).waitFor()
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('SELECT')
    await dialog.getByLabel('Event', { exact: true }).selectOption('wallet.coins_rewarded')
    await dialog.getByLabel('Integration').selectOption('crm')
    await dialog.getByLabel('Add a prefix to the event name').check()
    await dialog.getByLabel('Prefix', { exact: true }).fill('Loyalty ')
    await dialog.getByRole('button', { name: 'Add condition' }).click()
    await dialog.getByLabel('Field of condition 1').fill('customer.teir')
    await dialog.getByLabel('Value of condition 1').fill('Gold')
    await dialog.getByRole('button', { name: 'Add condition' }).click()
    await dialog.getByLabel('Field of condition 2').fill('coins')
    await dialog.getByLabel('Field of condition 2').press('Tab')
    await dialog.getByLabel('Operator of condition 2').selectOption('gte')
    await dialog.getByLabel('Value of condition 2').fill('100')
    const json = dialog.getByLabel('Filter as JSON')
    expect(JSON.parse(await json.inputValue())).toEqual({ 'customer.teir': 'Gold', coins: { $gte: 100 } })
    await dialog.getByRole('button', { name: 'Create' }).click()
    await dialog.getByText('is not a field of wallet.coins_rewarded; did you mean customer.tier?').waitFor()
    expect(await dialog.getByLabel('Field of condition 1').getAttribute('aria-invalid')).toBe('true')
    await page.screenshot({ path: shotPath('subscription-dialog') })
    expect(router.tenant('acme').subscriptions.list()).toEqual([])
    await dialog.getByRole('button', { name: 'Use customer.tier' }).click()
    expect(JSON.parse(await json.inputValue())).toEqual({ 'customer.tier': 'Gold', coins: { $gte: 100 } })
    await dialog.getByRole('button', { name: 'Create' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByRole('button', { name: 'Edit Wallet Coins Rewarded to CRM webhook' }).waitFor()
    expect(router.tenant('acme').subscriptions.list()).toMatchObject([
      {
        event: 'wallet.coins_rewarded',
        integrationId: 'crm',
        eventNamePrefix: 'Loyalty ',
        filter: { 'customer.tier': 'Gold', coins: { $gte: 100 } },
      },
    ])
  })

  it('delivers an emitted event to the loopback receiver, with its prefix, through the filter', async () => {
    const sample = loyaltyCatalog.get('wallet.coins_rewarded').sample
    const acme = router.tenant('acme')
    acme.emit('wallet.coins_rewarded', { ...sample, coins: 20 })
    const receipt = acme.emit('wallet.coins_rewarded', { ...sample, coins: 150 })
    expect(receipt.deliveries).toHaveLength(1)
    await router.onIdle()
    await until(() => receiver.byDelivery.has(receipt.deliveries[0]?.id ?? ''), 'the delivery')
    const [received] = receiver.byDelivery.get(receipt.deliveries[0]?.id ?? '') ?? []
    expect(received).toMatchObject({
      path: '/hooks',
      signed: true,
      body: { type: 'Loyalty Wallet Coins Rewarded' },
    })
    expect(receiver.requests).toHaveLength(1)
    // Why the other one was not sent, as "Explain an event" says.
    const explain = page.getByRole('region', { name: 'Explain an event' })
    await explain.getByLabel('Event').selectOption('wallet.coins_rewarded')
    await explain.getByLabel('Payload').fill(JSON.stringify({ ...sample, coins: 20 }, null, 2))
    await explain.getByRole('button', { name: 'Explain' }).click()
    await explain.getByText('skipped: filter_not_matched').waitFor()
    await explain.getByText('coins {"$gte":100}, found 20').waitFor()
    await explain.getByRole('button', { name: 'Explain' }).scrollIntoViewIfNeeded()
    await page.screenshot({ path: shotPath('explain') })
  })

  it('sends a test event from the edit dialog and shows the result', async () => {
    await page
      .getByRole('row', { name: /Wallet Coins Rewarded/ })
      .getByText('CRM webhook')
      .click()
    const dialog = page.getByRole('dialog', { name: 'Edit subscription' })
    await dialog.getByRole('button', { name: 'Send test event' }).click()
    await dialog.getByText('Delivered').waitFor()
    await dialog.getByText(/HTTP 200/).waitFor()
    expect(receiver.requests.at(-1)?.headers['webhook-test']).toBe('true')
    await dialog.getByRole('button', { name: 'Send test event' }).scrollIntoViewIfNeeded()
    await page.screenshot({ path: shotPath('test-send') })
  })

  it('edits it: another destination, no prefix, a filter edited as JSON, Update', async () => {
    const dialog = page.getByRole('dialog', { name: 'Edit subscription' })
    await dialog.getByLabel('Integration').selectOption('legacy')
    await dialog.getByLabel('Add a prefix to the event name').uncheck()
    await dialog.getByLabel('Filter as JSON').fill('{ "coins": { "$gte": 50 } }')
    // The rows follow the JSON.
    expect(await dialog.getByLabel('Field of condition 1').inputValue()).toBe('coins')
    expect(await dialog.getByLabel('Field of condition 2').count()).toBe(0)
    await dialog.getByRole('button', { name: 'Update' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByRole('button', { name: 'Edit Wallet Coins Rewarded to Legacy endpoint' }).waitFor()
    expect(router.tenant('acme').subscriptions.list()).toMatchObject([
      { integrationId: 'legacy', eventNamePrefix: null, filter: { coins: { $gte: 50 } } },
    ])
    await page.screenshot({ path: shotPath('send-events') })
  })

  it('redelivers a dead letter with the same delivery id', async () => {
    const sample = loyaltyCatalog.get('wallet.coins_rewarded').sample
    const receipt = router.tenant('acme').emit('wallet.coins_rewarded', { ...sample, coins: 80 })
    await router.onIdle()
    const deliveryId = receipt.deliveries[0]?.id ?? ''
    expect(receiver.byDelivery.get(deliveryId)?.map((request) => request.answer)).toEqual([503])
    await page.getByRole('link', { name: 'Dead letters' }).click()
    const redeliver = page.getByRole('button', { name: 'Redeliver Wallet Coins Rewarded to legacy' })
    await redeliver.waitFor()
    await page.screenshot({ path: shotPath('dead-letters') })
    down = false
    await redeliver.click()
    await page.getByText('No dead letters: everything arrived.').waitFor()
    await router.onIdle()
    await until(() => receiver.byDelivery.get(deliveryId)?.length === 2, 'the redelivery')
    expect(receiver.byDelivery.get(deliveryId)?.map((request) => request.answer)).toEqual([503, 200])
    expect(await router.tenant('acme').deadLetters.list()).toEqual([])
  })

  it('deletes it after a confirmation, which Escape cancels', async () => {
    await page.getByRole('link', { name: 'Send Events' }).click()
    await page.getByRole('button', { name: 'Edit Wallet Coins Rewarded to Legacy endpoint' }).click()
    const dialog = page.getByRole('dialog', { name: 'Edit subscription' })
    await dialog.getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete subscription?' })
    await confirm.waitFor()
    // The safe choice has the focus.
    expect(await focused(page)).toBe('Cancel')
    await page.screenshot({ path: shotPath('delete-confirm') })
    await page.keyboard.press('Escape')
    await confirm.waitFor({ state: 'detached' })
    expect(router.tenant('acme').subscriptions.list()).toHaveLength(1)
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByText('Nothing is sent yet.').waitFor()
    expect(router.tenant('acme').subscriptions.list()).toEqual([])
  })

  it('shows the per-integration stats (or why there are none)', async () => {
    await page.getByRole('link', { name: 'Stats' }).click()
    if (typeof (router as unknown as { stats?: unknown }).stats === 'function') {
      await page.getByRole('table', { name: 'Statistics per integration' }).getByText('legacy').waitFor()
    } else {
      await page.getByText('Statistics are not available').waitFor()
    }
    await page.screenshot({ path: shotPath('stats') })
  })

  it('offers no change to a read-only caller', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'x-test-scope': 'viewer:acme' } })
    const viewer = await context.newPage()
    viewer.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
    await viewer.goto(`${base}#events`)
    await viewer.getByText('read-only').waitFor()
    expect(await viewer.getByRole('switch', { name: 'Wallet Coins Rewarded' }).isDisabled()).toBe(true)
    await viewer.getByRole('link', { name: 'Send Events' }).click()
    expect(await viewer.getByRole('button', { name: 'Create' }).isDisabled()).toBe(true)
    await viewer.getByRole('link', { name: 'Integrations' }).click()
    expect(await viewer.getByRole('button', { name: 'Add integration' }).isDisabled()).toBe(true)
    await context.close()
  })

  it('ran without a script error or a Content-Security-Policy violation', () => {
    expect(problems).toEqual([])
  })
})
