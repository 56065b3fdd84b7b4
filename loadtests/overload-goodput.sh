#!/usr/bin/env bash
# Goodput under overload: the image model's capacity (2xx/s at CAPACITY_C connections), then its 2xx/s
# at OVERLOAD_C connections, once as the gateway ships (a refused request with a large unread body
# closes its connection) and once with that switched off (--Serving:Limits:DrainBytes very large:
# Kestrel receives and discards every refused body). Needs a Release build of the gateway and wrk.
#   DURATION=5s CAPACITY_C=16 OVERLOAD_C=768 bash loadtests/overload-goodput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
CAPACITY_C=${CAPACITY_C:-16}
OVERLOAD_C=${OVERLOAD_C:-768}
PORT=${PORT:-8790}
DLL=src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll
STATE=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$STATE"' EXIT

wrk_2xx() { # wrk_2xx <connections>: prints "2xx/s 503/s errors"
    local line
    line=$(COUNT_STATUS=1 wrk -t1 -c"$1" -d"$DURATION" --timeout 10s -s loadtests/wrk/image-binary.lua "http://127.0.0.1:$PORT" | grep '^WRK_RESULT')
    python3 - "$line" <<'PY'
import sys
f = dict(kv.split("=") for kv in sys.argv[1].split()[1:])
s = float(f["duration_s"])
errors = sum(int(f[k]) for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout"))
print(f'{int(f["status_2xx"]) / s:.0f} {int(f["status_503"]) / s:.0f} {errors}')
PY
}

run() { # run <label> [gateway args...]
    local label=$1; shift
    dotnet "$DLL" --urls "http://127.0.0.1:$PORT" --Serving:StateDirectory="$STATE/$label" "$@" >"$STATE/$label.log" 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null; do sleep 0.5; done
    wrk -t1 -c"$CAPACITY_C" -d"$DURATION" -s loadtests/wrk/image-binary.lua "http://127.0.0.1:$PORT" >/dev/null  # warm-up
    read -r capacity _ _ <<<"$(wrk_2xx "$CAPACITY_C")"
    read -r good refused errors <<<"$(wrk_2xx "$OVERLOAD_C")"
    echo "| $label | $capacity | $good | $refused | $errors | $(python3 -c "print(f'{$good / $capacity:.0%}')") |"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

echo "| gateway | capacity 2xx/s (c=$CAPACITY_C) | goodput 2xx/s (c=$OVERLOAD_C) | 503/s | socket errors | goodput / capacity |"
echo "|---|---:|---:|---:|---:|---:|"
run "closes large refused bodies (default)"
run "drains refused bodies (DrainBytes=1e12)" --Serving:Limits:DrainBytes=1000000000000
