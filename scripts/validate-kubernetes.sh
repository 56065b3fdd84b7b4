#!/usr/bin/env bash
# Builds every kustomize overlay of deploy/kubernetes (kubectl kustomize) and validates the output offline
# against the Kubernetes OpenAPI schemas pinned in deploy/kubernetes/validate/package.json (installed by
# scripts/install-deps.sh), and checks compose.yaml against the Compose Specification's schema. Prints one line per overlay and "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
for overlay in deploy/kubernetes/overlays/*/; do
  name=$(basename "$overlay")
  if out=$(kubectl kustomize "$overlay" 2>&1 | node deploy/kubernetes/validate/validate.mjs 2>&1); then
    echo "overlay $name: $out"; passed=$((passed + 1))
  else
    echo "overlay $name FAILED: $out" >&2; failed=$((failed + 1))
  fi
done
# compose.yaml: no container engine here, so its syntax is checked against the Compose Specification's schema.
if out=$(node deploy/kubernetes/validate/validate-compose.mjs compose.yaml 2>&1); then
  echo "$out"; passed=$((passed + 1))
else
  echo "compose FAILED: $out" >&2; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
