# Sourced by the demos (drift-demo.sh, outcomes-demo.sh): the one place that installs their Python
# packages, builds and starts a gateway on the credit-risk models with short drift windows and a webhook
# alert receiver, stops it on exit, and waits until it is ready.
#
#   source loadtests/demo-gateway.sh
#   demo_python_packages numpy,scipy python3-numpy python3-scipy
#   start_demo_gateway "$OUT/my-demo-gateway.log" --Serving:Outcomes:Enabled=true ...
# Needs PORT and HOOK_PORT set, and runs from the repository root.

# demo_python_packages <modules, comma separated> <apt packages...>: installs the packages when
# /usr/bin/python3 cannot import the modules.
demo_python_packages() {
  local modules=$1
  shift
  if ! /usr/bin/python3 -c "import $modules" 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq "$@"
  fi
}

# start_demo_gateway <log file> [more gateway arguments...]: builds and starts the gateway in the
# background (its pid in $gateway), removes it and its state directory on exit, and returns once
# /v2/health/ready answers (or after 20 s, when the demo's first request then says what is wrong).
start_demo_gateway() {
  local log=$1
  shift
  dotnet build src/Serving.Gateway -c Release -nologo -v q
  state=$(mktemp -d)
  dotnet src/Serving.Gateway/bin/Release/net10.0/Serving.Gateway.dll \
    --urls "http://127.0.0.1:$PORT" --Serving:ModelRepository=models --Serving:StateDirectory="$state" --Serving:Admin:AllowUnauthenticatedLoopback=true \
    --Serving:Drift:WindowRows=500 --Serving:Drift:WindowDuration=00:10:00 --Serving:Drift:EvaluationInterval=00:00:00.2 \
    --Serving:Alerts:WebhookUrls:0="http://127.0.0.1:$HOOK_PORT/alerts" --Serving:Alerts:InitialBackoff=00:00:00.2 \
    "$@" > "$log" 2>&1 &
  gateway=$!
  trap 'kill $gateway 2>/dev/null || true; wait $gateway 2>/dev/null || true; rm -rf "$state"' EXIT

  local _
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && break
    sleep 0.2
  done
}
