/**
 * The Lua scripts a Redis store runs. Redis runs each script alone, so a batch is applied
 * without any other client seeing half of it. Redis does not roll back a script that fails
 * midway, so the write script checks its whole batch before its first write and has no failure
 * point after it (every command it runs takes arguments it has already checked).
 *
 * Every script takes the key prefix as `ARGV[1]`: the store runs on one Redis server (or a
 * primary with replicas, Sentinel), not on a Redis Cluster, whose scripts must declare each key.
 */

/** Shared helpers: releasing a claim, removing a pending delivery or a dead letter. */
const HELPERS = `
local P = ARGV[1]
local function release(id)
  local prev = redis.call('HGET', P .. ':claim', id)
  if prev then
    redis.call('HDEL', P .. ':claim', id)
    redis.call('SREM', P .. ':held:' .. prev, id)
  end
end
local function requeue(id)
  local queue = redis.call('HGET', P .. ':q', id)
  if not queue then return nil end
  redis.call('ZADD', P .. ':due:' .. queue, redis.call('HGET', P .. ':nb', id), redis.call('HGET', P .. ':mem', id))
  return queue
end
local function releaseOwner(owner, queues)
  local held = P .. ':held:' .. owner
  for _, id in ipairs(redis.call('SMEMBERS', held)) do
    if redis.call('HGET', P .. ':claim', id) == owner then
      redis.call('HDEL', P .. ':claim', id)
      local queue = requeue(id)
      if queue then queues[queue] = true end
    end
  end
  redis.call('DEL', held)
  redis.call('SREM', P .. ':owners', owner)
end
local function publishWork(queues)
  local list = {}
  for queue in pairs(queues) do list[#list + 1] = queue end
  if #list > 0 then redis.call('PUBLISH', P .. ':work', cjson.encode(list)) end
  return #list
end
`

/**
 * Applies a batch. `ARGV[2]` is the owner writing, `ARGV[3]` whether the batch changes the
 * configuration (then `P:config` is published), `ARGV[4]` whether it changes integration health
 * (then the `P:health` channel is published, with the owner), then the operations, each as its type and its
 * arguments (see `encodeOperations`). Returns the number of queues announced on `P:work`.
 */
export const WRITE_SCRIPT = `${HELPERS}
local owner = ARGV[2]
local ARITY = { pi = 2, di = 1, ps = 2, ds = 1, pe = 3, pd = 5, dd = 1, pl = 4, dl = 1, ph = 2, dh = 2, pa = 3, pr = 1 }
local i = 5
while i <= #ARGV do
  local arity = ARITY[ARGV[i]]
  if not arity then return redis.error_reply('ERR eventrouter: unknown operation ' .. ARGV[i]) end
  i = i + 1 + arity
end
if i ~= #ARGV + 1 then return redis.error_reply('ERR eventrouter: truncated batch') end

local function deleteDelivery(id)
  local queue = redis.call('HGET', P .. ':q', id)
  if not queue then return end
  redis.call('ZREM', P .. ':due:' .. queue, redis.call('HGET', P .. ':mem', id))
  release(id)
  redis.call('HDEL', P .. ':q', id)
  redis.call('HDEL', P .. ':mem', id)
  redis.call('HDEL', P .. ':nb', id)
  redis.call('HDEL', P .. ':dlv', id)
  if redis.call('HINCRBY', P .. ':qn', queue, -1) <= 0 then redis.call('HDEL', P .. ':qn', queue) end
end
local function deleteLetter(id)
  local member = redis.call('HGET', P .. ':dlm', id)
  if not member then return end
  redis.call('ZREM', P .. ':dlz', member)
  redis.call('ZREM', P .. ':dlz:' .. redis.call('HGET', P .. ':dlt', id), member)
  redis.call('HDEL', P .. ':dl', id)
  redis.call('HDEL', P .. ':dlm', id)
  redis.call('HDEL', P .. ':dlt', id)
end
local function nextMember(id)
  return string.format('%016d', redis.call('INCR', P .. ':seq')) .. '|' .. id
end

local work = {}
i = 5
while i <= #ARGV do
  local op = ARGV[i]
  local a, b, c, d, e = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  if op == 'pi' then redis.call('HSET', P .. ':int', a, b)
  elseif op == 'di' then redis.call('HDEL', P .. ':int', a)
  elseif op == 'ps' then redis.call('HSET', P .. ':sub', a, b)
  elseif op == 'ds' then redis.call('HDEL', P .. ':sub', a)
  elseif op == 'pe' then
    if c == '1' then redis.call('HDEL', P .. ':off', a) else redis.call('HSET', P .. ':off', a, b) end
  elseif op == 'pd' then
    -- a: id, b: queue, c: notBefore, d: record JSON, e: '1' claimed by owner, '0' unclaimed
    local queue = redis.call('HGET', P .. ':q', a)
    if queue and queue ~= b then
      deleteDelivery(a)
      queue = false
    end
    local member
    if queue then
      member = redis.call('HGET', P .. ':mem', a)
    else
      member = nextMember(a)
      redis.call('HSET', P .. ':mem', a, member)
      redis.call('HSET', P .. ':q', a, b)
      redis.call('HINCRBY', P .. ':qn', b, 1)
    end
    redis.call('HSET', P .. ':nb', a, c)
    redis.call('HSET', P .. ':dlv', a, d)
    if e == '1' then
      redis.call('ZREM', P .. ':due:' .. b, member)
      local prev = redis.call('HGET', P .. ':claim', a)
      if prev and prev ~= owner then redis.call('SREM', P .. ':held:' .. prev, a) end
      redis.call('HSET', P .. ':claim', a, owner)
      redis.call('SADD', P .. ':held:' .. owner, a)
    else
      release(a)
      redis.call('ZADD', P .. ':due:' .. b, c, member)
      work[b] = true
    end
  elseif op == 'dd' then deleteDelivery(a)
  elseif op == 'pl' then
    -- a: id, b: letter JSON, c: deadLetteredAt (ms), d: tenant field
    deleteLetter(a)
    local member = nextMember(a)
    redis.call('HSET', P .. ':dl', a, b)
    redis.call('HSET', P .. ':dlm', a, member)
    redis.call('HSET', P .. ':dlt', a, d)
    redis.call('ZADD', P .. ':dlz', c, member)
    redis.call('ZADD', P .. ':dlz:' .. d, c, member)
  elseif op == 'dl' then deleteLetter(a)
  elseif op == 'ph' then redis.call('HSET', P .. ':health', a, b)
  elseif op == 'dh' then
    -- a: health field, b: the integration's key (its failures were about the config that is gone)
    redis.call('HDEL', P .. ':health', a)
    redis.call('DEL', P .. ':failures:' .. b)
  elseif op == 'pa' then
    redis.call('HSET', P .. ':acc', a, b)
    redis.call('ZADD', P .. ':accz', c, a)
  elseif op == 'pr' then
    local old = redis.call('ZRANGEBYSCORE', P .. ':accz', '-inf', '(' .. a)
    for _, field in ipairs(old) do redis.call('HDEL', P .. ':acc', field) end
    redis.call('ZREMRANGEBYSCORE', P .. ':accz', '-inf', '(' .. a)
  end
  i = i + 1 + ARITY[op]
end
if ARGV[3] == '1' then redis.call('PUBLISH', P .. ':config', ARGV[2]) end
if ARGV[4] == '1' then redis.call('PUBLISH', P .. ':health', ARGV[2]) end
return publishWork(work)
`

