#!/usr/bin/env bash
# Installs what the tests and tools need on a Debian machine: redis-server (registry, rollout and drift
# tests run a real one), prometheus-alertmanager (the drift alert tests post to a real one), promtool (alerting rules), wrk (load tests) and python3 numpy/onnx/scipy
# (only to regenerate models and fixtures).
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v promtool >/dev/null || need+=(prometheus)
command -v wrk >/dev/null || need+=(wrk)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
