-- wrk script for the round benchmark: POST a round to each session in turn.
--   wrk -t1 -c64 -d10s -s bench/rounds.lua http://127.0.0.1:8080 -- paths.txt '{"amount":100,"params":{}}'
-- paths.txt holds one request path per line (/play/TOKEN/rounds). done() prints one JSON line with the figures.

local paths = {}
local counter = 0
local body = '{"amount":100,"params":{}}'
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if args[2] then body = args[2] end
  -- spread threads over different sessions
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("POST", paths[counter], headers, body)
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"http_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
