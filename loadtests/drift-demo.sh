#!/usr/bin/env bash
# Drift demo: starts the gateway with short drift windows, replays reference-like credit-risk traffic
# (fresh applicants from the same generating process: no alarm expected), then traffic in which
# years_at_employer arrives in months instead of years, as when an upstream loan system changes. The
# alarm must fire naming that feature. Writes loadtests/out/drift-demo.html (reference vs live histograms).
#
#   bash loadtests/drift-demo.sh            # 20 clean windows, then shifted windows until the alarm fires
#   CLEAN_WINDOWS=40 bash loadtests/drift-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18080}
HOOK_PORT=${HOOK_PORT:-18081}
OUT=loadtests/out
mkdir -p "$OUT"

source loadtests/demo-gateway.sh
demo_python_packages numpy python3-numpy
start_demo_gateway "$OUT/drift-demo-gateway.log"

/usr/bin/python3 loadtests/drift_demo.py --url "http://127.0.0.1:$PORT" --hook-port "$HOOK_PORT" \
  --clean-windows "${CLEAN_WINDOWS:-20}" --window-rows 500 --out "$OUT/drift-demo.html"
