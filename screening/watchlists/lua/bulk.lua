#!lua flags=allow-cross-slot-keys
-- Bulk loads' merges (write_bulk sends native HSETs and leaves here only the groups
-- that met a field already there or repeat one): groups of new entries for one bucket
-- each, as key, mode, n, then n field/value pairs. When none of the fields exists yet
-- the group is one HSET, after an HMGET when the bucket exists already; otherwise each
-- pair is merged as the write op q does (mode q: compact entries, the id after the code
-- byte), or (mode a: id table) the digest put last; the script returns the key and field
-- of every id table field that was there already (an id met twice), in order.
local RS = '\30'
local a = split(ARGV[1])
local i, repeats = 1, {}
while i <= #a do
  local key, mode, n = a[i], a[i + 1], tonumber(a[i + 2])
  local first, last = i + 3, i + 2 + 2 * n
  local fields, seen, clean = {}, {}, true
  for j = first, last, 2 do
    local f = a[j]
    if seen[f] then clean = false end
    seen[f] = true
    fields[#fields + 1] = f
  end
  if clean and redis.call('EXISTS', key) == 1 then
    local cur = redis.call('HMGET', key, unpack(fields))
    for j = 1, n do
      if cur[j] then clean = false; break end
    end
  end
  if clean then
    redis.call('HSET', key, unpack(a, first, last))
  else
    for j = first, last, 2 do
      local field, value = a[j], a[j + 1]
      if redis.call('HSETNX', key, field, value) == 0 then
        local cur = redis.call('HGET', key, field)
        if mode == 'q' then
          -- Compact entries: a code byte, the id, then any extras after US.
          local id, out = string.match(string.sub(value, 2), '^[^\31]*'), {}
          for item in string.gmatch(cur, '[^\30]+') do
            if string.match(string.sub(item, 2), '^[^\31]*') ~= id then out[#out + 1] = item end
          end
          out[#out + 1] = value
          redis.call('HSET', key, field, table.concat(out, RS))
        else
          -- The id was met before in this load: the digest goes (or moves) last, the
          -- later record's, and the field is reported for the loader to settle.
          local out, w = {}, #value
          for k = 1, #cur, w do
            local d = string.sub(cur, k, k + w - 1)
            if d ~= value then out[#out + 1] = d end
          end
          out[#out + 1] = value
          redis.call('HSET', key, field, table.concat(out))
          repeats[#repeats + 1] = key
          repeats[#repeats + 1] = field
        end
      end
    end
  end
  i = last + 1
end
return repeats
