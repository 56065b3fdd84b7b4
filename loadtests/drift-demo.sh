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

if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3-numpy
fi

dotnet build src/Serving.Gateway -c Release -nologo -v q
state=$(mktemp -d)
dotnet src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll \
  --urls "http://127.0.0.1:$PORT" --Serving:ModelRepository=models --Serving:StateDirectory="$state" --Serving:Admin:AllowUnauthenticatedLoopback=true \
  --Serving:Drift:WindowRows=500 --Serving:Drift:WindowDuration=00:10:00 --Serving:Drift:EvaluationInterval=00:00:00.2 \
  --Serving:Alerts:WebhookUrls:0="http://127.0.0.1:$HOOK_PORT/alerts" --Serving:Alerts:InitialBackoff=00:00:00.2 \
  > "$OUT/drift-demo-gateway.log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null || true; wait $gateway 2>/dev/null || true; rm -rf "$state"' EXIT

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break
  sleep 0.2
done

/usr/bin/python3 loadtests/drift_demo.py --url "http://127.0.0.1:$PORT" --hook-port "$HOOK_PORT" \
  --clean-windows "${CLEAN_WINDOWS:-20}" --window-rows 500 --out "$OUT/drift-demo.html"
