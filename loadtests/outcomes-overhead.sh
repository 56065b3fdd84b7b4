#!/usr/bin/env bash
# The request path's cost of outcomes (docs/outcomes.md): the same gateway build with outcomes off and on
# (every credit-risk prediction logged, in memory, and 1 % of requests written to the payload log), and optionally a build from before request ids and the
# prediction log existed, all running at once with wrk rotating through them (as compare-settings.sh does).
#
#   loadtests/outcomes-overhead.sh
#   BEFORE_DLL=/tmp/before/src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll loadtests/outcomes-overhead.sh
#
# Environment: REPEATS=5, DURATION=5s, POINTS="credit-risk-json:64 credit-risk-json:16", SKIP_BUILD=1,
# FIRST_PORT=24100. Prints a table of medians and their ratios to "off". Besides req/s it reports the server's CPU
# time per request (user + system from /proc/PID/stat over the wrk run), which a busy shared machine disturbs far
# less than throughput, and the median over rounds of each round's req/s ratio to "off" (paired, same machine state).
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
declare -A PORT PID
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
    PID[$name]=$!
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
[[ -n ${BEFORE_DLL:-} ]] && start before "$BEFORE_DLL"
start off "$GATEWAY_DLL"
start on "$GATEWAY_DLL" --Serving:Outcomes:Enabled=true --Serving:PayloadLog:SampleRate=0.01

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
            before=$(cpu_ticks "${PID[$name]}")
            line=$(wrk -t1 -c"${point#*:}" -d"$DURATION" --timeout 10s -s "loadtests/wrk/${point%%:*}.lua" \
                "http://127.0.0.1:${PORT[$name]}" | grep '^WRK_RESULT')
            after=$(cpu_ticks "${PID[$name]}")
            echo "${point%%:*} ${point#*:} $name $rep ${line#WRK_RESULT } cpu_s=$(((after - before) / TICK)).$(printf '%02d' $(((after - before) % TICK * 100 / TICK)))" >>"$OUT/raw.txt"
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
rounds = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    script, c, name, rep, *fields = line.split()
    f = dict(x.split("=", 1) for x in fields)
    rps, cpu_us = float(f["rps"]), float(f["cpu_s"]) * 1e6 / max(1, int(f["requests"]))
    runs[(script, int(c), name)].append((rps, int(f["p50_us"]), int(f["p99_us"]), int(f["non2xx"]), cpu_us))
    rounds[(script, int(c), rep)][name] = rps
print("| Scenario | c | Variant | req/s | p50 µs | p99 µs | non-2xx | CPU µs/req | req/s ÷ off | paired req/s ÷ off | CPU/req ÷ off |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for key in sorted(runs, key=lambda k: (k[0], -k[1], k[2])):
    v, off = runs[key], runs[(key[0], key[1], "off")]
    med = lambda rows, i: statistics.median(x[i] for x in rows)
    paired = statistics.median(r[key[2]] / r["off"] for (s, c, _), r in rounds.items() if (s, c) == key[:2])
    print(f"| {key[0]} | {key[1]} | {key[2]} | {med(v, 0):,.0f} | {med(v, 1):,.0f} | {med(v, 2):,.0f} | {sum(x[3] for x in v)} | "
          f"{med(v, 4):.1f} | {med(v, 0) / med(off, 0):.3f} | {paired:.3f} | {med(v, 4) / med(off, 4):.3f} |")
PY
echo "results in $OUT" >&2
