// The Lua scripts of RedisCoordinator: each runs as one step on the Redis server (one slot on a cluster).

// Stores `value` only if no newer holder (higher fence) stored before, so a holder whose lock expired
// while it was slow cannot overwrite its successor's token; releases our lock and wakes the waiters.
// The fence counter outlives every result it numbered by FENCE_MARGIN_MS (restarting at 1 under a
// higher-numbered result would refuse every newer one), then expires: no counter kept for ever.
// KEYS: result, lock, fence. ARGV: fence, value, ttl ms, lock id ('' none), channel, name, fence margin ms.
export const PUBLISH = `
local stored = 0
local current = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if current <= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'value', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  local keep = tonumber(ARGV[3]) + tonumber(ARGV[7])
  if redis.call('PTTL', KEYS[3]) < keep then redis.call('PEXPIRE', KEYS[3], keep) end
  stored = 1
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return stored`;

// Reads the published result; if there is none, or it is the one the caller found not fresh (same
// fence), takes the lock with the next fencing number, in the same step.
// KEYS: result, lock, fence. ARGV: lock id, lock ttl ms, fence of the result found stale ('' none; a value
// without a fence counts as found stale, so the caller cannot spin on it), fence margin ms.
// Returns { value | nil, its fence | nil, our fencing number, or 0 if the lock is held, or -1 if not tried }.
export const TRY = `
local found = redis.call('HMGET', KEYS[1], 'value', 'fence')
local value, seen = found[1], found[2] or ''
if value and seen ~= ARGV[3] then return { value, seen, -1 } end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local ours = redis.call('INCR', KEYS[3])
  local keep = math.max(redis.call('PTTL', KEYS[1]), tonumber(ARGV[2])) + tonumber(ARGV[4])
  if redis.call('PTTL', KEYS[3]) < keep then redis.call('PEXPIRE', KEYS[3], keep) end
  return { value, seen, ours }
end
return { value, seen, 0 }`;

/** How long a fence counter outlives the result and lock it numbered: longer than any holder can take. */
export const FENCE_MARGIN_MS = 24 * 3_600_000;

// Releases only our own lock (after its expiry it may be someone else's) and wakes the waiters to compete for it.
// KEYS: lock. ARGV: lock id, channel, name.
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

/** What endLineage publishes in place of a token (the text earlier versions wrote, so a mixed fleet agrees). */
export const ENDED_MARK = '{"expired":true}';
