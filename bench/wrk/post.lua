-- wrk script: POST the JSON body in $WRK_BODY_FILE with the headers the server needs.
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "r"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("WRK_API_KEY")
if key and #key > 0 then
  wrk.headers["Authorization"] = "Bearer " .. key
end
