-- wrk: POST a check-in for a different code on every request.
-- args: <codes file> <token> <path>
local codes = {}
local counter = 0
local offset = 0
local token, path

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  for line in io.lines(args[1]) do codes[#codes + 1] = line end
  token = args[2]
  path = args[3]
  offset = (tid or 1) * 100003
end

function request()
  counter = counter + 1
  local code = codes[((offset + counter * 7919) % #codes) + 1]
  return wrk.format("POST", path,
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token},
    '{"code": "' .. code .. '"}')
end
