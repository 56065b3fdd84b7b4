#!/usr/bin/env bash
# Installs what the tests and tools need on a Debian machine: redis-server (registry, rollout and drift
# tests run a real one), promtool (alerting rules), wrk (load tests) and python3 numpy/onnx/scipy
# (only to regenerate models and fixtures), python3-grpcio/grpc-tools (the gRPC conformance test).
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v promtool >/dev/null || need+=(prometheus)
command -v wrk >/dev/null || need+=(wrk)
# The gRPC conformance test's independent client (Debian's interpreter, /usr/bin/python3).
/usr/bin/python3 -c 'import grpc' 2>/dev/null || need+=(python3-grpcio)
/usr/bin/python3 -c 'import grpc_tools' 2>/dev/null || need+=(python3-grpc-tools)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
