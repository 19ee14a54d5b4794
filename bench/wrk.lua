-- wrk script for bench/load.py. Modes (VOICEBOX_BENCH_MODE):
--   sign  POST the sign form, each request as a different member: credentials are read
--         from VOICEBOX_BENCH_CREDENTIALS (one "cookie<TAB>csrf token" per line); thread k
--         of n uses lines k, k+n, k+2n...
--   get   GET the path (wrk's URL) with VOICEBOX_BENCH_COOKIE, if set.
-- done() prints one line "BENCHJSON {...}" that load.py parses.

local mode = os.getenv("VOICEBOX_BENCH_MODE") or "get"
local sign_path = os.getenv("VOICEBOX_BENCH_PATH") or "/"
local cookie = os.getenv("VOICEBOX_BENCH_COOKIE")
local credentials = {}
local thread_count = 0

if mode == "sign" then
  for line in io.lines(os.getenv("VOICEBOX_BENCH_CREDENTIALS")) do
    local session, token = line:match("^([^\t]+)\t([^\t]+)$")
    credentials[#credentials + 1] = { session, token }
  end
end

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

function init(args)
  threads = tonumber(args[1]) or 1
  next_index = thread_id
  wrapped = 0
  if cookie then
    wrk.headers["Cookie"] = "session=" .. cookie
  end
end

function request()
  if mode ~= "sign" then
    return wrk.request()
  end
  if next_index > #credentials then
    next_index = thread_id
    wrapped = wrapped + 1
  end
  local member = credentials[next_index]
  next_index = next_index + threads
  return wrk.format("POST", sign_path, {
    ["Cookie"] = "session=" .. member[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. member[2] .. "&display_name=&comment=")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_s": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
