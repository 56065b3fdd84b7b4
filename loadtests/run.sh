#!/usr/bin/env bash
# Side-by-side load test of the gateway, the hand-written baseline and the bare-Kestrel floor.
#
#   loadtests/run.sh                      # defaults: REPEATS=3 DURATION=5s, about 9 minutes
#   REPEATS=1 DURATION=2s loadtests/run.sh  # a quick smoke run
#
# Environment:
#   REPEATS=3            runs per point; the table shows the median of each column
#   DURATION=5s          wrk duration per run
#   WARMUP=10s           wrk warm-up per server and script before measuring (discarded); .NET's tiered
#                        compilation with dynamic PGO keeps improving the servers' code for about 20 s
#                        of load, so shorter warm-ups measure part of the JIT's work
#   OVERLOAD_DURATION=10s  the 512-connection overload run
#   GATEWAY_ARGS=""      extra command-line flags for the gateway (both instances), e.g.
#                        GATEWAY_ARGS="--Serving:OnnxRuntime:IntraOpThreads=2"
#   SKIP_BUILD=1         use the existing Release builds
#   WRK_CPUS / SERVER_CPUS  optional taskset CPU lists (e.g. 0-3 / 4-15) to keep the load generator
#                        off the servers' cores on machines with enough of them
#   GATEWAY_PORT=18080 BASELINE_PORT=18081 FLOOR_PORT=18082 OVERLOAD_PORT=18083
#
# Writes loadtests/out/run-<time>/ (raw wrk lines, server logs, table.md) and prints the table.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

REPEATS=${REPEATS:-3}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-10s}
OVERLOAD_DURATION=${OVERLOAD_DURATION:-10s}
GATEWAY_ARGS=${GATEWAY_ARGS:-}
GATEWAY_PORT=${GATEWAY_PORT:-18080}
BASELINE_PORT=${BASELINE_PORT:-18081}
FLOOR_PORT=${FLOOR_PORT:-18082}
OVERLOAD_PORT=${OVERLOAD_PORT:-18083}

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
}

# Command-line options. Gateway feature switches that change what the request path does go here and
# append to GATEWAY_ARGS, so the table says which configuration it measured.
#   --drift on|off   record predictions for drift monitoring (default on, as the gateway ships)
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --drift)
            case "${2:-}" in
                on) GATEWAY_ARGS="$GATEWAY_ARGS --Serving:Drift:Enabled=true" ;;
                off) GATEWAY_ARGS="$GATEWAY_ARGS --Serving:Drift:Enabled=false" ;;
                *) echo "--drift takes on or off" >&2; exit 2 ;;
            esac
            shift 2 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

OUT=$ROOT/loadtests/out/run-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
# Each gateway gets a fresh registry (seeded from the repository), whatever earlier demos promoted.
GATEWAY_ARGS="$GATEWAY_ARGS --Serving:StateDirectory=$OUT/state"
RAW=$OUT/raw.tsv
: > "$RAW"
WRK_DIR=$ROOT/loadtests/wrk

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pin() { # pin <cpu list or empty> <command...>
    local cpus=$1; shift
    if [[ -n $cpus ]]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# ---------------------------------------------------------------------------------------------
# Tools and builds
if ! command -v wrk >/dev/null; then
    log "installing wrk"
    apt-get update && apt-get install -y wrk
fi
command -v python3 >/dev/null || { echo "python3 is needed for the report" >&2; exit 1; }

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building Release: gateway, baseline, floor"
    for project in src/Serving.Gateway loadtests/baseline loadtests/floor; do
        dotnet build -c Release -nologo -v:q "$project" >"$OUT/build-$(basename "$project").log" 2>&1 \
            || { cat "$OUT/build-$(basename "$project").log" >&2; exit 1; }
    done
fi
GATEWAY_DLL=$ROOT/src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll
BASELINE_DLL=$ROOT/loadtests/baseline/bin/Release/net10.0/Serving.LoadTests.Baseline.dll
FLOOR_DLL=$ROOT/loadtests/floor/bin/Release/net10.0/Serving.LoadTests.Floor.dll

# ---------------------------------------------------------------------------------------------
# Servers
start() { # start <name> <port> <command...>: background process, logs to $OUT/<name>.log
    local name=$1 port=$2; shift 2
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
        echo "port $port is already in use; set ${name^^}_PORT" >&2; exit 1
    fi
    # Started directly (not through a shell function) so that $! is the server's own PID.
    if [[ -n ${SERVER_CPUS:-} ]]; then
        taskset -c "$SERVER_CPUS" "$@" >"$OUT/$name.log" 2>&1 &
    else
        "$@" >"$OUT/$name.log" 2>&1 &
    fi
    PIDS+=($!)
    echo "$!" >"$OUT/$name.pid"
}

wait_ready() { # wait_ready <name> <port>
    local name=$1 port=$2 i
    for ((i = 0; i < 240; i++)); do
        if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/health/ready") == 200 ]]; then
            log "$name ready on :$port"
            return 0
        fi
        if ! kill -0 "$(cat "$OUT/$name.pid")" 2>/dev/null; then
            echo "$name exited; its log:" >&2; cat "$OUT/$name.log" >&2; exit 1
        fi
        sleep 0.5
    done
    echo "$name not ready after 120 s; its log:" >&2; cat "$OUT/$name.log" >&2; exit 1
}

stop() { # stop <name>
    local pid
    pid=$(cat "$OUT/$1.pid")
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local remaining=()
    for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || remaining+=("$p"); done
    PIDS=("${remaining[@]}")
    rm -f "$OUT/$1.pid"
}

port_of() {
    case "$1" in
        gateway) echo "$GATEWAY_PORT" ;;
        baseline) echo "$BASELINE_PORT" ;;
        floor) echo "$FLOOR_PORT" ;;
        overload) echo "$OVERLOAD_PORT" ;;
    esac
}

