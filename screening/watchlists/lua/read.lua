#!lua flags=allow-cross-slot-keys,no-writes
-- Reads pairs (key, field) in order; an empty field means GET the key (the version
-- pointer). Returns the values, nil where there is none.
local a = split(ARGV[1])
local out = {}
for i = 1, #a, 2 do
  local key, field = a[i], a[i + 1]
  if field == '' then
    out[#out + 1] = redis.call('GET', key)
  else
    out[#out + 1] = redis.call('HGET', key, field)
  end
end
return out