/**
 * Claims the probe of integration `ARGV[2]`'s open circuit for delivery `ARGV[3]`, for `ARGV[4]`
 * ms (`P:probe:<key>`). Returns 1 when the key was free (now set, expiring), 2 when it already
 * names this delivery, 0 when another delivery holds it.
 */
export const PROBE_SCRIPT = `
local key = ARGV[1] .. ':probe:' .. ARGV[2]
local holder = redis.call('GET', key)
if holder == ARGV[3] then return 2 end
if holder then return 0 end
redis.call('SET', key, ARGV[3], 'PX', ARGV[4])
return 1
`

/**
 * How long a fleet's failure count (`P:failures:<key>`) outlives its last failure, in ms: a count
 * left by a fleet that died (or whose integration was removed while no process held its health)
 * disappears, and a destination that fails once a day does not add up to an open circuit.
 */
export const FAILURES_TTL_MS = 24 * 60 * 60 * 1000

/**
 * Counts the outcome `ARGV[3]` of integration `ARGV[2]` in the fleet (`P:failures:<key>`):
 * `failing` adds one, and keeps the count for `ARGV[4]` ms more, and returns it; `healthy`
 * deletes the count and returns 0.
 */
export const FAILURES_SCRIPT = `
local key = ARGV[1] .. ':failures:' .. ARGV[2]
if ARGV[3] == 'healthy' then
  redis.call('DEL', key)
  return 0
end
local count = redis.call('INCR', key)
redis.call('PEXPIRE', key, ARGV[4])
return count
`

/**
 * Claims up to `ARGV[5]` deliveries of queue `ARGV[3]` due at `ARGV[4]` for owner `ARGV[2]`.
 * Returns the earliest `notBefore` left unclaimed (`''` for none), then the records claimed.
 */
export const CLAIM_SCRIPT = `${HELPERS}
local owner, queue, now, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local due = P .. ':due:' .. queue
local out = { '' }
if limit > 0 then
  local members = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit)
  for _, member in ipairs(members) do
    local id = string.sub(member, 18)
    redis.call('ZREM', due, member)
    redis.call('HSET', P .. ':claim', id, owner)
    redis.call('SADD', P .. ':held:' .. owner, id)
    out[#out + 1] = redis.call('HGET', P .. ':dlv', id)
  end
end
local head = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
if head[2] then out[1] = head[2] end
return out
`

/** For each queue with pending deliveries: the queue, pending, unclaimed, earliest unclaimed `notBefore` (`''`: none). */
export const SUMMARY_SCRIPT = `${HELPERS}
local counts = redis.call('HGETALL', P .. ':qn')
local out = {}
for j = 1, #counts, 2 do
  local due = P .. ':due:' .. counts[j]
  local head = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
  out[#out + 1] = counts[j]
  out[#out + 1] = counts[j + 1]
  out[#out + 1] = tostring(redis.call('ZCARD', due))
  out[#out + 1] = head[2] or ''
end
return out
`

/**
 * Registers owner `ARGV[2]` (heartbeat for `ARGV[3]` ms) and releases the claims of every owner
 * whose heartbeat expired (a process that died); with `ARGV[4]` = '1', releases `ARGV[2]`'s own
 * claims and unregisters it instead (close). Returns how many queues got deliveries back.
 */
export const OWNER_SCRIPT = `${HELPERS}
local owner, leaseMs, leaving = ARGV[2], ARGV[3], ARGV[4] == '1'
local queues = {}
if leaving then
  releaseOwner(owner, queues)
  redis.call('DEL', P .. ':owner:' .. owner)
else
  redis.call('SET', P .. ':owner:' .. owner, '1', 'PX', leaseMs)
  redis.call('SADD', P .. ':owners', owner)
  for _, other in ipairs(redis.call('SMEMBERS', P .. ':owners')) do
    if redis.call('EXISTS', P .. ':owner:' .. other) == 0 then releaseOwner(other, queues) end
  end
end
return publishWork(queues)
`
