#!/usr/bin/env bash
# End to end on the real data: wall time until the MNIST-M test accuracy first reaches the paper's 0.7666, for
#   ours:    the sample (samples/MnistToMnistM) — `train --method dann --preset $PRESET --seed $SEED`, evaluating every
#            $EVAL steps; the time is the metrics.csv `wall_s` of the first evaluation at or above the target (seconds
#            since the command started: data loading and start-up included);
#   PyTorch: benchmarks/reference/dann_dataloader.py — the same network, losses, optimiser and schedules driven by
#            per-sample DataLoaders (PIL per image, worker processes), evaluating every $EVAL steps; the time counts
#            from its first training step (its imports and the one-off archive extraction are not counted).
# The two run one after the other, each alone on the machine, with the same thread count, and the script prints both
# times and the ratio PyTorch / ours.
#
#   benchmarks/run-end-to-end.sh                       # PRESET=modern SEED=1 EVAL=1000 THREADS=nproc WORKERS=2
#   PRESET=paper STEPS=12000 benchmarks/run-end-to-end.sh
#   PYTORCH_PRESET=standard benchmarks/run-end-to-end.sh   # PyTorch side: fungtion/DANN's own recipe (batch 128, its
#                                                          # network, Adam without annealing, lambda over 100 epochs),
#                                                          # evaluated every epoch; stops after EPOCHS (100) epochs
#
# Our side trains at SIZE × SIZE: 28 when PyTorch is given our recipe (dann_dataloader.py resizes MNIST-M to 28, so
# both sides see the same input), the sample's default 32 when PYTORCH_PRESET=standard (what a user of each runs).
#
# Environment: PRESET (modern), PYTORCH_PRESET (= PRESET; or standard), SIZE (28; 32 with standard), EPOCHS (100, standard only), MAX_SECONDS (0: the PyTorch side stops at its first evaluation
# after that many seconds even below TARGET), SEED (1), EVAL (1000), THREADS (nproc), WORKERS (2: DataLoader worker processes per
# loader), TARGET (0.7666), STEPS (12000), OUT (benchmarks/results/end-to-end-<time>), DOMAINADAPTATION_DATA
# (../shared/data). Needs the .NET SDK and Debian's python3-torch, python3-pil and python3-numpy (installed with apt-get
# when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
PRESET=${PRESET:-modern}
SEED=${SEED:-1}
EVAL=${EVAL:-1000}
THREADS=${THREADS:-$(nproc)}
WORKERS=${WORKERS:-2}
TARGET=${TARGET:-0.7666}
STEPS=${STEPS:-12000}
PYTORCH_PRESET=${PYTORCH_PRESET:-$PRESET}
if [ "$PYTORCH_PRESET" = standard ]; then SIZE=${SIZE:-32}; else SIZE=${SIZE:-28}; fi
EPOCHS=${EPOCHS:-100}
OUT=${OUT:-$root/benchmarks/results/end-to-end-$(date +%Y%m%d-%H%M%S)}
export DOMAINADAPTATION_DATA=${DOMAINADAPTATION_DATA:-$root/../shared/data}
PYTHON=/usr/bin/python3

need=()
"$PYTHON" -c "import torch" >/dev/null 2>&1 || need+=(python3-torch)
"$PYTHON" -c "import PIL" >/dev/null 2>&1 || need+=(python3-pil)
"$PYTHON" -c "import numpy" >/dev/null 2>&1 || need+=(python3-numpy)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
  else
    echo "end-to-end: missing Debian packages ${need[*]} (as root: apt-get install -y ${need[*]})" >&2; exit 1
  fi
fi
mkdir -p "$OUT"

echo "== ours: the sample, preset $PRESET, ${SIZE}x$SIZE, seed $SEED, $THREADS threads, evaluating every $EVAL steps"
dotnet build samples/MnistToMnistM -c Release -nologo -v q >/dev/null
dotnet run --project samples/MnistToMnistM -c Release --no-build -- train --method dann --preset "$PRESET" --size "$SIZE" --seed "$SEED" \
  --threads "$THREADS" --steps "$STEPS" --eval-interval "$EVAL" --out "$OUT/ours" | grep -v '^dann [█·]' | tail -n 6
csv=$(ls "$OUT"/ours/*/metrics.csv | head -n 1)
ours=$(awk -F, -v t="$TARGET" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $1 == "eval" && $col["test_target_accuracy"] >= t { print $col["step"], $col["wall_s"], $col["test_target_accuracy"]; exit }' "$csv")

echo "== PyTorch: per-sample DataLoaders ($WORKERS workers per loader), preset $PYTORCH_PRESET, seed $SEED, $THREADS threads"
if [ "$PYTORCH_PRESET" = standard ]; then schedule=(--epochs "$EPOCHS"); else schedule=(--steps "$STEPS" --eval-interval "$EVAL"); fi
"$PYTHON" benchmarks/reference/dann_dataloader.py --preset "$PYTORCH_PRESET" --seed "$SEED" --threads "$THREADS" --workers "$WORKERS" \
  "${schedule[@]}" --stop-at "$TARGET" --max-seconds "${MAX_SECONDS:-0}" --json "$OUT/pytorch.json" | grep -v '^{'
theirs=$("$PYTHON" -c "import json,sys; r=json.load(open(sys.argv[1]))['reached']; print('' if r is None else f\"{r['step']} {r['seconds']} {r['accuracy']}\")" "$OUT/pytorch.json")

echo
row() { # label, "step seconds accuracy" or empty
  if [ -n "$2" ]; then set -- "$1" $2; printf '| %s | %s | %s | %.4f |\n' "$1" "$2" "$3" "$4"; else printf '| %s | not reached in %s steps | | |\n' "$1" "$STEPS"; fi
}
echo "| side | first evaluation ≥ $TARGET: step | wall time (s) | accuracy there |"
echo "|---|---|---|---|"
row "ours (DomainAdaptation, in-memory batches)" "$ours"
row "PyTorch, per-sample DataLoader ($WORKERS workers), preset $PYTORCH_PRESET" "$theirs"
if [ -n "$ours" ] && [ -n "$theirs" ]; then
  awk -v a="$(echo "$ours" | cut -d' ' -f2)" -v b="$(echo "$theirs" | cut -d' ' -f2)" 'BEGIN { printf "PyTorch / ours: %.2f (ours reaches the target that many times sooner)\n", b / a }'
fi
echo "results: $OUT"
