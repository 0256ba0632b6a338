#!/usr/bin/env bash
# One command for a GPU machine: scripts/gpu-train.sh OUT_DIR [MINUTES]
#
# Run from anywhere (it works from the repository root it lives in). Needs nothing from the network:
#   - node >= 20 and this tree's node_modules and dist/ folders built beforehand (`pnpm install && pnpm build`
#     on a Linux x86-64 machine; the webgpu package ships Dawn prebuilt for it) and copied with the tree;
#   - the data: DATA_DIR, else ../shared/data, else shared/data inside the tree (scannet-votenet/ is used);
#   - on an NVIDIA machine, the driver with its Vulkan ICD (nvidia_icd.json, or libGLX_nvidia.so.0 from which
#     one is written) and the Vulkan loader libvulkan.so.1: from the system, from VULKAN_LOADER_DIR, or the
#     Debian package unpacked in place (`apt-get download libvulkan1 && dpkg-deb -x libvulkan1_*.deb vendor/vulkan`
#     gives vendor/vulkan/usr/lib/x86_64-linux-gnu/libvulkan.so.1, which is looked for).
#
# Steps: start Dawn on the adapter and print vendor and driver; run the WebGPU kernel spec; bench `lite` and
# `base` on whole rooms; fine-tune models/default on whole rooms for MINUTES (default 5) with the default
# recipe; evaluate it and models/default (with the non-learned baseline) on the clean selection sets (generated
# rooms 900000–900002, tabletop scans learn0, 9, 19, 27, 36; never rooms the lineage trained on).
# OUT_DIR receives adapter.txt, kernel-spec.log, bench-*.json, run/ (checkpoints, metrics.jsonl,
# training-plot.svg), model/ (the fine-tuned model), eval/*.json and eval-table.md.
#
# Without a GPU (no NVIDIA adapter, SwiftShader installed): the same steps on SwiftShader in a tiny mode
# (a 1,500-point copy of one room, the bench with the `tiny` preset, one fine-tuning step, one target and one
# click), to check the script itself.
# TINY=1 forces it.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: scripts/gpu-train.sh OUT_DIR [MINUTES]" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$1"
OUT_DIR=$(cd "$1" && pwd)
MINUTES=${2:-5}
if ! [[ $MINUTES =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "gpu-train: MINUTES must be a number, got '$MINUTES'" >&2
  exit 2
fi
cd "$ROOT"
CLI=(node apps/trainer/dist/cli.js)
SWIFTSHADER_ICD=/usr/lib/chromium/vk_swiftshader_icd.json
TABLETOP_SELECTION=learn0,learn9,learn19,learn27,learn36
VALIDATION_ROOMS='["scene0007_00","scene0010_00","scene0010_01"]'

step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

for required in apps/trainer/dist/cli.js packages/tfjs-kernels/dist/node.js node_modules/.bin/vitest; do
  if [[ ! -e $required ]]; then
    echo "gpu-train: $required is missing: run 'pnpm install && pnpm build' before copying the tree here" >&2
    exit 1
  fi
done

# The data folder: DATA_DIR, ../shared/data or shared/data (a remote runner may copy shared/ into the tree).
DATA=""
for candidate in "${DATA_DIR:-}" "$ROOT/../shared/data" "$ROOT/shared/data"; do
  if [[ -n $candidate && -e $candidate/scannet-votenet/scene0001_00_vert.npy ]]; then
    DATA=$(cd "$candidate" && pwd)
    break
  fi
done
if [[ -z $DATA ]]; then
  echo "gpu-train: no scannet-votenet data in DATA_DIR (${DATA_DIR:-unset}), $ROOT/../shared/data or $ROOT/shared/data" >&2
  exit 1
fi
ROOMS=$DATA/scannet-votenet
export POINTCLICK_SHARED_DATA=$DATA

# The Vulkan loader: the system's, else VULKAN_LOADER_DIR, else an unpacked libvulkan1 .deb under vendor/vulkan.
for directory in "${VULKAN_LOADER_DIR:-}" "$ROOT/vendor/vulkan/usr/lib/x86_64-linux-gnu" "$ROOT/vendor/vulkan/lib/x86_64-linux-gnu"; do
  if [[ -n $directory && -e $directory/libvulkan.so.1 ]]; then
    export LD_LIBRARY_PATH="$directory${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "Vulkan loader: $directory/libvulkan.so.1"
    break
  fi
done

# The NVIDIA ICD: the driver's json, else one written for libGLX_nvidia.so.0 (containers often mount only the library).
NVIDIA_ICD=""
for candidate in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.x86_64.json; do
  [[ -e $candidate ]] && NVIDIA_ICD=$candidate && break
done
if [[ -z $NVIDIA_ICD ]] && { ldconfig -p 2>/dev/null | grep -q libGLX_nvidia.so.0 || ls /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0 >/dev/null 2>&1; }; then
  NVIDIA_ICD=$OUT_DIR/nvidia_icd.json
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3"}}\n' >"$NVIDIA_ICD"
  echo "wrote $NVIDIA_ICD for libGLX_nvidia.so.0"
fi

step "WebGPU adapter"
MODE=""
if [[ ${TINY:-0} != 1 && -n $NVIDIA_ICD ]] && VK_ICD_FILENAMES=$NVIDIA_ICD "${CLI[@]}" adapter >"$OUT_DIR/adapter.txt" 2>&1 && grep -qi nvidia "$OUT_DIR/adapter.txt"; then
  export VK_ICD_FILENAMES=$NVIDIA_ICD
  MODE=gpu
elif [[ -e $SWIFTSHADER_ICD ]] && VK_ICD_FILENAMES=$SWIFTSHADER_ICD "${CLI[@]}" adapter >"$OUT_DIR/adapter.txt" 2>&1; then
  export VK_ICD_FILENAMES=$SWIFTSHADER_ICD
  MODE=tiny
else
  cat "$OUT_DIR/adapter.txt" >&2 || true
  echo "gpu-train: no NVIDIA adapter (ICD: ${NVIDIA_ICD:-none}) and no SwiftShader ($SWIFTSHADER_ICD)" >&2
  exit 1
fi
grep '^adapter:' "$OUT_DIR/adapter.txt"
echo "mode: $MODE (VK_ICD_FILENAMES=$VK_ICD_FILENAMES), data: $DATA"

step "WebGPU kernel spec"
NO_COLOR=1 FORCE_COLOR=0 node_modules/.bin/vitest run packages/tfjs-kernels/test/kernels.test.ts packages/tfjs-kernels/test/sparse-convolution.test.ts 2>&1 | tee "$OUT_DIR/kernel-spec.log" | grep -E 'Test Files|Tests|FAIL|skipped' || true
if ! grep -q 'Tests .*passed' "$OUT_DIR/kernel-spec.log" || grep -q 'failed' "$OUT_DIR/kernel-spec.log"; then
  echo "gpu-train: the kernel spec failed; see $OUT_DIR/kernel-spec.log" >&2
  exit 1
fi

# Tiny mode: one room, small crops, one or two steps; the full mode: whole rooms of every scene.
CACHE=$OUT_DIR/.cache/scenes
if [[ $MODE == gpu ]]; then
  BENCH_DATA=$ROOMS
  BENCH_FLAGS=(--points all --steps 5 --warmup 2)
  BENCH_PRESETS=(lite base)
else
  # The first 1,500 points of scene0001_00 (a sparser copy of the room): bench, training and evaluation.
  BENCH_DATA=$OUT_DIR/tiny-room
  node scripts/gpu-train-tiny-room.mjs "$ROOMS" scene0001_00 "$BENCH_DATA" 1500
  BENCH_FLAGS=(--points all --steps 1 --warmup 0 --matmul 256)
  # The tiny preset: SwiftShader compiles every shader of a preset once per process, minutes for `lite`.
  BENCH_PRESETS=(tiny)
fi

for preset in "${BENCH_PRESETS[@]}"; do
  step "bench $preset"
  "${CLI[@]}" bench --backend webgpu --preset "$preset" --grid-size 0.04 --data "$BENCH_DATA" --cache "$CACHE" "${BENCH_FLAGS[@]}" --json "$OUT_DIR/bench-$preset.json"
done

step "fine-tune models/default for $MINUTES minutes"
if [[ $MODE == gpu ]]; then
  # Steps for the cosine schedule to end near the time limit: 90 % of MINUTES at the bench's rate.
  STEPS=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(Math.max(20, Math.floor(0.9 * Number(process.argv[2]) * 60 * r.stepsPerSecond)))' "$OUT_DIR/bench-lite.json" "$MINUTES")
  SOURCES="[{\"kind\":\"synthetic-indoor\",\"sceneCount\":48,\"seed\":1000},{\"kind\":\"folder\",\"directory\":\"$ROOMS\",\"exclude\":$VALIDATION_ROOMS}]"
  TRAIN_FLAGS=(--set "data.sources=$SOURCES" --set 'data.pointBudget="all"' --set "schedule.warmupSteps=$((STEPS < 500 ? STEPS / 10 : 50))")
  # Clean selection sets only (session 12): the ScanNet rooms scene0001_00, 0004_00, 0008_00 are training rooms of
  # models/default's lineage and of this fine-tune, so they select nothing. Generated rooms 900000–900002 (training
  # seeds are 1000–1047) and, when the data has them, the tabletop selection scans; --require-unseen checks it.
  EVAL_FLAGS=(--synthetic 3 --synthetic-seed 900000 --require-unseen)
  if [[ -e $DATA/osd-learn/learn0.pcd ]]; then
    EVAL_FLAGS+=(--data "$DATA/osd-learn" --scenes "$TABLETOP_SELECTION")
  fi
else
  STEPS=1
  SOURCES="[{\"kind\":\"folder\",\"directory\":\"$BENCH_DATA\"}]"
  TRAIN_FLAGS=(--set "data.sources=$SOURCES" --set 'data.pointBudget="all"' --set 'schedule.warmupSteps=0' --set 'validation.everySteps=0')
  EVAL_FLAGS=(--data "$BENCH_DATA" --targets 1 --clicks 1)
fi
echo "steps: $STEPS"
# The default recipe at the learning rate models/default was fine-tuned with (apps/trainer/README.md).
"${CLI[@]}" train -c apps/trainer/configs/default-lite.yaml --init-from models/default --output "$OUT_DIR/run" --backend webgpu \
  --set optimizer.learningRate=0.0003 --steps "$STEPS" --time-limit "$MINUTES" --set "data.cacheDirectory=\"$CACHE\"" --set 'checkpoint.everySteps=100' "${TRAIN_FLAGS[@]}"
# Exported with models/default's inference settings (click locality, superpoints, input scale), so the two
# models are evaluated alike.
mapfile -t INFERENCE_FLAGS < <(node -e '
  const config = JSON.parse(require("fs").readFileSync("models/default/model.json", "utf8")).config;
  const superpoints = config.superpoints ?? {};
  const onOff = (value) => (value ? "on" : "off");
  const flags = [
    ["--object-threshold", config.objectThreshold],
    ["--locality-gain", config.localityGain],
    ["--click-constraints", superpoints.clickConstraints === undefined ? undefined : onOff(superpoints.clickConstraints)],
    ["--superpoint-pooling", superpoints.pooling === undefined ? undefined : onOff(superpoints.pooling)],
    ["--superpoint-scale", superpoints.scale],
    ["--superpoint-minimum-size", superpoints.minimumSize],
    ["--input-scale", config.inputScale],
  ].filter(([, value]) => value !== undefined);
  for (const [flag, value] of flags) console.log(`${flag}\n${value}`);
')
echo "inference settings of models/default: ${INFERENCE_FLAGS[*]}"
"${CLI[@]}" export --checkpoint "$OUT_DIR/run" --output "$OUT_DIR/model" "${INFERENCE_FLAGS[@]}"

step "evaluate (clean selection sets, with the baseline)"
mkdir -p "$OUT_DIR/eval"
"${CLI[@]}" eval --backend webgpu --checkpoint "$OUT_DIR/model" "${EVAL_FLAGS[@]}" --json "$OUT_DIR/eval/fine-tuned/result.json" | tee "$OUT_DIR/eval/fine-tuned.txt"
"${CLI[@]}" eval --backend webgpu --checkpoint models/default --baseline off "${EVAL_FLAGS[@]}" --json "$OUT_DIR/eval/default/result.json" | tee "$OUT_DIR/eval/default.txt"
node scripts/gpu-train-table.mjs "$OUT_DIR/eval/default/result.json" "$OUT_DIR/eval/fine-tuned/result.json" >"$OUT_DIR/eval-table.md"
cat "$OUT_DIR/eval-table.md"

step "done"
echo "results in $OUT_DIR (mode $MODE)"
