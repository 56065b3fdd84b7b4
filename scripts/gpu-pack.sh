#!/usr/bin/env bash
# Packs the gateway's CUDA flavour for scripts/gpu-check.sh: a self-contained linux-x64 publish (the GPU
# machine has no .NET), xz-compressed and split into pieces small enough for one device call each (a call
# carries at most 64 MiB of working tree). Writes gpu-pack/ (ignored by git): the pieces and SHA256SUMS,
# then prints the device calls that carry them over and run the check. See docs/gpu.md.
#
#   scripts/gpu-pack.sh                # PIECE_MIB=60 by default
set -euo pipefail
cd "$(dirname "$0")/.."

PIECE_MIB=${PIECE_MIB:-60}
pack=gpu-pack
publish=artifacts/gpu/publish/gateway

rm -rf "$publish" "$pack"
mkdir -p "$pack"
dotnet publish src/Serving.Gateway/Serving.Gateway.csproj -c Release -r linux-x64 --self-contained \
    -p:OnnxRuntimeFlavor=Gpu -warnaserror -nologo -v q -o "$publish"
# The GPU package carries Windows binaries and the TensorRT provider too; the check uses neither.
rm -f "$publish"/onnxruntime*.dll "$publish"/libonnxruntime_providers_tensorrt.so
du -sh "$publish"

echo "compressing (xz -6, taking about 5 CPU-minutes)"
tar -C "$(dirname "$publish")" -cf - "$(basename "$publish")" | xz -T0 -6 | split -b "${PIECE_MIB}M" -d -a 2 - "$pack/gateway.tar.xz.part"
(cd "$pack" && sha256sum gateway.tar.xz.part* > SHA256SUMS)
ls -l "$pack"

pieces=("$pack"/gateway.tar.xz.part*)
last=$((${#pieces[@]} - 1))
cat <<EOF

Device calls, back to back (the machine stays warm 30 s after a call; its /var/tmp keeps the pieces
only while it stays warm). Each carries one piece into /var/tmp/serving-gpu on the device; the last one
carries the checksums and runs the check:
EOF
for i in "${!pieces[@]}"; do
    piece=${pieces[$i]}
    if [[ $i -lt $last ]]; then
        printf '%d. run carry=["%s"] timeout_s=120 command="mkdir -p /var/tmp/serving-gpu && cp %s /var/tmp/serving-gpu/ && ls -l /var/tmp/serving-gpu"\n' \
            $((i + 1)) "$piece" "$piece"
    else
        printf '%d. run carry=["%s", "%s/SHA256SUMS"] timeout_s=540 command="mkdir -p /var/tmp/serving-gpu && cp %s %s/SHA256SUMS /var/tmp/serving-gpu/ && bash scripts/gpu-check.sh"\n' \
            $((i + 1)) "$piece" "$pack" "$piece" "$pack"
    fi
done
