-- wrk script: POST a churn record whose age and balance change per request (cache misses).
-- Every record is new: each wrk thread counts in its own range, and each run in its own
-- (WRK_RUN, set by the bench), so neither a second thread nor a later run repeats a record.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("WRK_API_KEY")
if key and #key > 0 then
  wrk.headers["Authorization"] = "Bearer " .. key
end
local template = '{"features": {"age": %d, "tenure_months": 18, "balance": %.2f, "num_products": 2, '
  .. '"credit_score": 640, "estimated_salary": 52000.0, "support_calls": 1, '
  .. '"has_credit_card": true, "is_active_member": false, "country": "Germany", "gender": "Female"}}'

local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local counter = nil
request = function()
  if counter == nil then -- first call in this thread: `thread_index` is set by now
    local run = tonumber(os.getenv("WRK_RUN") or "0")
    counter = (run * 64 + (thread_index or 0)) * 10000000
  end
  counter = counter + 1
  local body = string.format(template, 18 + (counter % 70), 1000 + counter * 0.37)
  return wrk.format(nil, nil, nil, body)
end
