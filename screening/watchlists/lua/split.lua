-- The prelude of every script here (batch.py puts it after a script's first line, its
-- flags): the arguments arrive packed in ARGV[1], NUL-separated, and split() unpacks them.
local function split(s)
  local out, pos = {}, 1
  while true do
    local i = string.find(s, '\0', pos, true)
    if not i then out[#out + 1] = string.sub(s, pos); return out end
    out[#out + 1] = string.sub(s, pos, i - 1)
    pos = i + 1
  end
end
