-- wrk script for tests/test_soak.py: a fixed mix of downloads, tallied by status.
--
-- Each connection cycles through the same list: whole file, single range,
-- multipart ranges, If-None-Match and If-Modified-Since revalidations
-- (304), an If-Range that no longer matches (200), a generated file, a
-- missing file and a traversal attempt (404). SOAK_ETAG is the file's ETag.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  local file = "/hardening/path/soak.bin"
  local etag = os.getenv("SOAK_ETAG")
  requests = {
    wrk.format("GET", file),
    wrk.format("GET", file, { ["Range"] = "bytes=1000-200000" }),
    wrk.format("GET", file, { ["Range"] = "bytes=0-99,5000-5999,-100" }),
    wrk.format("GET", file, { ["If-None-Match"] = etag }),
    wrk.format("GET", file, { ["If-Modified-Since"] = "Fri, 01 Jan 2100 00:00:00 GMT" }),
    wrk.format("GET", file, { ["Range"] = "bytes=0-99", ["If-Range"] = "\"stale\"" }),
    wrk.format("GET", "/hardening/apath/soak.bin", { ["Range"] = "bytes=-4096" }),
    wrk.format("GET", "/hardening/generated.bin"),
    wrk.format("GET", "/hardening/path/missing.bin"),
    wrk.format("GET", "/hardening/path/..%2f..%2f..%2fetc%2fpasswd"),
  }
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
