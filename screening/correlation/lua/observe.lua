#!lua flags=allow-cross-slot-keys
-- Files sightings under their correlation keys and returns, for each, the key's other
-- sightings, in one step per key (two workers filing under one key cannot both miss the
-- pair). ARGV[1], packed: the cap on sightings kept per key, then per filing five parts:
-- key, event id (the field: a replayed scan is filed once), sighting ("<ms>|<json>"),
-- the key's TTL in ms, and the time (ms) before which its sightings are too old to
-- make a pattern with this one (dropped).
local a = split(ARGV[1])
local cap = tonumber(a[1])
local out = {}
for i = 2, #a, 5 do
  local key, id, value = a[i], a[i + 1], a[i + 2]
  local ttl, after = tonumber(a[i + 3]), tonumber(a[i + 4])
  redis.call('HSETNX', key, id, value)
  if redis.call('HLEN', key) == 1 then  -- the key's first sighting (most are): no others
    redis.call('PEXPIRE', key, ttl)
    out[#out + 1] = {}
  else
    local all = redis.call('HGETALL', key)
    local kept = {}
    for j = 1, #all, 2 do
      local t = tonumber(string.match(all[j + 1], '^(%d+)|'))
      if t == nil or (t < after and all[j] ~= id) then
        redis.call('HDEL', key, all[j])
      else
        kept[#kept + 1] = {all[j], all[j + 1], t}
      end
    end
    if #kept > cap then  -- the oldest go first
      table.sort(kept, function(x, y) return x[3] < y[3] end)
      local excess = #kept - cap
      local rest = {}
      for j, e in ipairs(kept) do
        if j <= excess and e[1] ~= id then redis.call('HDEL', key, e[1]) else rest[#rest + 1] = e end
      end
      kept = rest
    end
    if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
    local others = {}
    for _, e in ipairs(kept) do
      if e[1] ~= id then others[#others + 1] = e[2] end
    end
    out[#out + 1] = others
  end
end
return out
