#!/usr/bin/env python3
"""An independent gRPC client of the Open Inference Protocol, for GrpcConformanceTests.

Generates stubs from the gateway's proto with grpc_tools (Debian: python3-grpc-tools), calls every rpc
of inference.GRPCInferenceService with grpcio (python3-grpcio) against a gateway serving
tests/fixtures/unseen-repo, and compares outputs with the numpy values in unseen-repo-expected.json.
Prints one line per failed check and exits 1 if any failed.

usage: grpc_conformance.py HOST:PORT PROTO EXPECTED_JSON
"""
import json
import os
import sys
import tempfile

import grpc
import numpy as np
from grpc_tools import protoc

NUMPY = {
    "BOOL": np.bool_, "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32, "UINT64": np.uint64,
    "INT8": np.int8, "INT16": np.int16, "INT32": np.int32, "INT64": np.int64,
    "FP16": np.float16, "FP32": np.float32, "FP64": np.float64,
}
TYPED_FIELD = {
    "BOOL": "bool_contents", "UINT8": "uint_contents", "UINT16": "uint_contents", "UINT32": "uint_contents",
    "UINT64": "uint64_contents", "INT8": "int_contents", "INT16": "int_contents", "INT32": "int_contents",
    "INT64": "int64_contents", "FP32": "fp32_contents", "FP64": "fp64_contents",
}

failures = []
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)


def load_stubs(proto):
    out = tempfile.mkdtemp(prefix="oip-stubs-")
    folder, name = os.path.split(os.path.abspath(proto))
    code = protoc.main(["protoc", f"-I{folder}", f"--python_out={out}", f"--grpc_python_out={out}", name])
    if code != 0:
        sys.exit(f"protoc failed with {code}")
    sys.path.insert(0, out)
    module = os.path.splitext(name)[0]
    return __import__(module + "_pb2"), __import__(module + "_pb2_grpc")


def tensor_array(tensor):
    return np.array(tensor["data"], dtype=NUMPY[tensor["datatype"]]).reshape(tensor["shape"])


def infer_request(pb, model, case, raw, version=""):
    request = pb.ModelInferRequest(model_name=model, model_version=version, id=f"{model}-{'raw' if raw else 'typed'}")
    for tensor in case["inputs"]:
        entry = request.inputs.add(name=tensor["name"], datatype=tensor["datatype"], shape=tensor["shape"])
        values = tensor_array(tensor)
        if raw:
            request.raw_input_contents.append(values.tobytes())
        else:
            getattr(entry.contents, TYPED_FIELD[tensor["datatype"]]).extend(values.flatten().tolist())
    return request


def output_arrays(response):
    arrays = {}
    for i, output in enumerate(response.outputs):
        dtype = NUMPY[output.datatype]
        if response.raw_output_contents:
            values = np.frombuffer(response.raw_output_contents[i], dtype=dtype)
        else:
            values = np.array(list(getattr(output.contents, TYPED_FIELD[output.datatype])), dtype=dtype)
        arrays[output.name] = values.reshape(list(output.shape))
    return arrays


def compare(label, response, case, names=None):
    got = output_arrays(response)
    expected = [t for t in case["outputs"] if names is None or t["name"] in names]
    check(sorted(got) == sorted(t["name"] for t in expected), f"{label}: outputs {sorted(got)}")
    for tensor in expected:
        if tensor["name"] not in got:
            continue
        want = tensor_array(tensor)
        have = got[tensor["name"]]
        check(list(have.shape) == tensor["shape"], f"{label}: {tensor['name']} shape {list(have.shape)}")
        if want.dtype.kind == "f":
            ok = have.shape == want.shape and np.allclose(have.astype(np.float64), want.astype(np.float64), rtol=1e-3, atol=1e-5)
        else:
            ok = have.shape == want.shape and np.array_equal(have, want)
        check(ok, f"{label}: {tensor['name']} = {have.tolist()}, numpy says {want.tolist()}")


def expect_error(label, call, code):
    try:
        call()
    except grpc.RpcError as error:
        check(error.code() == code, f"{label}: status {error.code()} ({error.details()}), expected {code}")
        check(bool(error.details()), f"{label}: no message")
        return
    check(False, f"{label}: succeeded, expected {code}")


