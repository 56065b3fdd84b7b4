#!/usr/bin/env bash
# Installs what the tests and tools need on a Debian machine: redis-server (registry, rollout and drift
# tests run a real one), prometheus-alertmanager (the drift alert tests post to a real one), promtool (alerting rules), wrk (load tests), dnsmasq (the DNS discovery test's
# resolver), kubectl (kustomize build of deploy/kubernetes) and the npm packages that validate the
# manifests offline (deploy/kubernetes/validate), chromium (the console test), and Debian's Python packages
# for /usr/bin/python3 (nothing from PyPI): python3-grpcio, python3-grpc-tools and python3-numpy (the gRPC
# conformance test's independent client runs on them), and python3-scipy, which with numpy regenerates the
# committed reference fixtures (the make_*.py scripts beside them; the tests read the committed JSON).
set -euo pipefail
need=()
# The on-call console is tested in headless chromium (tests/Serving.Functional.Tests/OnCall).
command -v chromium >/dev/null || need+=(chromium)
command -v redis-server >/dev/null || need+=(redis-server)
command -v promtool >/dev/null || need+=(prometheus)
command -v wrk >/dev/null || need+=(wrk)
[ -x /usr/sbin/dnsmasq ] || command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
# kubectl >= 1.21 (kustomize v4+): Debian bookworm's kubernetes-client is 1.20 (kustomize v2.0.3, which reads
# neither directories in `resources` nor `patches`); this installs `kubectl` from whatever apt source has it.
command -v kubectl >/dev/null || need+=(kubectl)
command -v npm >/dev/null || need+=(npm)
# The gRPC conformance test's independent client (Debian's interpreter, /usr/bin/python3).
/usr/bin/python3 -c 'import grpc' 2>/dev/null || need+=(python3-grpcio)
/usr/bin/python3 -c 'import grpc_tools' 2>/dev/null || need+=(python3-grpc-tools)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
/usr/bin/python3 -c 'import scipy' 2>/dev/null || need+=(python3-scipy)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
validate="$(dirname "$0")/../deploy/kubernetes/validate"
# Installed again whenever the lock file changed since the last install (a stamp beside the packages).
if ! cmp -s "$validate/package-lock.json" "$validate/node_modules/.installed-lock.json"; then
  (cd "$validate" && npm ci --no-audit --no-fund --silent && cp package-lock.json node_modules/.installed-lock.json)
fi
