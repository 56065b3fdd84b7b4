#!/usr/bin/env bash
# Checks the CUDA build's promise on a machine without CUDA: with ExecutionProvider=cuda each version fails
# to load, the server stays up, and the log names the missing libraries and the majors the package needs.
# Run by scripts/test.sh after it built the CUDA flavour into artifacts/gpu/. On a machine that has the
# CUDA 13 runtime there is nothing missing to name, so the check says so and passes.
set -uo pipefail
cd "$(dirname "$0")/.."
dll=artifacts/gpu/bin/Serving.Gateway/Release/net10.0/Serving.Gateway.dll
if /sbin/ldconfig -p 2>/dev/null | grep -q 'libcudart.so.13'; then
  echo "CUDA 13 runtime present: no missing library to name"; exit 0
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
state=$(mktemp -d); log="$state/gateway.log"
dotnet "$dll" --urls "http://127.0.0.1:$port" --Serving:Grpc:Url= --Serving:StateDirectory="$state" \
  --Serving:OnnxRuntime:ExecutionProvider=cuda >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$state"' EXIT
code=000
for _ in $(seq 1 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/models/credit-risk/versions/2")
  [ "$code" = 503 ] && grep -q 'Could not load credit-risk version 2' "$log" && break
  sleep 0.2
done
live=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/health/live")
if [ "$code" = 503 ] && [ "$live" = 200 ] \
  && grep -q 'missing libcuda.so.1, libcudart.so.13' "$log" \
  && grep -q 'needs CUDA 13 and cuDNN 9 on the library path' "$log"; then
  echo "cuda without CUDA: each load fails naming the missing libraries; the server stays up"
  exit 0
fi
echo "cuda without CUDA: expected a 503 version, a live server and the missing libraries in the log (version $code, live $live):" >&2
cat "$log" >&2
exit 1
