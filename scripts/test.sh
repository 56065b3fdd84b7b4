#!/usr/bin/env bash
# The project's test command: builds with warnings as errors, checks the format, runs every test project, and
# checks the Prometheus alerting rules and the Kubernetes manifests. Prints "N passed, N failed" as its last line.
# It first installs what the tests need and this machine lacks (scripts/install-deps.sh; Debian, as root).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

dotnet build Serving.sln -c Debug -warnaserror -nologo -v q
# Whitespace and code style (.editorconfig) as the tree is committed: `dotnet format Serving.sln` fixes both.
# Analyzer rules are already errors in the build above.
format=0
dotnet format whitespace Serving.sln --verify-no-changes --no-restore -v q || format=1
dotnet format style Serving.sln --verify-no-changes --no-restore -v q || format=1
# The CUDA flavour (Microsoft.ML.OnnxRuntime.Gpu) is built too, into artifacts/gpu/, so that it cannot rot;
# it is not run here (no GPU): scripts/gpu-check.sh runs it on a GPU machine.
gpu_build=0
dotnet build src/Serving.Gateway/Serving.Gateway.csproj -c Release -p:OnnxRuntimeFlavor=Gpu -warnaserror -nologo -v q || gpu_build=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# One test project at a time (-m:1): Serving.Functional.Tests starts real servers and processes and has
# the machine to itself rather than sharing two cores with the unit tests.
dotnet test Serving.sln -c Debug --no-build --nologo -v q -m:1 --logger "console;verbosity=minimal" 2>&1 | tee "$log" || status=$?

passed=0
failed=0
while read -r p f; do
  passed=$((passed + p)); failed=$((failed + f))
done < <(sed -nE 's/.*Failed:[[:space:]]*([0-9]+),[[:space:]]*Passed:[[:space:]]*([0-9]+).*/\2 \1/p' "$log")

if [ -d deploy/prometheus ]; then
  if ! command -v promtool >/dev/null; then
    echo "promtool is missing: install the Debian package 'prometheus' (scripts/install-deps.sh does)." >&2
    status=1; failed=$((failed + 1))
  else
    for rules in deploy/prometheus/*rules.yml; do
      if promtool check rules "$rules"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
    done
    for tests in deploy/prometheus/*tests.yml; do
      [ -e "$tests" ] || continue
      if promtool test rules "$tests"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
    done
    # Grafana dashboards: every PromQL expression must parse.
    for dashboard in deploy/grafana/*.json; do
      [ -e "$dashboard" ] || continue
      if python3 scripts/check-grafana.py "$dashboard"; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
    done
  fi
fi

if [ "$format" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if [ "$gpu_build" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if [ "$gpu_build" -eq 0 ] && bash scripts/check-cuda-failure.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

if [ -d deploy/kubernetes ]; then
  if ! command -v kubectl >/dev/null || [ ! -d deploy/kubernetes/validate/node_modules ]; then
    echo "kubectl or the manifest validator is missing: run scripts/install-deps.sh." >&2
    status=1; failed=$((failed + 1))
  else
    # Captured, then printed: `tee /dev/stderr` would reopen a redirected log and write over it.
    report=$(bash scripts/validate-kubernetes.sh 2>&1 || true)
    echo "$report"
    summary=$(echo "$report" | tail -1)
    passed=$((passed + $(echo "$summary" | sed -nE 's/^([0-9]+) passed.*/\1/p')))
    failed=$((failed + $(echo "$summary" | sed -nE 's/.* ([0-9]+) failed$/\1/p')))
  fi
fi

[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit "$status"
