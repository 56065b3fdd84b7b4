#!/usr/bin/env bash
# gRPC ModelInfer against REST JSON infer on credit-risk (one applicant per request), side by side with
# the same load client: h2load (Debian: nghttp2-client), HTTP/1.1 for REST, HTTP/2 cleartext for gRPC,
# CONNECTIONS connections each with one request in flight.
#
#   loadtests/grpc-vs-rest.sh            # builds Release, starts a gateway, prints both rates
#   DURATION=10 CONNECTIONS=64 WARMUP=5 loadtests/grpc-vs-rest.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-64}
REST_PORT=${REST_PORT:-18080}
GRPC_PORT=${GRPC_PORT:-18081}
OUT=$(mktemp -d /tmp/grpc-vs-rest.XXXXXX)
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install -y nghttp2-client" >&2; exit 1; }

dotnet build -c Release -nologo -v:q "$ROOT/src/Serving.Gateway" >"$OUT/build.log"
dotnet "$ROOT/src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll" --urls "http://127.0.0.1:$REST_PORT" \
    --Serving:Grpc:Url="http://127.0.0.1:$GRPC_PORT" --Serving:ModelRepository="$ROOT/models" \
    --Serving:StateDirectory="$OUT/state" --Serving:Drift:Enabled=false >"$OUT/gateway.log" 2>&1 &
GATEWAY=$!
trap 'kill $GATEWAY 2>/dev/null || true' EXIT
for _ in $(seq 240); do
    curl -sf "http://127.0.0.1:$REST_PORT/v2/health/ready" >/dev/null && break
    sleep 0.5
done

ROW='22.0,38804.0,14800.0,0.1469,0.6007,4.0,0.0,120.0,3.4,0.34,11.74,36.0'
printf '{"inputs":[{"name":"features","shape":[1,12],"datatype":"FP32","data":[%s]}]}' "$ROW" >"$OUT/rest.json"
# The gRPC body: one length-prefixed frame holding the protobuf ModelInferRequest (typed FP32 contents),
# encoded by hand so that this script needs no generated code.
python3 - "$OUT/grpc.bin" "$ROW" <<'EOF'
import struct, sys
def varint(n):
    out = b""
    while True:
        byte = n & 0x7F; n >>= 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n: return out
def field(number, wire, payload):
    return varint(number << 3 | wire) + (varint(len(payload)) + payload if wire == 2 else payload)
values = [float(v) for v in sys.argv[2].split(",")]
contents = field(6, 2, struct.pack(f"<{len(values)}f", *values))            # fp32_contents (packed)
tensor = field(1, 2, b"features") + field(2, 2, b"FP32") + field(3, 2, varint(1) + varint(12)) + field(5, 2, contents)
request = field(1, 2, b"credit-risk") + field(5, 2, tensor)
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(request)) + request)
EOF

check_grpc() {
    curl -s --http2-prior-knowledge -o "$OUT/grpc-answer.bin" -D "$OUT/grpc-headers.txt" \
        -H 'content-type: application/grpc' -H 'te: trailers' --data-binary "@$OUT/grpc.bin" \
        "http://127.0.0.1:$GRPC_PORT/inference.GRPCInferenceService/ModelInfer"
    grep -qi 'x-model-version' "$OUT/grpc-headers.txt" || { echo "gRPC check failed:"; cat "$OUT/grpc-headers.txt"; exit 1; }
}
check_grpc
curl -sf -H 'content-type: application/json' --data-binary "@$OUT/rest.json" \
    "http://127.0.0.1:$REST_PORT/v2/models/credit-risk/infer" | grep -q probability

run() {
    local name=$1; shift
    h2load "$@" -c "$CONNECTIONS" -m 1 -t 2 --warm-up-time="$WARMUP" -D "$DURATION" >"$OUT/$name.txt" 2>&1
    local rate ok
    rate=$(grep -o 'finished in [^,]*, [0-9.]* req/s' "$OUT/$name.txt" | grep -o '[0-9.]* req/s')
    ok=$(grep -o '[0-9]* succeeded' "$OUT/$name.txt" | head -1)
    printf '%-10s c=%-4s %14s  (%s; %s)\n' "$name" "$CONNECTIONS" "$rate" "$ok" "$(grep 'status codes' "$OUT/$name.txt" | sed 's/^ *//')"
}
run rest-json --h1 -d "$OUT/rest.json" -H 'content-type: application/json' "http://127.0.0.1:$REST_PORT/v2/models/credit-risk/infer"
run grpc -d "$OUT/grpc.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$GRPC_PORT/inference.GRPCInferenceService/ModelInfer"
echo "raw output: $OUT"