def main():
    address, proto, expected_path = sys.argv[1:4]
    pb, rpc = load_stubs(proto)
    with open(expected_path) as f:
        expected = json.load(f)
    channel = grpc.insecure_channel(address)
    stub = rpc.GRPCInferenceServiceStub(channel)

    check(stub.ServerLive(pb.ServerLiveRequest()).live, "ServerLive is not live")
    stub.ServerReady(pb.ServerReadyRequest())
    metadata = stub.ServerMetadata(pb.ServerMetadataRequest())
    check(metadata.name != "" and metadata.version != "", f"ServerMetadata: {metadata}")

    for model, case in expected.items():
        if not isinstance(case, dict):
            continue
        version = str(case["version"])
        meta = stub.ModelMetadata(pb.ModelMetadataRequest(name=model))
        check(meta.name == model, f"{model}: metadata name {meta.name}")
        check(version in meta.versions, f"{model}: metadata versions {list(meta.versions)}")
        declared = {t.name: t.datatype for t in meta.inputs}
        check(declared == {t["name"]: t["datatype"] for t in case["inputs"]}, f"{model}: metadata inputs {declared}")
        check({t.name for t in meta.outputs} == {t["name"] for t in case["outputs"]}, f"{model}: metadata outputs")
        check(stub.ModelReady(pb.ModelReadyRequest(name=model)).ready, f"{model}: not ready")
        check(stub.ModelReady(pb.ModelReadyRequest(name=model, version=version)).ready, f"{model}: version {version} not ready")

        response = stub.ModelInfer(infer_request(pb, model, case, raw=True))
        check(response.model_name == model and response.model_version == version,
              f"{model}: answered by {response.model_name} {response.model_version}")
        check(response.id == f"{model}-raw", f"{model}: id {response.id}")
        compare(f"{model} raw", response, case)

        if all(t["datatype"] in TYPED_FIELD for t in case["inputs"]):
            response = stub.ModelInfer(infer_request(pb, model, case, raw=False, version=version))
            check(not response.raw_output_contents, f"{model}: typed request answered raw")
            compare(f"{model} typed", response, case)

        first = case["outputs"][0]["name"]
        selected = infer_request(pb, model, case, raw=True)
        selected.outputs.add(name=first)
        compare(f"{model} outputs=[{first}]", stub.ModelInfer(selected), case, names={first})

        for failed in case.get("failed_versions", []):
            check(not stub.ModelReady(pb.ModelReadyRequest(name=model, version=str(failed))).ready, f"{model}: failed version {failed} ready")
            expect_error(f"{model} v{failed} (failed to load)",
                         lambda: stub.ModelInfer(infer_request(pb, model, case, raw=True, version=str(failed))), grpc.StatusCode.UNAVAILABLE)

    ranker = expected["ranker"]
    expect_error("unknown model", lambda: stub.ModelInfer(infer_request(pb, "no-such-model", ranker, raw=True)), grpc.StatusCode.NOT_FOUND)
    expect_error("unknown model metadata", lambda: stub.ModelMetadata(pb.ModelMetadataRequest(name="no-such-model")), grpc.StatusCode.NOT_FOUND)
    expect_error("unknown version", lambda: stub.ModelInfer(infer_request(pb, "ranker", ranker, raw=True, version="99")), grpc.StatusCode.NOT_FOUND)

    wrong_type = infer_request(pb, "ranker", ranker, raw=False)
    wrong_type.inputs[1].datatype = "INT32"
    wrong_type.inputs[1].contents.Clear()
    wrong_type.inputs[1].contents.int_contents.extend([1] * 9)
    expect_error("INT32 for an INT64 input", lambda: stub.ModelInfer(wrong_type), grpc.StatusCode.INVALID_ARGUMENT)

    short = infer_request(pb, "ranker", ranker, raw=True)
    short.raw_input_contents[0] = short.raw_input_contents[0][:-4]
    expect_error("raw contents one element short", lambda: stub.ModelInfer(short), grpc.StatusCode.INVALID_ARGUMENT)

    missing = infer_request(pb, "ranker", ranker, raw=False)
    del missing.inputs[1]
    expect_error("missing input", lambda: stub.ModelInfer(missing), grpc.StatusCode.INVALID_ARGUMENT)

    unknown_output = infer_request(pb, "ranker", ranker, raw=True)
    unknown_output.outputs.add(name="nope")
    expect_error("unknown output", lambda: stub.ModelInfer(unknown_output), grpc.StatusCode.INVALID_ARGUMENT)

    for failure in failures:
        print(failure)
    print(f"{checks - len(failures)}/{checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
