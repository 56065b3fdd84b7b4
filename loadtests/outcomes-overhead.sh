#!/usr/bin/env bash
# The request path's cost of outcomes (docs/outcomes.md): the same gateway build with outcomes off and on
# (every credit-risk prediction logged, in memory), and optionally a build from before request ids and the
# prediction log existed, all running at once with wrk rotating through them (as compare-settings.sh does).
#
#   loadtests/outcomes-overhead.sh
#   BEFORE_DLL=/tmp/before/src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll loadtests/outcomes-overhead.sh
#
# Environment: REPEATS=5, DURATION=5s, POINTS="credit-risk-json:64 credit-risk-json:16", SKIP_BUILD=1,
# FIRST_PORT=24100. Prints a table of medians and the ratios to "off" (and "off" to "before").
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
REPEATS=${REPEATS:-5}
DURATION=${DURATION:-5s}
POINTS=${POINTS:-"credit-risk-json:64 credit-risk-json:16"}
FIRST_PORT=${FIRST_PORT:-24100}
command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    dotnet build -c Release -nologo -v:q src/Serving.Gateway >/dev/null
fi
GATEWAY_DLL=$ROOT/src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll

OUT=$ROOT/loadtests/out/outcomes-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
NAMES=()
declare -A PORT
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # NAME DLL FLAGS...
    local name=$1 dll=$2
    shift 2
    local port=$((FIRST_PORT + ${#NAMES[@]}))
    NAMES+=("$name"); PORT[$name]=$port
    dotnet "$dll" --urls "http://127.0.0.1:$port" --Serving:ModelRepository=models --Serving:Grpc:Url= \
        --Serving:StateDirectory="$OUT/state-$name" "$@" >"$OUT/$name.log" 2>&1 &
    PIDS+=($!)
}
[[ -n ${BEFORE_DLL:-} ]] && start before "$BEFORE_DLL"
start off "$GATEWAY_DLL"
start on "$GATEWAY_DLL" --Serving:Outcomes:Enabled=true

for name in "${NAMES[@]}"; do
    for ((i = 0; i < 240; i++)); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$name]}/v2/health/ready") == 200 ]] && break
        sleep 0.5
    done
    [[ $i -lt 240 ]] || { echo "$name not ready; its log:" >&2; cat "$OUT/$name.log" >&2; exit 1; }
    wrk -t1 -c16 -d2s -s loadtests/wrk/credit-risk-json.lua "http://127.0.0.1:${PORT[$name]}" >/dev/null
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/load.txt" >&2
: >"$OUT/raw.txt"
for ((rep = 1; rep <= REPEATS; rep++)); do
    for point in $POINTS; do
        for name in "${NAMES[@]}"; do
            line=$(wrk -t1 -c"${point#*:}" -d"$DURATION" --timeout 10s -s "loadtests/wrk/${point%%:*}.lua" \
                "http://127.0.0.1:${PORT[$name]}" | grep '^WRK_RESULT')
            echo "${point%%:*} ${point#*:} $name ${line#WRK_RESULT }" >>"$OUT/raw.txt"
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt" >&2
logged=$(curl -s "http://127.0.0.1:${PORT[on]}/metrics" | awk '/^serving_prediction_log_written_total/ {print $2}')
dropped=$(curl -s "http://127.0.0.1:${PORT[on]}/metrics" | awk '/^serving_prediction_log_dropped_total/ {print $2}')
echo "outcomes on: ${logged:-0} predictions logged, ${dropped:-0} dropped" | tee -a "$OUT/load.txt" >&2

python3 - "$OUT/raw.txt" <<'PY' | tee "$OUT/table.md"
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    script, c, name, *fields = line.split()
    f = dict(x.split("=", 1) for x in fields)
    runs[(script, int(c), name)].append((float(f["rps"]), int(f["p50_us"]), int(f["p99_us"]), int(f["non2xx"])))
print("| Scenario | c | Variant | req/s | p50 µs | p99 µs | non-2xx | req/s ÷ off |")
print("|---|---:|---|---:|---:|---:|---:|---:|")
for key in sorted(runs, key=lambda k: (k[0], -k[1], k[2])):
    v = runs[key]
    rps = statistics.median(x[0] for x in v)
    off = statistics.median(x[0] for x in runs[(key[0], key[1], "off")])
    print(f"| {key[0]} | {key[1]} | {key[2]} | {rps:,.0f} | {statistics.median(x[1] for x in v):,.0f} | "
          f"{statistics.median(x[2] for x in v):,.0f} | {sum(x[3] for x in v)} | {rps / off:.3f} |")
PY
echo "results in $OUT" >&2
