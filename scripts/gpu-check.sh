#!/usr/bin/env bash
# The GPU check (docs/gpu.md): on a GPU machine with no .NET and no network, runs the gateway's CUDA build
# (packed by scripts/gpu-pack.sh) against its CPU provider on the same machine, side by side:
#   - prints the machine (driver, GPU) and the CUDA/cuDNN libraries it finds in the Python environment,
#     and points LD_LIBRARY_PATH at them;
#   - reassembles and unpacks the self-contained publish from its pieces (/var/tmp/serving-gpu);
#   - exports a ResNet-50 image classifier from seeded random weights with that machine's torch, into a
#     model repository beside credit-risk (from models/);
#   - starts two gateways on loopback (ExecutionProvider=cuda and =cpu), checks that their answers agree
#     to 1e-3, and measures both with scripts/gpu_load.py (binary tensors over keep-alive HTTP):
#     ResNet-50 at c=1 (p50, p99), c=16 and c=64 (throughput), a large batch, and credit-risk;
#   - starts a third, serving ResNet-50 only, with CUDA graphs on (Serving:OnnxRuntime:Cuda:Graphs=true),
#     checks its answers against the CPU's to 1e-3 (padded batch sizes included, before and after load) and
#     measures it at c=1 and c=16 right after the same measurement with graphs off: the "kept only if
#     faster" data. In the dry run (GPU_CHECK_PROVIDER=cpu) that gateway must refuse the model, naming the setting.
# Writes gpu-check.md (the table), gpu-check.jsonl, the machine summary and both gateways' logs to $OUT
# (a temporary folder when OUT is unset) and the table to stdout. About 5 minutes.
#
# Settings (environment): GPU_PIECES (folder of the pieces, /var/tmp/serving-gpu), GPU_WORK (unpack and
# model folder, /var/tmp/serving-gpu-run), GATEWAY_DIR (an unpacked publish to use instead of the pieces),
# BENCH_SECONDS (8) and BENCH_WARMUP (2) per measurement, GPU_CHECK_PROVIDER (cuda; `cpu` makes a dry run
# of the whole script on a machine without a GPU), PYTHON (python3), GPU_CHECK_PORT (8101: the provider's
# gateway; the CPU's and the CUDA-graphs one take the next two ports).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

OUT=${OUT:-$(mktemp -d)}
PIECES=${GPU_PIECES:-/var/tmp/serving-gpu}
WORK=${GPU_WORK:-/var/tmp/serving-gpu-run}
PY=${PYTHON:-python3}
SECONDS_EACH=${BENCH_SECONDS:-8}
WARMUP=${BENCH_WARMUP:-2}
PROVIDER=${GPU_CHECK_PROVIDER:-cuda}
ACCEL_PORT=${GPU_CHECK_PORT:-8101}
CPU_PORT=$((ACCEL_PORT + 1))
GRAPHS_PORT=$((ACCEL_PORT + 2))
mkdir -p "$OUT" "$WORK"
machine=$OUT/machine.txt
results=$OUT/gpu-check.jsonl
: >"$results"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done' EXIT

log() { echo "[gpu-check $(date -u +%T)] $*"; }
fail() { log "FAILED: $*"; exit 1; }

# --- The machine -------------------------------------------------------------------------------------
{
    echo "date: $(date -u +%FT%TZ)"
    echo "kernel: $(uname -srm); cores: $(nproc)"
    if command -v nvidia-smi >/dev/null; then
        nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader | sed 's/^/gpu: /'
    else
        echo "gpu: no nvidia-smi"
    fi
    echo "python: $($PY -c 'import sys; print(sys.version.split()[0], sys.executable)')"
    $PY -c 'import torch; print("torch:", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>/dev/null || echo "torch: none"
} | tee "$machine"

