#!/usr/bin/env bash
# Goodput under overload: the image model's capacity (2xx/s at CAPACITY_C connections) and its 2xx/s at
# each of OVERLOAD_CS connections, for gateway variants that all run at once and take turns (so load from
# elsewhere on the machine hits every variant alike): as shipped (a request that finds the queue full
# waits for room, unread, up to Serving:Limits:AdmissionWait) and refusing at once (AdmissionWait=0, the
# behaviour before); WITH_DRAIN=1 adds refusing at once while draining refused bodies (DrainBytes very
# large: Kestrel receives and discards every refused body). Each point runs wrk for WARM + DURATION
# seconds and counts the gateway's own 2xx and 503 (serving_requests_total) over the last DURATION, so
# the closed loop's start (768 requests in flight) does not count. REPEATS rounds; every figure is the
# median over them. Needs a Release build (dotnet build src/Serving.Gateway -c Release) and wrk.
#   REPEATS=3 DURATION=5s WARM=3 CAPACITY_C=16 OVERLOAD_CS="80 768" bash loadtests/overload-goodput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${REPEATS:-3}
DURATION=${DURATION:-5s}
WARM=${WARM:-3}
CAPACITY_C=${CAPACITY_C:-16}
OVERLOAD_CS=${OVERLOAD_CS:-80 768}
PORT=${PORT:-8790}
DLL=src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll
STATE=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$STATE"' EXIT

labels=("waits for room (default)" "refuses at once (AdmissionWait=0)")
args=("" "--Serving:Limits:AdmissionWait=00:00:00")
[ -n "${WITH_DRAIN:-}" ] && labels+=("refuses at once, drains bodies") && args+=("--Serving:Limits:AdmissionWait=00:00:00 --Serving:Limits:DrainBytes=1000000000000")

scrape() { # scrape <port>: prints "ok overloaded" from the gateway's own counters for the image model
    curl -s "http://127.0.0.1:$1/metrics" | python3 -c '
import re, sys
n = {"ok": 0.0, "overloaded": 0.0}
for line in sys.stdin:
    m = re.match(r"serving_requests_total\{(.*)\} (\S+)", line)
    if m and "image-classifier" in m.group(1):
        outcome = re.search(r"outcome=\"(\w+)\"", m.group(1)).group(1)
        if outcome in n:
            n[outcome] += float(m.group(2))
print(int(n["ok"]), int(n["overloaded"]))'
}

measure() { # measure <port> <connections>: wrk runs WARM + DURATION; the counts are the server's over the last DURATION
    local out="$STATE/wrk.out" ok0 shed0 ok1 shed1
    wrk -t1 -c"$2" -d"$((WARM + ${DURATION%s}))s" --timeout 10s -s loadtests/wrk/image-binary.lua "http://127.0.0.1:$1" >"$out" &
    local w=$!
    sleep "$WARM"
    read -r ok0 shed0 <<<"$(scrape "$1")"
    sleep "${DURATION%s}"
    read -r ok1 shed1 <<<"$(scrape "$1")"
    wait "$w"
    echo "$(grep '^WRK_RESULT' "$out") ok=$((ok1 - ok0)) shed=$((shed1 - shed0)) window_s=${DURATION%s}"
}

for i in "${!labels[@]}"; do
    # shellcheck disable=SC2086 # the variant's flags are words
    dotnet "$DLL" --urls "http://127.0.0.1:$((PORT + i))" --Serving:StateDirectory="$STATE/$i" --Serving:Grpc:Url= ${args[$i]} >"$STATE/$i.log" 2>&1 &
    pids+=($!)
done
for i in "${!labels[@]}"; do
    until curl -sf "http://127.0.0.1:$((PORT + i))/v2/health/ready" >/dev/null; do sleep 0.5; done
    wrk -t1 -c"$CAPACITY_C" -d"$DURATION" -s loadtests/wrk/image-binary.lua "http://127.0.0.1:$((PORT + i))" >/dev/null  # warm-up
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
raw="$STATE/raw.tsv"
for repeat in $(seq "$REPEATS"); do
    for i in "${!labels[@]}"; do
        for c in "$CAPACITY_C" $OVERLOAD_CS; do
            line=$(measure "$((PORT + i))" "$c")
            printf '%s\t%s\t%s\t%s\n' "$i" "$c" "$repeat" "$line" >>"$raw"
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$raw" "$CAPACITY_C" "${labels[@]}" <<'PY'
import statistics, sys
raw, capacity_c, labels = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = {}
for row in open(raw):
    variant, c, _, line = row.rstrip("\n").split("\t")
    f = dict(kv.split("=") for kv in line.split()[1:])
    s = float(f["window_s"])
    errors = sum(int(f[k]) for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout"))
    runs.setdefault((int(variant), c), []).append((int(f["ok"]) / s, int(f["shed"]) / s, errors, int(f["p50_us"]), int(f["p99_us"])))
med = lambda xs: statistics.median(xs)
print("| gateway | connections | 2xx/s | 503/s | socket errors | p50 / p99 ms (all responses) | 2xx/s ÷ capacity |")
print("|---|---:|---:|---:|---:|---|---:|")
for (variant, c), rs in runs.items():
    good = med([r[0] for r in rs])
    capacity = med([r[0] for r in runs[(variant, capacity_c)]])
    ratio = "capacity" if c == capacity_c else f"{good / capacity:.0%}"
    print(f"| {labels[variant]} | {c} | {good:,.0f} | {med([r[1] for r in rs]):,.0f} | {sum(r[2] for r in rs)} "
          f"| {med([r[3] for r in rs]) / 1000:,.1f} / {med([r[4] for r in rs]) / 1000:,.1f} | {ratio} |")
PY
