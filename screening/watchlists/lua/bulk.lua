#!lua flags=allow-cross-slot-keys
-- Bulk loads' merges (write_bulk sends native HSETs and leaves here only the groups
-- that met a field already there or repeat one): groups of new entries for one bucket
-- each, as key, mode, n, then n field/value pairs. When none of the fields exists yet
-- the group is one HSET, after an HMGET when the bucket exists already; otherwise each
-- pair is merged as the write ops q and p do (mode q: SLTD entries, the id after the
-- code byte; mode p: SMV bodies, the id first), or (mode a: id table) the digest put
-- last, or (mode c: a packed index) its 5-byte entries appended unless there already.
-- The script returns the key and field of every id table field that was there already
-- and of every body that replaced one with its id (an id met twice), in order.
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
        if mode == 'q' or mode == 'p' then
          -- Entries by record id: (q) a code byte, the id, then any extras after US;
          -- (p) the id, then the body's other fields after US.
          local skip = mode == 'q' and 2 or 1
          local id, out = string.match(string.sub(value, skip), '^[^\31]*'), {}
          local met = false
          for item in string.gmatch(cur, '[^\30]+') do
            if string.match(string.sub(item, skip), '^[^\31]*') ~= id then
              out[#out + 1] = item
            else
              met = true
            end
          end
          out[#out + 1] = value
          redis.call('HSET', key, field, table.concat(out, RS))
          if met and mode == 'p' then
            repeats[#repeats + 1] = key
            repeats[#repeats + 1] = field
          end
        elseif mode == 'c' then
          local add = {cur}
          for k = 1, #value, 5 do
            local e = string.sub(value, k, k + 4)
            local at, found = 1, false
            while true do
              local s = string.find(cur, e, at, true)
              if not s then break end
              if (s - 1) % 5 == 0 then found = true; break end
              at = s + 1
            end
            if not found then add[#add + 1] = e end
          end
          if #add > 1 then redis.call('HSET', key, field, table.concat(add)) end
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
