-- wrk script: POST a churn record whose age and balance change per request (cache misses).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("WRK_API_KEY")
if key and #key > 0 then
  wrk.headers["Authorization"] = "Bearer " .. key
end
local template = '{"features": {"age": %d, "tenure_months": 18, "balance": %.2f, "num_products": 2, '
  .. '"credit_score": 640, "estimated_salary": 52000.0, "support_calls": 1, '
  .. '"has_credit_card": true, "is_active_member": false, "country": "Germany", "gender": "Female"}}'
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(template, 18 + (counter % 70), 1000 + counter * 0.37)
  return wrk.format(nil, nil, nil, body)
end
