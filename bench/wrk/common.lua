-- What every wrk script here shares: thread bookkeeping, per-thread seeding, random UUIDs.
-- Loaded with: local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local common = {threads = {}}

-- wrk's setup(thread): number each thread and keep it, so done() can read its state back.
function common.setup(thread)
  thread:set("tid", #common.threads + 1)
  common.threads[#common.threads + 1] = thread
end

-- In init(): a seed of its own per thread, so two threads never draw the same UUIDs.
function common.seed()
  math.randomseed(os.time() * 1000 + tid)
end

-- A random (version 4) UUID.
function common.uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    return string.format("%x", (c == "x") and math.random(0, 15) or math.random(8, 11))
  end))
end

return common
