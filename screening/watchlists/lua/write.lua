#!lua flags=allow-cross-slot-keys
-- Write ops, five parts each: op, key, field, id, value.
--   p: put entry `value` for record `id` into the field's entry list (replacing its old one)
--   d: remove record `id`'s entry from the field's entry list (the field goes when empty)
--   s: HSET field value          x: HDEL field
--   q, e: as p and d for compact entries (one code byte, the id, any extras after US:
--         sltd/layout.py)
--   a: add the fixed-width chunk `value` to the field's chunks unless there already
--   r: remove the fixed-width chunk `value` from the field's chunks
-- Puts try HSETNX first: on a fresh version almost every field is new, so that is
-- the only call made for it. Entries are separated by RS (\30), an entry's id from the
-- rest by US (\31).
local RS = '\30'
local function others(cur, id, compact)
  local out = {}
  if cur then
    for item in string.gmatch(cur, '[^\30]+') do
      local rid
      if compact then
        rid = string.match(string.sub(item, 2), '^[^\31]*')  -- the id, before any extras
      else
        rid = string.match(item, '^[^\31]*')
      end
      if rid ~= id then out[#out + 1] = item end
    end
  end
  return out
end
local function chunks_without(cur, value)
  local out, w, found = {}, #value, false
  for j = 1, #cur, w do
    local c = string.sub(cur, j, j + w - 1)
    if c == value then found = true else out[#out + 1] = c end
  end
  return out, found
end
local a = split(ARGV[1])
for i = 1, #a, 5 do
  local op, key, field, id, value = a[i], a[i + 1], a[i + 2], a[i + 3], a[i + 4]
  if op == 's' then
    redis.call('HSET', key, field, value)
  elseif op == 'x' then
    redis.call('HDEL', key, field)
  elseif op == 'p' or op == 'q' then
    if redis.call('HSETNX', key, field, value) == 0 then
      local out = others(redis.call('HGET', key, field), id, op == 'q')
      out[#out + 1] = value
      redis.call('HSET', key, field, table.concat(out, RS))
    end
  elseif op == 'a' then
    if redis.call('HSETNX', key, field, value) == 0 then
      local cur = redis.call('HGET', key, field)
      local _, found = chunks_without(cur, value)
      if not found then redis.call('HSET', key, field, cur .. value) end
    end
  elseif op == 'r' then
    local cur = redis.call('HGET', key, field)
    if cur then
      local out, found = chunks_without(cur, value)
      if #out == 0 then
        redis.call('HDEL', key, field)
      elseif found then
        redis.call('HSET', key, field, table.concat(out))
      end
    end
  else
    local cur = redis.call('HGET', key, field)
    if cur then
      local out = others(cur, id, op == 'e')
      if #out == 0 then
        redis.call('HDEL', key, field)
      else
        redis.call('HSET', key, field, table.concat(out, RS))
      end
    end
  end
end
return #a / 5
