-- image-classifier with one 3x64x64 FP32 image as a flat JSON data array (12,288 numbers with four
-- decimals, about 90 KB): the compute-heavy case, same protocol for the gateway and the baseline.
-- The pixels are a fixed pseudo-random sequence in [0, 1) (a linear congruential generator), so
-- every run sends the same bytes.
package.path = (debug.getinfo(1, "S").source:gsub("^@", ""):match("(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

local parts = {}
local state = 20261122
for i = 1, 3 * 64 * 64 do
   state = (state * 1103515245 + 12345) % 2147483648
   parts[i] = string.format("%.4f", state / 2147483648)
end
local body = '{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32","data":['
   .. table.concat(parts, ",") .. ']}]}'

common.install("POST", os.getenv("MODEL_PATH") or "/v2/models/image-classifier/infer",
   { ["Content-Type"] = "application/json" }, body)
