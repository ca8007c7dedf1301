/**
 * The names of everything a Redis store keeps under its `prefix`. One place, so that the Lua
 * scripts, the store and the tests agree on the layout:
 *
 * | key                   | type | holds                                                        |
 * |-----------------------|------|--------------------------------------------------------------|
 * | `P:int`, `P:sub`      | hash | integrations, subscriptions by tenant and id (JSON)           |
 * | `P:off`               | hash | event types switched off, by tenant and name (JSON)           |
 * | `P:dlv`               | hash | pending delivery records by id (JSON)                         |
 * | `P:q`, `P:mem`, `P:nb`| hash | each pending delivery's queue, due-set member, `notBefore`    |
 * | `P:qn`                | hash | pending deliveries per queue (claimed or not)                |
 * | `P:due:<queue>`       | zset | the unclaimed deliveries of a queue, by `notBefore`, then seq |
 * | `P:claim`             | hash | claimed delivery id → the owner (process) holding it          |
 * | `P:held:<owner>`      | set  | the ids an owner holds                                        |
 * | `P:owners`            | set  | owners that may hold claims                                   |
 * | `P:owner:<owner>`     | str  | an owner's heartbeat, expiring after the lease                |
 * | `P:dl`, `P:dlm`, `P:dlt` | hash | dead letters (JSON), their order member, their tenant key  |
 * | `P:dlz`, `P:dlz:<tenant>` | zset | dead letters by `deadLetteredAt`, then write order       |
 * | `P:health`            | hash | integration health by tenant and integration id (JSON)       |
 * | `P:acc`, `P:accz`     | hash, zset | accepted events by tenant and event id, by `acceptedAt` |
 * | `P:seq`               | str  | the write-order counter                                      |
 * | `P:pause:<key>`       | str  | an integration's fleet-wide pause, expiring with it          |
 * | `P:probe:<key>`       | str  | the delivery holding an open circuit's one probe, expiring after the cool-down |
 * | `P:failures:<key>`    | str  | an integration's consecutive failures in the fleet (`Store.countFailures`), expiring a day after the last; deleted with its health |
 * | `P:rate:<s>:<n>:<key>`| str  | an integration's starts in its current window of `s` seconds, limit `n` (rate-limiter-flexible) |
 * | `semaphore:P:slots:<key>` | zset | an integration's attempts in flight in the fleet, by start time (redis-semaphore, which adds `semaphore:` in front); expires with its last slot |
 * | `P:work`              | channel | published when a queue gets deliveries to claim           |
 * | `P:config`            | channel | published when the configuration changes                  |
 * | `P:health`            | channel | published when integration health changes (same name as the hash; channels and keys do not meet) |
 */
export const KEY_SUFFIXES = [
  'int',
  'sub',
  'off',
  'dlv',
  'q',
  'mem',
  'nb',
  'qn',
  'claim',
  'owners',
  'dl',
  'dlm',
  'dlt',
  'dlz',
  'health',
  'acc',
  'accz',
  'seq',
] as const

/**
 * The key of a record kept by tenant and name: JSON keeps the tenant `null` apart from every
 * string, `''` and `'null'` included; NUL cannot occur in a JSON text.
 */
export function scopedField(tenant: string | null, name: string): string {
  return `${JSON.stringify(tenant)}\u0000${name}`
}

/** How a dead letter's tenant names its own order set (`P:dlz:<tenant>`). */
export function tenantField(tenant: string | null): string {
  return JSON.stringify(tenant)
}

/** The pub/sub channel on which a store announces queues that got deliveries to claim. */
export function workChannel(prefix: string): string {
  return `${prefix}:work`
}

/** The pub/sub channel on which a store announces that the configuration changed. */
export function configChannel(prefix: string): string {
  return `${prefix}:config`
}

/** The pub/sub channel on which a store announces that integration health changed (owner id as message). */
export function healthChannel(prefix: string): string {
  return `${prefix}:health`
}

/** The key naming the delivery that holds the probe of an integration's open circuit, fleet-wide. */
export function probeKey(prefix: string, key: string): string {
  return `${prefix}:probe:${key}`
}

/** The key of an integration's consecutive failures, counted by the whole fleet (`Store.countFailures`). */
export function failuresKey(prefix: string, key: string): string {
  return `${prefix}:failures:${key}`
}

/** The key of an integration's fleet-wide pause (`key`: tenant and integration id, as the router names them). */
export function pauseKey(prefix: string, key: string): string {
  return `${prefix}:pause:${key}`
}

/** The prefix of the window keys of the integrations limited to `points` starts per `seconds`. */
export function rateKeyPrefix(prefix: string, seconds: number, points: number): string {
  return `${prefix}:rate:${seconds}:${points}`
}

/**
 * The name of the semaphore of an integration's attempts in flight, as given to redis-semaphore
 * (which keeps it under `semaphore:<name>`).
 */
export function slotsKey(prefix: string, key: string): string {
  return `${prefix}:slots:${key}`
}
