-- Shared by the wrk scripts: the latency report. wrk -t1 is assumed (one Lua state per thread; the
-- counters below live in the thread's state and are read back in done() through thread:get).
--
-- done() prints one machine-readable line that run.sh parses:
--   WRK_RESULT requests=N duration_s=S rps=R p50_us=.. p90_us=.. p99_us=.. max_us=..
--              errors_connect=.. errors_read=.. errors_write=.. errors_timeout=.. non2xx=..
--              [status_2xx=.. status_503=.. status_other=..]
-- non2xx is wrk's own count of responses with a status of 400 or more. The status_* fields appear
-- only when the script counts statuses itself (COUNT_STATUS=1), which makes wrk hand every response
-- to Lua and so costs client CPU: it is meant for the overload scenario, not the throughput runs.

local M = {}

local threads = {}

function M.setup(thread)
   table.insert(threads, thread)
end

-- The optional per-status counter, installed as the global response() only when asked for.
function M.count_statuses()
   status_2xx, status_503, status_other = 0, 0, 0
   return function(status, headers, body)
      if status >= 200 and status < 300 then
         status_2xx = status_2xx + 1
      elseif status == 503 then
         status_503 = status_503 + 1
      else
         status_other = status_other + 1
      end
   end
end

function M.done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   local line = string.format(
      "WRK_RESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d non2xx=%d",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.timeout, e.status)
   local s2, s503, so = 0, 0, 0
   local counted = false
   for _, t in ipairs(threads) do
      local v = t:get("status_2xx")
      if v ~= nil then
         counted = true
         s2 = s2 + v
         s503 = s503 + t:get("status_503")
         so = so + t:get("status_other")
      end
   end
   if counted then
      line = line .. string.format(" status_2xx=%d status_503=%d status_other=%d", s2, s503, so)
   end
   io.write(line .. "\n")
end

-- Installs the hooks in the calling script's globals.
function M.install(method, path, headers, body)
   wrk.method = method
   wrk.path = path
   wrk.body = body
   for k, v in pairs(headers) do
      wrk.headers[k] = v
   end
   setup = M.setup
   done = M.done
   if os.getenv("COUNT_STATUS") == "1" then
      response = M.count_statuses()
   end
end

return M
