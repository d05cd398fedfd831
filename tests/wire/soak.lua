-- wrk script for tests/test_soak.py: a fixed mix of downloads, tallied by status.
--
-- SOAK_MIX holds the mix, one request per line: the path, then the
-- request's headers, each "Name: value", separated by tabs. Each connection
-- cycles through the same list.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  requests = {}
  for line in string.gmatch(os.getenv("SOAK_MIX"), "[^\n]+") do
    local path, headers = nil, {}
    for field in string.gmatch(line, "[^\t]+") do
      if path == nil then
        path = field
      else
        local name, value = string.match(field, "^([^:]+): (.*)$")
        headers[name] = value
      end
    end
    table.insert(requests, wrk.format("GET", path, headers))
  end
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  io.write("SOAK statuses")
  for status, count in pairs(totals) do
    io.write(string.format(" %d=%d", status, count))
  end
  io.write("\n")
  local errors = summary.errors
  io.write(string.format("SOAK errors connect=%d read=%d write=%d timeout=%d\n",
    errors.connect, errors.read, errors.write, errors.timeout))
  io.write(string.format("SOAK requests=%d seconds=%.1f\n", summary.requests, summary.duration / 1e6))
end
