-- Mixed writes, each with a fresh client UUID (so every 2xx is exactly one new row):
-- new detentions (share DETENTION_SHARE, default 0.3) and rights_notified events on the
-- detentions listed in IDS_FILE. Each sent id stays pending until a 2xx body names it, which
-- tells the kind. done() writes ACK_FILE ("acked|pending det|ev <id>" lines: pending = no 2xx,
-- e.g. still in flight when wrk stopped) and prints one JSON summary line.
-- Env: IDS_FILE, TOKEN (Bearer), FACILITY_ID, ARRESTED_AT, OCCURRED_AT, DETENTION_SHARE, ACK_FILE.
local ids, token, facility = {}, os.getenv("TOKEN"), os.getenv("FACILITY_ID")
local arrested, occurred = os.getenv("ARRESTED_AT"), os.getenv("OCCURRED_AT")
local share = tonumber(os.getenv("DETENTION_SHARE") or "0.3")
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
local threads, uuid4 = common.threads, common.uuid4
pending, acked = {}, {}  -- globals, per thread state, read back with thread:get in done()
local names = {"s2xx", "s3xx", "s4xx", "s5xx", "det_201", "det_200", "ev_201", "ev_200"}
setup = common.setup

function init(args)
  common.seed()
  for _, name in ipairs(names) do _G[name] = 0 end
end

request = function()
  local id = uuid4()
  if math.random() < share then
    pending[id] = "det"
    local body = string.format(
      '{"id":"%s","person":{"name":"Load %s"},"facility_id":"%s","arrested_at":"%s","arresting_authority":"police"}',
      id, id:sub(1, 8), facility, arrested)
    return wrk.format("POST", "/api/v1/detentions", headers, body)
  end
  pending[id] = "ev"
  local body = string.format(
    '{"id":"%s","type":"rights_notified","occurred_at":"%s","source":"custody_register","details":{}}',
    id, occurred)
  return wrk.format("POST", string.format("/api/v1/detentions/%s/events", ids[math.random(#ids)]), headers, body)
end

response = function(status, hdrs, body)
  local class = "s" .. math.floor(status / 100) .. "xx"
  if _G[class] ~= nil then _G[class] = _G[class] + 1 end
  if (status == 200 or status == 201) and body then
    for id in body:gmatch('"(%x+%-%x+%-%x+%-%x+%-%x+)"') do
      local kind = pending[id]
      if kind then
        pending[id] = nil
        acked[#acked + 1] = kind .. " " .. id
        _G[kind .. "_" .. status] = _G[kind .. "_" .. status] + 1
        break
      end
    end
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, name in ipairs(names) do
    totals[name] = 0
    for _, thread in ipairs(threads) do totals[name] = totals[name] + (thread:get(name) or 0) end
  end
  local out = assert(io.open(os.getenv("ACK_FILE"), "w"))
  for _, thread in ipairs(threads) do
    for _, line in ipairs(thread:get("acked")) do out:write("acked ", line, "\n") end
    for id, kind in pairs(thread:get("pending")) do out:write("pending ", kind, " ", id, "\n") end
  end
  out:close()
  local counts = {}
  for _, name in ipairs(names) do counts[#counts + 1] = string.format('"%s":%d', name, totals[name]) end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,"timeouts":%d,"p50_ms":%.2f,"p99_ms":%.2f,"mean_ms":%.2f,%s}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, table.concat(counts, ",")))
end
