-- POST a custody event with a fresh client UUID to one of the detentions listed in IDS_FILE.
-- Env: IDS_FILE (one detention id per line), TOKEN (Bearer), OCCURRED_AT, PATH_TEMPLATE.
local ids, token, occurred = {}, os.getenv("TOKEN"), os.getenv("OCCURRED_AT")
local template = os.getenv("PATH_TEMPLATE") or "/api/v1/detentions/%s/events"
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local counter = 0
local uuid4 = common.uuid4
setup, init = common.setup, common.seed

request = function()
  counter = counter + 1
  local detention = ids[(counter % #ids) + 1]
  local body = string.format(
    '{"id":"%s","type":"rights_notified","occurred_at":"%s","source":"custody_register","details":{}}',
    uuid4(), occurred)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
  return wrk.format("POST", string.format(template, detention), headers, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,"p50_ms":%.2f,"p99_ms":%.2f,"mean_ms":%.2f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