# --- CUDA 13 / cuDNN 9 from the Python environment's nvidia-* packages -------------------------------
# The provider links libcudart/libcublas/libcublasLt .so.13 and libcurand.so.10 and loads libcudnn.so.9;
# the driver brings libcuda.so.1. cuDNN's run-time compiled engines use NVRTC and nvJitLink, cuFFT serves FFT
# operators: found when there, not needed by the models here. Each library's folder goes on LD_LIBRARY_PATH.
mapfile -t nvidia_roots < <($PY -c 'import nvidia; print("\n".join(nvidia.__path__))' 2>/dev/null)
lib_dirs=()
for library in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libcudnn.so.9 libcufft.so.12 libnvrtc.so.13 libnvJitLink.so.13; do
    found=""
    for root in "${nvidia_roots[@]}"; do
        found=$(find "$root" -name "$library" -print -quit 2>/dev/null)
        [[ -n $found ]] && break
    done
    if [[ -z $found ]]; then
        found=$(ldconfig -p 2>/dev/null | awk -v l="$library" '$1 == l { print $NF; exit }')
    fi
    echo "library: $library -> ${found:-NOT FOUND}" | tee -a "$machine"
    if [[ -n $found ]]; then
        dir=$(dirname "$found")
        [[ " ${lib_dirs[*]} " == *" $dir "* ]] || lib_dirs+=("$dir")
    fi
done
libcuda=$(ldconfig -p 2>/dev/null | awk '$1 == "libcuda.so.1" { print $NF; exit }')
for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu; do
    if [[ -z $libcuda && -e $dir/libcuda.so.1 ]]; then
        libcuda=$dir/libcuda.so.1
        lib_dirs+=("$dir")
    fi
