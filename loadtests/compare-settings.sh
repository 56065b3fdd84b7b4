#!/usr/bin/env bash
# Compares gateway settings side by side: one gateway per variant, all running at once, and the wrk
# runs rotating through them so that every variant sees the same machine state. This is how the
# ONNX Runtime defaults in loadtests/RESULTS.md were chosen.
#
#   loadtests/compare-settings.sh 'one-thread=--Serving:OnnxRuntime:IntraOpThreads=1' \
#                                 'two-threads=--Serving:OnnxRuntime:IntraOpThreads=2'
#
# Each argument is NAME=FLAGS (FLAGS may be empty: 'default='). FLAGS may start with the path of another
# build's Serving.Gateway.dll, which that variant runs instead of this checkout's (old build against new:
# 'main=/tmp/main/Serving.Gateway.dll' 'branch='). The bare-Kestrel floor and the hand-written baseline run
# the same way, as a dll (they ignore the gateway's flags): 'floor=loadtests/floor/bin/Release/net10.0/Serving.LoadTests.Floor.dll'
# after `dotnet build -c Release loadtests/floor`. Environment:
#   REPEATS=3          rotations; the table shows the median of each column
#   DURATION=4s        wrk duration per point
#   POINTS="image-binary:1 image-binary:16 credit-risk-json:64 credit-risk-json:1"
#                      wrk script (loadtests/wrk/<script>.lua) and concurrency of each point
#   WARMUP=2s          wrk warm-up per variant and point before the measured rotations
#   SKIP_BUILD=1       use the existing Release build
#   FIRST_PORT=18090   variants listen on consecutive ports from here
#   OUT=loadtests/out/compare-<time>   where the logs, raw lines, each variant's final /metrics
#                      (<name>.metrics) and the table go
# Ratios are to the first variant: of the medians, and "paired", the median over rotations of each
# rotation's req/s ratio (the same machine state on both sides, so steadier on a busy machine).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
REPEATS=${REPEATS:-3}
DURATION=${DURATION:-4s}
POINTS=${POINTS:-"image-binary:1 image-binary:16 credit-risk-json:64 credit-risk-json:1"}
FIRST_PORT=${FIRST_PORT:-18090}
WARMUP=${WARMUP:-2s}

if [[ $# -lt 1 ]]; then
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    dotnet build -c Release -nologo -v:q src/Serving.Gateway >/dev/null
fi
GATEWAY_DLL=$ROOT/src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll

OUT=${OUT:-$ROOT/loadtests/out/compare-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
NAMES=()
declare -A PORT FLAGS PID
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$FIRST_PORT
for variant in "$@"; do
    name=${variant%%=*}
    [[ $name != "$variant" && -n $name ]] || { echo "not NAME=FLAGS: $variant" >&2; exit 2; }
    NAMES+=("$name"); PORT[$name]=$port; FLAGS[$name]=${variant#*=}
    dll=$GATEWAY_DLL
    if [[ ${FLAGS[$name]} =~ ^([^[:space:]]+\.dll)(.*)$ ]]; then
        dll=${BASH_REMATCH[1]}; FLAGS[$name]=${BASH_REMATCH[2]}
    fi
    # shellcheck disable=SC2086 # FLAGS is a list of flags
    dotnet "$dll" --urls "http://127.0.0.1:$port" --Serving:ModelRepository=models \
        --Serving:StateDirectory="$OUT/state-$name" --Serving:Grpc:Url= ${FLAGS[$name]} >"$OUT/$name.log" 2>&1 &
    PIDS+=($!)
    PID[$name]=$!
    port=$((port + 1))
done
for name in "${NAMES[@]}"; do
    for ((i = 0; i < 240; i++)); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$name]}/v2/health/ready") == 200 ]] && break
        sleep 0.5
    done
    [[ $i -lt 240 ]] || { echo "$name not ready; its log:" >&2; cat "$OUT/$name.log" >&2; exit 1; }
done

for name in "${NAMES[@]}"; do
    for point in $POINTS; do
        wrk -t1 -c16 -d"$WARMUP" -s "loadtests/wrk/${point%%:*}.lua" "http://127.0.0.1:${PORT[$name]}" >/dev/null
    done
done
# The server's CPU time (user + system, in clock ticks) while wrk ran: per request, it is what a
# setting costs even when other load on the machine makes the request rate jump between runs.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Context switches of all the server's threads (voluntary and not): the hand-offs between threads a request costs.
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n }'; }
: >"$OUT/raw.txt"
for ((rep = 1; rep <= REPEATS; rep++)); do
    for point in $POINTS; do
        for name in "${NAMES[@]}"; do
            before=$(cpu_ticks "${PID[$name]}"); switched=$(switches "${PID[$name]}")
            line=$(wrk -t1 -c"${point#*:}" -d"$DURATION" --timeout 10s -s "loadtests/wrk/${point%%:*}.lua" \
                "http://127.0.0.1:${PORT[$name]}" | grep '^WRK_RESULT')
            after=$(cpu_ticks "${PID[$name]}")
            echo "${point%%:*} ${point#*:} $name ${line#WRK_RESULT } rep=$rep cpu_ticks=$((after - before))" \
                "switches=$(($(switches "${PID[$name]}") - switched))" | tee -a "$OUT/raw.txt" >&2
        done
    done
done
for name in "${NAMES[@]}"; do
    curl -s "http://127.0.0.1:${PORT[$name]}/metrics" >"$OUT/$name.metrics" || true
done

python3 - "$OUT/raw.txt" "$(getconf CLK_TCK)" <<'EOF' | tee "$OUT/table.md"
import collections, statistics, sys
runs = collections.defaultdict(list)
rounds = collections.defaultdict(dict)
order = []
for line in open(sys.argv[1]):
    script, c, name, *fields = line.split()
    f = dict(x.split("=", 1) for x in fields)
    key = (script, int(c), name)
    if key not in runs:
        order.append(key)
    rounds[(script, int(c), f.get("rep"))][name] = float(f["rps"])
    cpu_us = int(f["cpu_ticks"]) * 1e6 / int(sys.argv[2]) / max(1, int(f["requests"]))
    runs[key].append((float(f["rps"]), int(f["p50_us"]), int(f["p99_us"]), int(f["non2xx"]), cpu_us,
                      int(f.get("switches", 0)) / max(1, int(f["requests"]))))
# Ratios are to the point's first variant (the first NAME=FLAGS argument), medians over medians.
print("| Scenario | c | Variant | req/s | ratio | paired ratio | p50 µs | p99 µs | server CPU µs/req | ratio | switches/req | non-2xx |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
first = {}
for key in sorted(order, key=lambda k: (k[0], k[1])):
    v = runs[key]
    rps, cpu = statistics.median(x[0] for x in v), statistics.median(x[4] for x in v)
    base = first.setdefault(key[:2], (rps, cpu, key[2]))
    paired = statistics.median(r[key[2]] / r[base[2]] for (s, c, _), r in rounds.items() if (s, c) == key[:2])
    print(f"| {key[0]} | {key[1]} | {key[2]} | {rps:,.0f} | {rps / base[0]:.2f} | {paired:.3f} | "
          f"{statistics.median(x[1] for x in v):,.0f} | {statistics.median(x[2] for x in v):,.0f} | "
          f"{cpu:,.1f} | {cpu / base[1]:.2f} | {statistics.median(x[5] for x in v):.2f} | {sum(x[3] for x in v)} |")
EOF
echo "results in $OUT" >&2
