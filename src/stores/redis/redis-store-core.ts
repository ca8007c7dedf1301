import type { Redis } from 'ioredis'
import type { DeadLetter, ResolvedDeadLetterQuery } from '../../dead-letters/dead-letter.js'
import { matchesQuery } from '../../dead-letters/dead-letter.js'
import type {
  AcceptedEvent,
  ClaimedDeliveries,
  DeliveryRecord,
  IntegrationHealth,
  PendingSummary,
  ProbeClaim,
  StoredConfiguration,
  StoreOperation,
} from '../store.js'
import { encodeOperations, score } from './encode-operations.js'
import { scopedField, tenantField } from './redis-keys.js'
import {
  CLAIM_SCRIPT,
  FAILURES_SCRIPT,
  FAILURES_TTL_MS,
  OWNER_SCRIPT,
  PROBE_SCRIPT,
  SUMMARY_SCRIPT,
  WRITE_SCRIPT,
} from './redis-scripts.js'

/** The scripts, as commands ioredis defines on a connection (EVALSHA, loading them when missing). */
interface ScriptCommands {
  eventrouterWrite(...args: string[]): Promise<number>
  eventrouterClaim(...args: string[]): Promise<string[]>
  eventrouterSummary(prefix: string): Promise<string[]>
  eventrouterOwner(...args: string[]): Promise<number>
  eventrouterProbe(...args: string[]): Promise<number>
  eventrouterFailures(...args: string[]): Promise<number>
}

/** Dead letters are read from their order set in pages of this many. */
const LETTER_PAGE = 500

/**
 * The Redis store's work, asynchronous, on one ioredis connection: what the store's thread runs
 * for each call of the synchronous `RedisStore`. `owner` names this process's claims.
 */
export class RedisStoreCore {
  readonly #redis: Redis & ScriptCommands
  readonly #prefix: string
  readonly #owner: string
  readonly #leaseMs: number

  constructor(redis: Redis, prefix: string, owner: string, leaseMs: number) {
    redis.defineCommand('eventrouterWrite', { numberOfKeys: 0, lua: WRITE_SCRIPT })
    redis.defineCommand('eventrouterClaim', { numberOfKeys: 0, lua: CLAIM_SCRIPT })
    redis.defineCommand('eventrouterSummary', { numberOfKeys: 0, lua: SUMMARY_SCRIPT })
    redis.defineCommand('eventrouterOwner', { numberOfKeys: 0, lua: OWNER_SCRIPT })
    redis.defineCommand('eventrouterProbe', { numberOfKeys: 0, lua: PROBE_SCRIPT })
    redis.defineCommand('eventrouterFailures', { numberOfKeys: 0, lua: FAILURES_SCRIPT })
    this.#redis = redis as Redis & ScriptCommands
    this.#prefix = prefix
    this.#owner = owner
    this.#leaseMs = leaseMs
  }

  /** Registers this owner and takes back the claims of owners whose lease ran out; also the heartbeat. */
  async renewLease(): Promise<number> {
    return this.#redis.eventrouterOwner(this.#prefix, this.#owner, String(this.#leaseMs), '0')
  }

  /** Gives back every claim of this owner and unregisters it (close). */
  async leave(): Promise<number> {
    return this.#redis.eventrouterOwner(this.#prefix, this.#owner, String(this.#leaseMs), '1')
  }