# Request bodies for curl checks (the wrk scripts build their own).
python3 - "$OUT" <<'EOF'
import json, struct, sys
out = sys.argv[1]
row = [22.0, 38804.0, 14800.0, 0.1469, 0.6007, 4.0, 0.0, 120.0, 3.4, 0.34, 11.74, 36.0]
json.dump({"inputs": [{"name": "features", "shape": [1, 12], "datatype": "FP32", "data": row}]},
          open(f"{out}/credit-risk.json", "w"))
header = json.dumps({"inputs": [{"name": "features", "shape": [1, 12], "datatype": "FP32",
                                 "parameters": {"binary_data_size": 48}}],
                     "parameters": {"binary_data_output": True}}).encode()
open(f"{out}/credit-risk.bin", "wb").write(header + struct.pack("<12f", *row))
open(f"{out}/credit-risk.bin.len", "w").write(str(len(header)))
json.dump({"inputs": [{"name": "image", "shape": [1, 3, 64, 64], "datatype": "FP32", "data": [0.5] * (3 * 64 * 64)}]},
          open(f"{out}/image.json", "w"))
EOF

check() { # check <port> <path> <body file> <must contain> [extra curl args]: one request, 200 and the output name
    local port=$1 path=$2 body=$3 want=$4; shift 4
    local response status
    response=$(curl -s -w '\n%{http_code}' -X POST "http://127.0.0.1:$port$path" "$@" --data-binary "@$body" | tr -d '\0')
    status=${response##*$'\n'}
    if [[ $status != 200 || $response != *"$want"* ]]; then
        echo "check failed on :$port$path: HTTP $status: ${response:0:300}" >&2; exit 1
    fi
}

log "starting gateway (:$GATEWAY_PORT), baseline (:$BASELINE_PORT), floor (:$FLOOR_PORT)"
# shellcheck disable=SC2086 # GATEWAY_ARGS is a list of flags
start gateway "$GATEWAY_PORT" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$GATEWAY_PORT" --Serving:ModelRepository=models $GATEWAY_ARGS
start baseline "$BASELINE_PORT" dotnet "$BASELINE_DLL" --urls "http://127.0.0.1:$BASELINE_PORT" --ModelRepository=models
start floor "$FLOOR_PORT" dotnet "$FLOOR_DLL" --urls "http://127.0.0.1:$FLOOR_PORT"
wait_ready gateway "$GATEWAY_PORT"
wait_ready baseline "$BASELINE_PORT"
wait_ready floor "$FLOOR_PORT"

for server in gateway baseline; do
    port=$(port_of $server)
    check "$port" /v2/models/credit-risk/infer "$OUT/credit-risk.json" '"probability"' -H 'Content-Type: application/json'
    check "$port" /v2/models/image-classifier/infer "$OUT/image.json" '"logits"' -H 'Content-Type: application/json'
done
check "$GATEWAY_PORT" /v2/models/credit-risk/infer "$OUT/credit-risk.bin" '"binary_data_size":4' \
    -H 'Content-Type: application/octet-stream' -H "Inference-Header-Content-Length: $(cat "$OUT/credit-risk.bin.len")"

# ---------------------------------------------------------------------------------------------
# Measurements
dead() { # names any server that is no longer running (a crash, or something else killed it)
    local f
    for f in "$OUT"/*.pid; do
        kill -0 "$(cat "$f")" 2>/dev/null || echo "$(basename "$f" .pid) (PID $(cat "$f")) is not running; see $OUT/$(basename "$f" .pid).log" >&2
    done
}

run_wrk() { # run_wrk <script> <connections> <duration> <port> [env...]: prints the WRK_RESULT line
    local script=$1 connections=$2 duration=$3 port=$4; shift 4
    local output
    output=$(pin "${WRK_CPUS:-}" env "$@" wrk -t1 -c"$connections" -d"$duration" --timeout 10s \
            -s "$WRK_DIR/$script.lua" "http://127.0.0.1:$port" 2>&1) || { echo "wrk failed: $output" >&2; dead; exit 1; }
    local line
    line=$(grep '^WRK_RESULT' <<<"$output") || { echo "no WRK_RESULT from wrk: $output" >&2; dead; exit 1; }
    echo "${line#WRK_RESULT }"
}

# scenario name, wrk script, concurrencies, servers
SCENARIOS=(
    "credit-risk-json|credit-risk-json|1 16 64|gateway baseline floor"
    "credit-risk-binary|credit-risk-binary|1 16 64|gateway floor"
    "image-json|image-json|1 16|gateway baseline"
    "image-binary|image-binary|1 16|gateway"
)

log "warming up (${WARMUP} per server and script)"
for entry in "${SCENARIOS[@]}"; do
    IFS='|' read -r _ script _ servers <<<"$entry"
    for server in $servers; do
        run_wrk "$script" 16 "$WARMUP" "$(port_of "$server")" >/dev/null
    done
done

started=$(date +%s)
for entry in "${SCENARIOS[@]}"; do
    IFS='|' read -r scenario script concurrencies servers <<<"$entry"
    for c in $concurrencies; do
        for ((rep = 1; rep <= REPEATS; rep++)); do
            for server in $servers; do
                result=$(run_wrk "$script" "$c" "$DURATION" "$(port_of "$server")")
                printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$c" "$server" "$rep" "$result" >>"$RAW"
                log "$scenario c=$c $server #$rep: $(grep -o 'rps=[0-9.]*' <<<"$result") $(grep -o 'p50_us=[0-9]*' <<<"$result") $(grep -o 'p99_us=[0-9]*' <<<"$result") $(grep -o 'non2xx=[0-9]*' <<<"$result")"
            done
        done
    done
done
log "side-by-side runs took $(( $(date +%s) - started )) s"
stop gateway; stop baseline; stop floor

# ---------------------------------------------------------------------------------------------
# Overload: image-classifier with a 64-request queue, 512 connections. A model.json value wins over
# the Serving:Batching defaults, so the gateway gets its own copy of the repository whose model.json
# sets the small queue (the flag is passed as well, for models without one). At most 64 requests wait
# for room (Serving:Limits:MaxWaitingRequests), so the other 384 connections are shed with 503s: this
# scenario checks shedding; loadtests/overload-goodput.sh measures goodput with the shipped limits.
REPO=$OUT/overload-repo
mkdir -p "$REPO/image-classifier/1"
cp models/image-classifier/1/model.onnx models/image-classifier/1/metadata.json "$REPO/image-classifier/1/"
cat >"$REPO/image-classifier/model.json" <<'EOF'
{
  "max_batch_size": 16,
  "max_queue_delay_us": 200,
  "max_queue_size": 64
}
EOF
log "overload: gateway with max_queue_size 64 on :$OVERLOAD_PORT, 512 connections for $OVERLOAD_DURATION"
# shellcheck disable=SC2086
start overload "$OVERLOAD_PORT" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$OVERLOAD_PORT" \
    --Serving:ModelRepository="$REPO" --Serving:Batching:MaxQueueSize=64 --Serving:Limits:MaxWaitingRequests=64 --Serving:Grpc:Url= $GATEWAY_ARGS --Serving:StateDirectory="$OUT/state-overload"
wait_ready overload "$OVERLOAD_PORT"
check "$OVERLOAD_PORT" /v2/models/image-classifier/infer "$OUT/image.json" '"logits"' -H 'Content-Type: application/json'
run_wrk image-binary 16 "$WARMUP" "$OVERLOAD_PORT" >/dev/null
curl -s "http://127.0.0.1:$OVERLOAD_PORT/metrics" >"$OUT/overload-metrics-before.txt"
result=$(run_wrk image-binary 512 "$OVERLOAD_DURATION" "$OVERLOAD_PORT" COUNT_STATUS=1)
# The first request after the load stops: how long it takes to answer, and five more after it.
recovery=$(for i in 1 2 3 4 5 6; do
    curl -s -o /dev/null -w '%{http_code}:%{time_total},' -X POST -H 'Content-Type: application/json' \
        --data-binary "@$OUT/image.json" "http://127.0.0.1:$OVERLOAD_PORT/v2/models/image-classifier/infer"
done)
curl -s "http://127.0.0.1:$OVERLOAD_PORT/metrics" >"$OUT/overload-metrics-after.txt"
printf 'overload\t512\tgateway\t1\t%s recovery=%s\n' "$result" "${recovery%,}" >>"$RAW"
log "overload: $result; recovery (status:seconds): $recovery"
stop overload

# ---------------------------------------------------------------------------------------------
python3 "$ROOT/loadtests/report.py" "$OUT" \
    --config "REPEATS=$REPEATS DURATION=$DURATION WARMUP=$WARMUP OVERLOAD_DURATION=$OVERLOAD_DURATION GATEWAY_ARGS='$GATEWAY_ARGS'" \
    | tee "$OUT/table.md"
log "results in $OUT"
