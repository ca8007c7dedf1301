import type { LookupAddress } from 'node:dns'
import { once } from 'node:events'
import { Agent, get as httpGet, type IncomingMessage } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { BlockedDestinationError } from '../../src/errors/blocked-destination-error.js'
import { createNetworkGuard } from '../../src/transport/network-guard.js'
import { dnsAnswers, lookedUp } from './fake-dns.js'
import { loopbackOnly } from './loopback-only.js'
import { startTestServer, type TestServer } from './transport-contract.js'

vi.mock('node:dns', async (importOriginal) => (await import('./fake-dns.js')).fakeDns(await importOriginal()))

/** Calls guard.lookup as net.connect does, and reports what it answered. */
function lookUp(
  guard: ReturnType<typeof createNetworkGuard>,
  hostname: string,
  all: boolean,
): Promise<{ error: Error | null; address: string | LookupAddress[]; family: number | undefined }> {
  return new Promise((resolve) => {
    guard.lookup(hostname, { all }, (error, address, family) => resolve({ error, address, family }))
  })
}

afterEach(() => {
  dnsAnswers.clear()
  lookedUp.length = 0
})

describe('createNetworkGuard', () => {
  describe('lookup', () => {
    const answer = [
      { address: '2606:4700:4700::1111', family: 6 },
      { address: '93.184.215.14', family: 4 },
    ]

    it('hands every checked address over when net.connect asks for all of them', async () => {
      dnsAnswers.set('crm.test', answer)

      expect(await lookUp(createNetworkGuard(), 'crm.test', true)).toEqual({
        error: null,
        address: answer,
        family: undefined,
      })
    })

    it('hands the first checked address over when net.connect asks for one, yet checks them all', async () => {
      dnsAnswers.set('crm.test', answer)
      dnsAnswers.set('mixed.test', [...answer, { address: '10.0.0.1', family: 4 }])
      const guard = createNetworkGuard()

      expect(await lookUp(guard, 'crm.test', false)).toEqual({
        error: null,
        address: '2606:4700:4700::1111',
        family: 6,
      })
      const { error } = await lookUp(guard, 'mixed.test', false)
      expect(error).toBeInstanceOf(BlockedDestinationError)
      expect(error).toMatchObject({ host: 'mixed.test', address: '10.0.0.1', range: 'private' })
    })

    it('passes a resolution failure on unchanged', async () => {
      const { error } = await lookUp(createNetworkGuard(), 'nowhere.invalid', true)

      expect(error).toMatchObject({ code: 'ENOTFOUND' })
      expect(error).not.toBeInstanceOf(BlockedDestinationError)
    })

    it('resolves with no check at all under allowPrivateNetworks', async () => {
      dnsAnswers.set('lan.test', [{ address: '192.168.1.20', family: 4 }])

      const { error, address } = await lookUp(
        createNetworkGuard({ allowPrivateNetworks: true }),
        'lan.test',
        true,
      )

      expect(error).toBeNull()
      expect(address).toEqual([{ address: '192.168.1.20', family: 4 }])
    })
  })

  describe('check and checkUrl', () => {
    const guard = createNetworkGuard({ allowedAddresses: ['10.20.0.0/16', 'fd00:1::/32'] })

    it.each([
      ['crm.test', '93.184.215.14'],
      ['crm.test', '10.20.3.4'],
      ['crm.test', 'fd00:1::5'],
    ])('lets %s at %s through', (host, address) => {
      expect(guard.check(host, address)).toBeUndefined()
    })

    it.each([
      ['crm.test', '10.21.0.1', 'private'],
      ['crm.test', 'fd00:2::5', 'unique-local'],
      ['crm.test', 'not-an-ip', 'reserved'], // fails closed
    ])('refuses %s at %s (%s)', (host, address, range) => {
      expect(guard.check(host, address)).toMatchObject({ host, address, range })
    })

    it.each([
      ['http://2130706433:8080/hooks', '127.0.0.1'],
      ['https://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
      ['http://0300.0250.1.1/', '192.168.1.1'],
    ])('checkUrl refuses the IP literal of %s (%s)', (url, address) => {
      expect(guard.checkUrl(url)).toMatchObject({ host: address, address })
    })

    it.each(['https://crm.test/hooks', 'https://10.20.0.9/hooks', 'not a url'])(
      'checkUrl lets %s through',
      (url) => {
        expect(guard.checkUrl(url)).toBeUndefined()
      },
    )
  })

  describe('in a custom transport: node:http with the guard’s lookup', () => {
    let server: TestServer
    let net: ReturnType<typeof loopbackOnly>
    beforeAll(async () => {
      server = await startTestServer()
      net = loopbackOnly()
    })
    afterAll(async () => {
      net.restore()
      await server.close()
    })

    const request = (url: string, agent: Agent) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        httpGet(url, { agent }, resolve).on('error', reject)
      })

    it('reaches an allowed address and refuses a blocked one', async () => {
      dnsAnswers.set('crm.test', [{ address: '127.0.0.1', family: 4 }])
      dnsAnswers.set('metadata.test', [{ address: '169.254.169.254', family: 4 }])
      const guard = createNetworkGuard({ allowedAddresses: ['127.0.0.1'] })
      const agent = new Agent({ lookup: guard.lookup })
      const route = server.route((_request, response) => response.end('reached'))

      const response = await request(route.url.replace('127.0.0.1', 'crm.test'), agent)
      response.resume()
      await once(response, 'end')

      expect(response.statusCode).toBe(200)
      expect(route.requests).toHaveLength(1)
      await expect(request('http://metadata.test/latest/meta-data/', agent)).rejects.toBeInstanceOf(
        BlockedDestinationError,
      )
      agent.destroy()
    })
  })
})