  async write(operations: readonly StoreOperation[]): Promise<void> {
    if (operations.length === 0) return
    const { args, configuration, health } = encodeOperations(operations)
    await this.#redis.eventrouterWrite(
      this.#prefix,
      this.#owner,
      configuration ? '1' : '0',
      health ? '1' : '0',
      ...args,
    )
  }

  /** Claims the probe of integration `key`'s open circuit for `deliveryId`, for `ms` (see `Store.claimProbe`). */
  async claimProbe(key: string, deliveryId: string, ms: number): Promise<ProbeClaim> {
    const duration = String(Math.max(1, Math.ceil(ms)))
    const answer = await this.#redis.eventrouterProbe(this.#prefix, key, deliveryId, duration)
    return answer === 1 ? 'claimed' : answer === 2 ? 'held' : 'lost'
  }

  /** Counts a failure of integration `key` in the fleet, or resets its count (see `Store.countFailures`). */
  async countFailures(key: string, outcome: 'failing' | 'healthy'): Promise<number> {
    return this.#redis.eventrouterFailures(this.#prefix, key, outcome, String(FAILURES_TTL_MS))
  }

  async loadConfiguration(): Promise<StoredConfiguration> {
    const p = this.#prefix
    // One transaction: a snapshot never holds a subscription without the integration written before it.
    const replies = await this.#redis.multi().hvals(`${p}:int`).hvals(`${p}:sub`).hvals(`${p}:off`).exec()
    if (replies === null) throw new Error('the configuration read was aborted')
    const [integrations, subscriptions, off] = replies.map(([error, value]) => {
      if (error) throw error
      return value as string[]
    }) as [string[], string[], string[]]
    return {
      integrations: integrations.map(parse),
      subscriptions: subscriptions.map(parse),
      disabledEvents: off.map(parse),
    } as StoredConfiguration
  }

  async loadHealth(): Promise<IntegrationHealth[]> {
    return (await this.#redis.hvals(`${this.#prefix}:health`)).map(parse) as IntegrationHealth[]
  }

  async pendingSummary(): Promise<PendingSummary[]> {
    const flat = await this.#redis.eventrouterSummary(this.#prefix)
    const summary: PendingSummary[] = []
    for (let index = 0; index < flat.length; index += 4) {
      const next = flat[index + 3] as string
      summary.push({
        queue: flat[index] as string,
        pending: Number(flat[index + 1]),
        unclaimed: Number(flat[index + 2]),
        nextDueAt: next === '' ? null : Number(next),
      })
    }
    return summary
  }

  async claimDue(queue: string, now: number, limit: number): Promise<ClaimedDeliveries> {
    const count = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 2 ** 31 - 1
    const [next, ...records] = await this.#redis.eventrouterClaim(
      this.#prefix,
      this.#owner,
      queue,
      score(now, 'now'),
      String(count),
    )
    return {
      records: records.map(parse) as DeliveryRecord[],
      nextDueAt: next === undefined || next === '' ? null : Number(next),
    }
  }

  async getDeliveries(ids: readonly string[]): Promise<DeliveryRecord[]> {
    if (ids.length === 0) return []
    const found = await this.#redis.hmget(`${this.#prefix}:dlv`, ...ids)
    return found.filter((json): json is string => json !== null).map(parse) as DeliveryRecord[]
  }

  async listDeadLetters(query: ResolvedDeadLetterQuery): Promise<DeadLetter[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY
    if (limit <= 0) return []
    const p = this.#prefix
    if (query.ids !== undefined) {
      // A few ids: read them, order them as the order set does.
      if (query.ids.length === 0) return []
      const ids = [...new Set(query.ids)]
      const [letters, members] = await Promise.all([
        this.#redis.hmget(`${p}:dl`, ...ids),
        this.#redis.hmget(`${p}:dlm`, ...ids),
      ])
      const found: { letter: DeadLetter; at: number; member: string }[] = []
      letters.forEach((json, index) => {
        if (json === null) return
        const letter = parse(json) as DeadLetter
        found.push({ letter, at: Date.parse(letter.deadLetteredAt), member: members[index] ?? '' })
      })
      found.sort((a, b) => a.at - b.at || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
      return found
        .map((item) => item.letter)
        .filter((letter) => matchesQuery(letter, query))
        .slice(0, Number.isFinite(limit) ? limit : undefined)
    }
    const order = query.tenant === undefined ? `${p}:dlz` : `${p}:dlz:${tenantField(query.tenant)}`
    const min = query.since === undefined ? '-inf' : score(query.since, 'since')
    const found: DeadLetter[] = []
    for (let offset = 0; found.length < limit; offset += LETTER_PAGE) {
      const members = await this.#redis.zrangebyscore(order, min, '+inf', 'LIMIT', offset, LETTER_PAGE)
      if (members.length === 0) break
      const letters = await this.#redis.hmget(`${p}:dl`, ...members.map((member) => member.slice(17)))
      for (const json of letters) {
        if (json === null) continue
        const letter = parse(json) as DeadLetter
        if (matchesQuery(letter, query)) found.push(letter)
        if (found.length >= limit) break
      }
      if (members.length < LETTER_PAGE) break
    }
    return found
  }

  async getAcceptedEvent(tenant: string | null, eventId: string): Promise<AcceptedEvent | undefined> {
    const json = await this.#redis.hget(`${this.#prefix}:acc`, scopedField(tenant, eventId))
    return json === null ? undefined : (parse(json) as AcceptedEvent)
  }
}

function parse(json: string): unknown {
  return JSON.parse(json)
}
