#!/usr/bin/env bash
# What tracing costs on the request path: three gateways side by side (loadtests/compare-settings.sh),
# tracing off, on and sampled at 0, and on and sampled at 1, the last two exporting over OTLP/HTTP to a
# dummy receiver started here (it answers 200 to every export and counts them). wrk sends no traceparent,
# so at ratio 0 no request is recorded and at ratio 1 every request is.
#
#   loadtests/tracing-cost.sh                          # credit-risk JSON at c=64, medians of 3 x 5 s
#   POINTS="credit-risk-json:64 credit-risk-json:1" REPEATS=5 loadtests/tracing-cost.sh
#
# Environment as compare-settings.sh (REPEATS, DURATION, WARMUP, POINTS, SKIP_BUILD, FIRST_PORT), and
#   RECEIVER_PORT=18190   the dummy OTLP receiver's port
set -euo pipefail
cd "$(dirname "$0")/.."
RECEIVER_PORT=${RECEIVER_PORT:-18190}
COUNTS=$(mktemp /tmp/otlp-receiver.XXXXXX)

python3 - "$RECEIVER_PORT" "$COUNTS" <<'PY' &
import http.server, signal, sys
port, counts = int(sys.argv[1]), sys.argv[2]
received = {"exports": 0, "bytes": 0}
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        received["exports"] += 1
        received["bytes"] += len(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
def stop(*_):
    open(counts, "w").write(f"dummy OTLP receiver: {received['exports']} exports, {received['bytes']} bytes\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
PY
RECEIVER=$!
trap 'kill $RECEIVER 2>/dev/null || true; wait $RECEIVER 2>/dev/null || true; cat "$COUNTS" >&2; rm -f "$COUNTS"' EXIT

TRACING="--Serving:Tracing:OtlpEndpoint=http://127.0.0.1:$RECEIVER_PORT --Serving:Tracing:OtlpProtocol=http/protobuf"
POINTS=${POINTS:-credit-risk-json:64} bash loadtests/compare-settings.sh \
    'off=' \
    "sampled-0=$TRACING --Serving:Tracing:SamplingRatio=0" \
    "sampled-1=$TRACING --Serving:Tracing:SamplingRatio=1"
