#!/usr/bin/env bash
# The request path's cost of outcomes (docs/outcomes.md): the same gateway build with outcomes off and on
# (every credit-risk prediction logged, in memory, and 1 % of requests written to the payload log), and
# optionally a build from before request ids and the prediction log existed, all running at once with wrk
# rotating through them (loadtests/compare-settings.sh does the running and the table).
#
#   loadtests/outcomes-overhead.sh
#   BEFORE_DLL=/tmp/before/src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll loadtests/outcomes-overhead.sh
#
# Environment: REPEATS=5, DURATION=5s, POINTS="credit-risk-json:64 credit-risk-json:16", SKIP_BUILD,
# FIRST_PORT=24100. Prints compare-settings' table with ratios to "off": of the medians, paired (the median
# over rotations of each rotation's req/s ratio), and of the server's CPU time per request, which a busy
# shared machine disturbs far less than throughput; then what the "on" gateway logged and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."

export REPEATS=${REPEATS:-5} DURATION=${DURATION:-5s} FIRST_PORT=${FIRST_PORT:-24100}
export POINTS=${POINTS:-"credit-risk-json:64 credit-risk-json:16"}
export OUT=${OUT:-$PWD/loadtests/out/outcomes-$(date +%Y%m%d-%H%M%S)}
variants=('off=' 'on=--Serving:Outcomes:Enabled=true --Serving:PayloadLog:SampleRate=0.01')
[[ -n ${BEFORE_DLL:-} ]] && variants+=("before=$BEFORE_DLL")
bash loadtests/compare-settings.sh "${variants[@]}"

logged=$(awk '/^serving_prediction_log_written_total/ {print $2}' "$OUT/on.metrics")
dropped=$(awk '/^serving_prediction_log_dropped_total/ {print $2}' "$OUT/on.metrics")
echo "outcomes on: ${logged:-0} predictions logged, ${dropped:-0} dropped" | tee -a "$OUT/table.md" >&2
