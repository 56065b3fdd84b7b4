-- image-classifier with the same image as image-json.lua, sent as a binary tensor (49,152 bytes
-- after a small JSON header), logits asked back as binary. Gateway only: the baseline speaks JSON.
package.path = (debug.getinfo(1, "S").source:gsub("^@", ""):match("(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local ffi = require("ffi")

local n = 3 * 64 * 64
local floats = ffi.new("float[?]", n)
local state = 20261122
for i = 0, n - 1 do
   state = (state * 1103515245 + 12345) % 2147483648
   floats[i] = tonumber(string.format("%.4f", state / 2147483648))
end
assert(ffi.abi("le"), "the binary tensors are little-endian")

local header = '{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32",'
   .. '"parameters":{"binary_data_size":' .. (n * 4) .. '}}],"parameters":{"binary_data_output":true}}'

common.install("POST", os.getenv("MODEL_PATH") or "/v2/models/image-classifier/infer", {
   ["Content-Type"] = "application/octet-stream",
   ["Inference-Header-Content-Length"] = tostring(#header),
}, header .. ffi.string(floats, n * 4))
