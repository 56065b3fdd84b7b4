#!/usr/bin/env bash
# Runs the BenchmarkDotNet micro-benchmarks (protocol codec, batch assembly and scatter) with the
# short job in Serving.Benchmarks/BenchConfig.cs: a few minutes on two cores.
#
#   loadtests/bench.sh                      # every benchmark
#   loadtests/bench.sh --filter '*Parse*'   # a subset (any BenchmarkDotNet arguments)
#
# Results: BenchmarkDotNet.Artifacts/results/ under the repository root (markdown, csv, html).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -eq 0 ]]; then
    set -- --filter '*'
fi
exec dotnet run -c Release --project loadtests/Serving.Benchmarks -- "$@"
