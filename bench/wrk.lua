-- wrk script for bench/load.py. Modes (VOICEBOX_BENCH_MODE):
--   sign  POST the sign form, each request as a different member: credentials are read
--         from VOICEBOX_BENCH_CREDENTIALS (one "cookie<TAB>csrf token" per line); thread k
--         of n uses lines k, k+n, k+2n...
--   journey  a member's whole path, one member after another from the same credentials:
--         GET the petition page (VOICEBOX_BENCH_PAGE), POST the sign form, GET the page
--         again with the one-minute thanks cookie signing sets; three requests a signature.
--   get   GET the path (wrk's URL) with VOICEBOX_BENCH_COOKIE, if set.
-- done() prints one line "BENCHJSON {...}" that load.py parses.

local mode = os.getenv("VOICEBOX_BENCH_MODE") or "get"
local sign_path = os.getenv("VOICEBOX_BENCH_PATH") or "/"
local page_path = os.getenv("VOICEBOX_BENCH_PAGE") or "/"
local cookie = os.getenv("VOICEBOX_BENCH_COOKIE")
local credentials = {}
local thread_count = 0

if mode == "sign" or mode == "journey" then
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
  step = 0
  if cookie then
    wrk.headers["Cookie"] = "session=" .. cookie
  end
end

local function next_member()
  if next_index > #credentials then
    next_index = thread_id
    wrapped = wrapped + 1
  end
  local member = credentials[next_index]
  next_index = next_index + threads
  return member
end

local function sign_request(member)
  return wrk.format("POST", sign_path, {
    ["Cookie"] = "session=" .. member[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. member[2] .. "&display_name=&comment=")
end

function request()
  if mode == "sign" then
    return sign_request(next_member())
  end
  if mode ~= "journey" then
    return wrk.request()
  end
  step = step % 3
  if step == 0 then
    walker = next_member()
  end
  step = step + 1
  if step == 1 then
    return wrk.format("GET", page_path, { ["Cookie"] = "session=" .. walker[1] })
  elseif step == 2 then
    return sign_request(walker)
  end
  return wrk.format("GET", page_path, { ["Cookie"] = "session=" .. walker[1] .. "; voicebox_thanks=1" })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_s": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
