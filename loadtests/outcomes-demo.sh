#!/usr/bin/env bash
# The loan story (docs/outcomes.md#the-loan-story-demo): starts a gateway, then
#  1. sends credit-risk applicants and reports their outcomes (POST /v2/models/credit-risk/feedback);
#     after a while years_at_employer changes meaning upstream (same distribution, inverted meaning) and
#     job stability starts to matter more: data drift stays quiet, the concept-drift alarm fires naming
#     the model and version, the label-free CBPE estimate is shown beside the realised value;
#  2. puts out a canary whose offline AUC (in its metadata) is better but whose online outcomes are worse,
#     under an `experiment` step on log_loss, which aborts the rollout with its numbers.
# Exits 0 and prints "story complete" when the alarm fired and the canary was aborted; 1 otherwise (2 when the
# gateway has no feedback API enabled: then only the parts that need no labels run).
#
#   bash loadtests/outcomes-demo.sh
#   CLEAN=3000 SHIFTED=4000 bash loadtests/outcomes-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-25080}
HOOK_PORT=${HOOK_PORT:-25081}
OUT=loadtests/out
mkdir -p "$OUT"

source loadtests/demo-gateway.sh
# models/make_models.py (the applicants' generator) imports onnx and scipy.
demo_python_packages numpy,scipy,onnx python3-numpy python3-scipy python3-onnx
# The lender declines applicants above a 20 % probability of default: that is the decision whose errors the
# concept-drift detector counts (Serving:ConceptDrift:DecisionThreshold).
start_demo_gateway "$OUT/outcomes-demo-gateway.log" \
  --Serving:Outcomes:Enabled=true --Serving:ConceptDrift:DecisionThreshold=0.2 --Serving:Rollouts:TickInterval=00:00:00.5

/usr/bin/python3 loadtests/outcomes_demo.py --url "http://127.0.0.1:$PORT" --hook-port "$HOOK_PORT" \
  --clean "${CLEAN:-2000}" --shifted "${SHIFTED:-4000}" --canary-max "${CANARY_MAX:-30000}"
