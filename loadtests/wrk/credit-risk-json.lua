-- credit-risk (default version, v2) with one applicant in JSON: the small-request, tiny-model case
-- where the protocol and HTTP overheads dominate.
-- Path: MODEL_PATH env (default /v2/models/credit-risk/infer).
package.path = (debug.getinfo(1, "S").source:gsub("^@", ""):match("(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

local body = '{"inputs":[{"name":"features","shape":[1,12],"datatype":"FP32",'
   .. '"data":[22.0,38804.0,14800.0,0.1469,0.6007,4.0,0.0,120.0,3.4,0.34,11.74,36.0]}]}'

common.install("POST", os.getenv("MODEL_PATH") or "/v2/models/credit-risk/infer",
   { ["Content-Type"] = "application/json" }, body)
