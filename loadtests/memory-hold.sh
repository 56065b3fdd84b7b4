#!/usr/bin/env bash
# The memory-hold attack of issue 12 against a Release gateway, as a separate process with its shipped
# GC settings: CONNECTIONS connections each declare a 32 MiB body and send 30 MiB of it, hold for HOLD
# seconds, and close. Prints the gateway's resident memory (VmRSS) before, while held, and every 10 s
# for AFTER seconds after the connections closed. Extra gateway flags go in GATEWAY_ARGS.
#   CONNECTIONS=40 bash loadtests/memory-hold.sh
#   CONNECTIONS=40 GATEWAY_ARGS="--Serving:Limits:TrimCheckInterval=00:00:00" bash loadtests/memory-hold.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-40}
HOLD=${HOLD:-5}
AFTER=${AFTER:-60}
PORT=${PORT:-8791}
DLL=src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll
STATE=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$STATE"' EXIT

# shellcheck disable=SC2086 # GATEWAY_ARGS is a list of flags
dotnet "$DLL" --urls "http://127.0.0.1:$PORT" --Serving:StateDirectory="$STATE/state" --Serving:Grpc:Url= ${GATEWAY_ARGS:-} >"$STATE/gateway.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null; do sleep 0.5; done
body='{"inputs":[{"name":"features","shape":[1,12],"datatype":"FP32","data":[0,0,0,0,0,0,0,0,0,0,0,0]}]}'
for _ in $(seq 20); do curl -s -o /dev/null "http://127.0.0.1:$PORT/v2/models/credit-risk/infer" -d "$body"; done
sleep 2

python3 - "$pid" "$PORT" "$CONNECTIONS" "$HOLD" "$AFTER" <<'PY'
import socket, sys, threading, time
pid, port, connections, hold, after = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
print(f"| connections | {connections} |\n|---|---|\n| resident before | {rss()} MiB |")
head = (f"POST /v2/models/credit-risk/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {32 << 20}\r\n\r\n").encode()
chunk = b" " * (1 << 20)
socks, refused = [], [0]
def attack():
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(s)
    try:
        s.sendall(head)
        for _ in range(30):
            s.sendall(chunk)
    except OSError:
        refused[0] += 1
threads = [threading.Thread(target=attack) for _ in range(connections)]
for t in threads: t.start()
for t in threads: t.join()
time.sleep(hold)
print(f"| resident while held ({connections - refused[0]} sent all 30 MiB) | {rss()} MiB |")
for s in socks: s.close()
for t in range(10, after + 1, 10):
    time.sleep(10)
    print(f"| resident {t} s after they closed | {rss()} MiB |")
PY
grep -c "returned memory to the operating system" "$STATE/gateway.log" | sed 's/^/trims logged: /'
