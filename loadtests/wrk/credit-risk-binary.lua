-- credit-risk with the binary tensor data extension: a JSON header naming the input with
-- binary_data_size 48, then the 12 FP32 features as 48 little-endian bytes, and the output asked
-- back as binary (binary_data_output). Inference-Header-Content-Length gives the JSON length.
package.path = (debug.getinfo(1, "S").source:gsub("^@", ""):match("(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local ffi = require("ffi")

local features = { 22.0, 38804.0, 14800.0, 0.1469, 0.6007, 4.0, 0.0, 120.0, 3.4, 0.34, 11.74, 36.0 }
local floats = ffi.new("float[12]", features)
assert(ffi.abi("le"), "the binary tensors are little-endian")
local binary = ffi.string(floats, 48)

local header = '{"inputs":[{"name":"features","shape":[1,12],"datatype":"FP32",'
   .. '"parameters":{"binary_data_size":48}}],"parameters":{"binary_data_output":true}}'

common.install("POST", os.getenv("MODEL_PATH") or "/v2/models/credit-risk/infer", {
   ["Content-Type"] = "application/octet-stream",
   ["Inference-Header-Content-Length"] = tostring(#header),
}, header .. binary)