done
echo "library: libcuda.so.1 -> ${libcuda:-NOT FOUND}" | tee -a "$machine"
LD_LIBRARY_PATH=$(IFS=:; echo "${lib_dirs[*]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" | tee -a "$machine"

# --- The gateway: reassemble and unpack the publish ----------------------------------------------------
if [[ -n ${GATEWAY_DIR:-} ]]; then
    gateway_dir=$GATEWAY_DIR
else
    [[ -f $PIECES/SHA256SUMS ]] || fail "$PIECES/SHA256SUMS is missing: carry gpu-pack/SHA256SUMS with the last piece (docs/gpu.md)"
    missing=()
    while read -r _ piece; do [[ -f $PIECES/$piece ]] || missing+=("$piece"); done <"$PIECES/SHA256SUMS"
    [[ ${#missing[@]} -eq 0 ]] || fail "pieces missing from $PIECES: ${missing[*]} (the machine went back between calls? carry them again, back to back)"
    (cd "$PIECES" && sha256sum --quiet -c SHA256SUMS) || fail "a piece in $PIECES does not match SHA256SUMS"
    log "unpacking $(du -ch "$PIECES"/gateway.tar.xz.part* | tail -1 | cut -f1) into $WORK"
    rm -rf "$WORK/gateway"
    if command -v xz >/dev/null; then
        cat "$PIECES"/gateway.tar.xz.part* | xz -d | tar -x -C "$WORK" || fail "unpacking"
    else
        cat "$PIECES"/gateway.tar.xz.part* | $PY -c 'import lzma, sys, tarfile; tarfile.open(fileobj=lzma.open(sys.stdin.buffer), mode="r|").extractall(sys.argv[1])' "$WORK" || fail "unpacking"
    fi
    gateway_dir=$WORK/gateway
fi
[[ -x $gateway_dir/Serving.Gateway ]] || fail "no Serving.Gateway executable in $gateway_dir"

# --- The model repository ----------------------------------------------------------------------------
models=$WORK/models
mkdir -p "$models/resnet50/1"
rm -rf "$models/credit-risk" && cp -r "$repo/models/credit-risk" "$models/"
# Batches of up to 64 images; the queue delay is the gateway's (docs/gpu.md, "Batching on a GPU").
echo '{"max_batch_size": 64, "max_queue_size": 512}' >"$models/resnet50/model.json"
if [[ ! -s $models/resnet50/1/model.onnx ]]; then
    log "exporting ResNet-50 (seeded random weights)"
    $PY scripts/gpu_model.py "$models/resnet50/1/model.onnx" | tee -a "$machine" || fail "model export"
fi

# CUDA graphs are measured on ResNet-50 alone: the setting applies to every version of a gateway.
graph_models=$WORK/models-graphs
rm -rf "$graph_models" && mkdir -p "$graph_models" && cp -r "$models/resnet50" "$graph_models/"

# --- Three gateways ----------------------------------------------------------------------------------
start() { # start <provider> <port> <model repository> [more settings]
    local provider=$1 port=$2 repository=$3
    shift 3
    # No gRPC endpoint (its default port would be shared) and a state directory of its own.
    (cd "$gateway_dir" && DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 exec ./Serving.Gateway --urls "http://127.0.0.1:$port" \
        --Serving:Grpc:Url= --Serving:StateDirectory="$WORK/state-$port" \
        --Serving:ModelRepository="$repository" --Serving:OnnxRuntime:ExecutionProvider="$provider" "$@" \
        >"$OUT/gateway-$provider-$port.log" 2>&1) &
    PIDS+=($!)
}
status_of() { # status_of <port> <model>: state and provider of each version
    $PY - "$1" "$2" <<'EOF'
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
c.request("GET", "/v2/models/" + sys.argv[2])
r = c.getresponse()
body = json.loads(r.read() or b"{}")
print(" ".join("%s:%s:%s%s" % (s["version"], s["state"], s["execution_provider"], (" (" + s["reason"] + ")") if s.get("reason") else "")
               for s in body.get("version_status", [])) or "HTTP %d %s" % (r.status, body))
EOF
}
wait_loaded() { # wait_loaded <port> <pid>: until resnet50 is no longer loading (3 minutes at most)
    local i
    for ((i = 0; i < 360; i++)); do
        kill -0 "$2" 2>/dev/null || return 1
        if curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v2/health/ready" 2>/dev/null | grep -q 200; then
            return 0
        fi
        [[ $(status_of "$1" resnet50 2>/dev/null) == *FAILED* ]] && return 0
        sleep 0.5
    done
    return 1
}
log "starting gateways: $PROVIDER on :$ACCEL_PORT, cpu on :$CPU_PORT, $PROVIDER with CUDA graphs on :$GRAPHS_PORT"
start "$PROVIDER" $ACCEL_PORT "$models"
start cpu $CPU_PORT "$models"
start "$PROVIDER" $GRAPHS_PORT "$graph_models" --Serving:OnnxRuntime:Cuda:Graphs=true
wait_loaded $ACCEL_PORT "${PIDS[0]}" || fail "the $PROVIDER gateway exited or did not load in 3 minutes: $(tail -c 2000 "$OUT/gateway-$PROVIDER-$ACCEL_PORT.log")"
wait_loaded $CPU_PORT "${PIDS[1]}" || fail "the cpu gateway exited or did not load in 3 minutes: $(tail -c 2000 "$OUT/gateway-cpu-$CPU_PORT.log")"
for port in $ACCEL_PORT $CPU_PORT; do
    for model in resnet50 credit-risk; do
        echo "gateway :$port $model: $(status_of $port $model)" | tee -a "$machine"
    done
done
[[ $(status_of $ACCEL_PORT resnet50) == *READY:$PROVIDER* ]] || fail "resnet50 is not READY on $PROVIDER (above; log: $OUT/gateway-$PROVIDER-$ACCEL_PORT.log)"
wait_loaded $GRAPHS_PORT "${PIDS[2]}" || log "the CUDA-graphs gateway exited or did not load in 3 minutes (log: $OUT/gateway-$PROVIDER-$GRAPHS_PORT.log)"
graph_status=$(status_of $GRAPHS_PORT resnet50 2>&1)
# With no version ready the model says only that; the version says why.
[[ $graph_status == *READY:* ]] || graph_status="$graph_status; version 1: $(curl -s "http://127.0.0.1:$GRAPHS_PORT/v2/models/resnet50/versions/1")"
echo "gateway :$GRAPHS_PORT resnet50 (Cuda:Graphs=true): $graph_status" | tee -a "$machine"
graphs_ready=0
[[ $graph_status == *READY:cuda* ]] && graphs_ready=1
$PY -c 'import json, sys; print(json.dumps({"graphs_loaded": sys.argv[1] == "1", "status": sys.argv[2]}))' "$graphs_ready" "$graph_status" >>"$results"

# --- Answers: the same inputs to both, to 1e-3 ----------------------------------------------------------
agree=0
$PY scripts/gpu_load.py compare --port $ACCEL_PORT --other-port $CPU_PORT --model resnet50 --shape 4,3,224,224 | tee -a "$results" || agree=1
$PY scripts/gpu_load.py compare --port $ACCEL_PORT --other-port $CPU_PORT --model credit-risk --shape 8,12 | tee -a "$results" || agree=1
graphs_agree=0
compare_graphs() { # compare_graphs <when>: 3 and 5 images run padded (to the graphs of 4 and 8), 32 as captured
    local rows
    for rows in 3 5 32; do
        $PY scripts/gpu_load.py compare --port $GRAPHS_PORT --other-port $CPU_PORT --model resnet50 --shape $rows,3,224,224 \
            | $PY -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line); r["graphs"] = sys.argv[1]; print(json.dumps(r), flush=True)' "$1" | tee -a "$results"
        [[ ${PIPESTATUS[0]} -eq 0 ]] || graphs_agree=1
    done
}
[[ $graphs_ready -eq 1 ]] && compare_graphs "before load"

# --- Side by side: each measurement on one gateway at a time, provider then CPU ------------------------
measure() { # measure <label> <model> <shape> <concurrency> <port> <side>
    log "$1 on :$5"
    timeout $((SECONDS_EACH + WARMUP + 60)) $PY scripts/gpu_load.py bench --port "$5" --model "$2" --shape "$3" -c "$4" \
        -d "$SECONDS_EACH" --warmup "$WARMUP" | $PY -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line); r["label"] = sys.argv[1]; r["side"] = sys.argv[2]; print(json.dumps(r), flush=True)' \
        "$1" "$6" | tee -a "$results"
}
bench() { # bench <label> <model> <shape> <concurrency>: the provider's gateway, then the CPU's
    measure "$@" $ACCEL_PORT accel
    measure "$@" $CPU_PORT cpu
}
bench "ResNet-50 c=1" resnet50 1,3,224,224 1
[[ $graphs_ready -eq 1 ]] && measure "ResNet-50 c=1" resnet50 1,3,224,224 1 $GRAPHS_PORT graphs
bench "ResNet-50 c=16" resnet50 1,3,224,224 16
[[ $graphs_ready -eq 1 ]] && measure "ResNet-50 c=16" resnet50 1,3,224,224 16 $GRAPHS_PORT graphs
[[ $graphs_ready -eq 1 ]] && compare_graphs "after load"
bench "ResNet-50 c=64" resnet50 1,3,224,224 64
bench "ResNet-50 32-image batch, c=2" resnet50 32,3,224,224 2
bench "credit-risk c=1" credit-risk 1,12 1
bench "credit-risk c=64" credit-risk 1,12 64

curl -s "http://127.0.0.1:$ACCEL_PORT/metrics" | grep -E '^serving_(gpu|execution_provider)' >"$OUT/metrics-$PROVIDER.txt" || true
curl -s "http://127.0.0.1:$GRAPHS_PORT/metrics" | grep -E '^serving_(gpu|execution_provider|pinned)' >"$OUT/metrics-$PROVIDER-graphs.txt" || true
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=memory.used,memory.total --format=csv | tee -a "$machine"

# --- The table ---------------------------------------------------------------------------------------
$PY - "$results" "$PROVIDER" >"$OUT/gpu-check.md" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
accel = sys.argv[2]
print("| check | %s | cpu | %s / cpu |" % (accel, accel))
print("|---|---|---|---|")
for r in rows:
    if "equal" in r and "graphs" not in r:
        print("| answers %s %s (max abs diff %.3g, relative %.3g) | %s | | |" % (
            r["model"], "x".join(map(str, r["shape"])), r["max_abs_diff"], r["max_rel_diff"],
            "equal to %g" % r["tolerance"] if r["equal"] else "DIFFERENT"))
labels = []
for r in rows:
    if "label" in r and r["label"] not in labels:
        labels.append(r["label"])
for label in labels:
    a = next((r for r in rows if r.get("label") == label and r["side"] == "accel"), None)
    c = next((r for r in rows if r.get("label") == label and r["side"] == "cpu"), None)
    def cell(r, key):
        if r is None or r.get(key) is None:
            return "-"
        extra = " (%d errors)" % r["errors"] if r.get("errors") else ""
        return "%s%s" % (r[key], extra)
    def ratio(key, invert=False):
        if not a or not c or not a.get(key) or not c.get(key):
            return "-"
        return "%.2fx" % ((c[key] / a[key]) if invert else (a[key] / c[key]))
    if label.endswith("c=1"):
        print("| %s p50 ms | %s | %s | %s (cpu / %s) |" % (label, cell(a, "p50_ms"), cell(c, "p50_ms"), ratio("p50_ms", True), accel))
        print("| %s p99 ms | %s | %s | %s (cpu / %s) |" % (label, cell(a, "p99_ms"), cell(c, "p99_ms"), ratio("p99_ms", True), accel))
    key = "rows_per_s" if "batch" in label else "rps"
    print("| %s %s | %s | %s | %s |" % (label, "rows/s" if key == "rows_per_s" else "req/s", cell(a, key), cell(c, key), ratio(key)))

# CUDA graphs on against off (both on the provider), measured back to back: the data for "kept only if faster".
print()
loaded = next((r for r in rows if "graphs_loaded" in r), {})
if not loaded.get("graphs_loaded"):
    print("CUDA graphs (Serving:OnnxRuntime:Cuda:Graphs=true): not loaded: %s" % loaded.get("status", "not started"))
    sys.exit(0)
print("| CUDA graphs, ResNet-50 | graphs on | graphs off | on / off |")
print("|---|---|---|---|")
for r in rows:
    if "equal" in r and "graphs" in r:
        print("| answers %s vs cpu, %s (max relative diff %.3g) | %s | | |" % (
            "x".join(map(str, r["shape"])), r["graphs"], r["max_rel_diff"], "equal to %g" % r["tolerance"] if r["equal"] else "DIFFERENT"))
faster = []
for label, key, lower in (("ResNet-50 c=1", "p50_ms", True), ("ResNet-50 c=1", "p99_ms", True), ("ResNet-50 c=16", "rps", False)):
    on = next((r for r in rows if r.get("label") == label and r["side"] == "graphs"), None)
    off = next((r for r in rows if r.get("label") == label and r["side"] == "accel"), None)
    name = "%s %s" % (label, key.replace("_ms", " ms").replace("rps", "req/s"))
    if not on or not off or not on.get(key) or not off.get(key) or on.get("errors"):
        print("| %s | %s | %s | - |" % (name, on and on.get(key), off and off.get(key)))
        faster.append(False)
        continue
    faster.append(on[key] < off[key] if lower else on[key] > off[key])
    print("| %s | %s | %s | %.2fx |" % (name, on[key], off[key], on[key] / off[key]))
print("| faster with graphs (c=1 p50, c=1 p99, c=16 req/s) | %s | | kept only if all three: %s |" % (
    ", ".join("yes" if f else "no" for f in faster), "yes" if all(faster) else "no"))
EOF
echo
cat "$machine"
echo
cat "$OUT/gpu-check.md"
log "results in $OUT ($SECONDS s)"
[[ $agree -eq 0 ]] || fail "answers differ between $PROVIDER and cpu beyond 1e-3 (above)"
if [[ $PROVIDER == cuda ]]; then
    [[ $graphs_ready -eq 1 ]] || fail "resnet50 did not load with CUDA graphs on: $graph_status"
    [[ $graphs_agree -eq 0 ]] || fail "answers with CUDA graphs differ from cpu beyond 1e-3 (above)"
else
    # The dry run: graphs on a CPU provider are refused, naming the setting.
    [[ $graph_status == *"Serving:OnnxRuntime:Cuda:Graphs is on"* ]] || fail "the CUDA-graphs gateway on $PROVIDER did not refuse resnet50 naming the setting: $graph_status"
fi
