#!lua flags=allow-cross-slot-keys
-- Files sightings under their correlation keys and returns, for each, the key's other
-- sightings, in one step per key (two workers filing under one key cannot both miss the
-- pair). A key's sightings are one field of a bucket hash, its records one after the
-- other (sightings.py's Sighting.encode: 6 bytes of time in ms, flags, six strings each
-- after its length). ARGV[1]: the cap on sightings kept per key; ARGV[2]: the filings,
-- each (state.py's _part) its bucket key, field, event id as the record encodes it (a
-- replayed scan is filed once) and record, each after its length in 2 bytes, then
-- three times of 6 bytes: the bucket's TTL in ms, the time (ms) before which the key's
-- sightings are too old to make a pattern with this one (dropped), and the time
-- before which any record of the bucket is past its kind's window (swept, two fields
-- a call: digests never seen again leave without a sweeper of their own).
local cap = tonumber(ARGV[1])
local blob, pos = ARGV[2], 1

local function u48(s, i)
  local b1, b2, b3, b4, b5, b6 = string.byte(s, i, i + 5)
  return ((((b1 * 256 + b2) * 256 + b3) * 256 + b4) * 256 + b5) * 256 + b6
end

local function take()
  local hi, lo = string.byte(blob, pos, pos + 1)
  local n = hi * 256 + lo
  local v = string.sub(blob, pos + 2, pos + 1 + n)
  pos = pos + 2 + n
  return v
end

local function records(v)
  local out, i, n = {}, 1, #v
  while i + 6 <= n do
    local at = u48(v, i)
    local j = i + 7
    local size = string.byte(v, j)
    local event = string.sub(v, j + 1, j + size)
    j = j + 1 + size
    for _ = 1, 5 do j = j + 1 + string.byte(v, j) end
    out[#out + 1] = {string.sub(v, i, j - 1), at, event}
    i = j
  end
  return out
end

local function join(kept)
  local parts = {}
  for k, r in ipairs(kept) do parts[k] = r[1] end
  return table.concat(parts)
end

local out = {}
while pos <= #blob do
  local key, field, event, record = take(), take(), take(), take()
  local ttl, after, stale = u48(blob, pos), u48(blob, pos + 6), u48(blob, pos + 12)
  pos = pos + 18
  local before = redis.call('HGET', key, field)
  local kept, mine = {}, false
  if before then
    for _, r in ipairs(records(before)) do
      if r[3] == event then
        mine = true
        kept[#kept + 1] = r
      elseif r[2] >= after then
        kept[#kept + 1] = r
      end
    end
  end
  if not mine then
    kept[#kept + 1] = {record, u48(record, 1), event}
  end
  if #kept > cap then  -- the oldest go first, never the one being filed
    table.sort(kept, function(x, y) return x[2] < y[2] end)
    local excess, rest = #kept - cap, {}
    for _, r in ipairs(kept) do
      if excess > 0 and r[3] ~= event then excess = excess - 1 else rest[#rest + 1] = r end
    end
    kept = rest
  end
  local value = join(kept)
  if value ~= before then redis.call('HSET', key, field, value) end
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
  local others = {}
  for _, r in ipairs(kept) do
    if r[3] ~= event then others[#others + 1] = r[1] end
  end
  out[#out + 1] = others
  local swept = redis.call('HRANDFIELD', key, 2, 'WITHVALUES')
  for j = 1, #swept, 2 do
    if swept[j] ~= field then
      local live = {}
      local all = records(swept[j + 1])
      for _, r in ipairs(all) do
        if r[2] >= stale then live[#live + 1] = r end
      end
      if #live == 0 then
        redis.call('HDEL', key, swept[j])
      elseif #live < #all then
        redis.call('HSET', key, swept[j], join(live))
      end
    end
  end
end
return out
