-- wrk script for bench/run.py: counts every response that is not a 200 (a 302 to the login
-- page means the session was lost: wrk itself would count it as a success) and prints one
-- machine-readable line with the latency percentiles (microseconds) when the run ends.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  last_bad = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local bad, last = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
    local s = t:get("last_bad")
    if s and s ~= 0 then last = s end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"err_connect":%d,"err_read":%d,' ..
    '"err_write":%d,"err_timeout":%d,"err_status":%d,"non200":%d,"last_bad_status":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status, bad, last))
end
