-- wrk script for bench/load_bench.py: POSTs the GraphQL request bodies of GRAPHSVC_LOAD_BODIES (one JSON object a
-- line) to /graphql in turn (each wrk thread from its own place; the connections of a thread share its turn), with
-- the bearer token of GRAPHSVC_LOAD_TOKEN if set; at the end prints one JSON line: counts (with the answers that carried GraphQL errors)
-- and latency percentiles in microseconds.
local bodies = {}
for line in io.lines(os.getenv("GRAPHSVC_LOAD_BODIES")) do
  bodies[#bodies + 1] = line
end

wrk.method = "POST"
wrk.path = "/graphql"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("GRAPHSVC_LOAD_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local threads = {}
function setup(thread)
  thread:set("start", #threads * 7919)
  table.insert(threads, thread)
end

local i = 0
function init(args)
  i = (start or 0) % #bodies
end

function request()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end

-- a GraphQL error comes with HTTP 200: count the answers that carry one
gql_errors = 0
function response(status, headers, body)
  if status == 200 and string.find(body, '"errors"', 1, true) then
    gql_errors = gql_errors + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("gql_errors")
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "graphql": %d}, "latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, failed,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
