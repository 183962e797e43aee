#!/usr/bin/env bash
# The methods benchmark of docs/methods.md: every method of the catalogue on MNIST → MNIST-M with the modern backbone
# (ModelPresets.MnistModern, Adam 10⁻³ annealed, batch norm per domain, 3×32×32), the same step budget for all, seeds
# 1–3, one run at a time with 2 threads; then the table (benchmarks/methods/methods_table.py).
#
# Usage: benchmarks/methods/run-methods.sh [OUT] [STEPS] [METHODS…]
#   OUT      where the run folders go (default: runs/methods); a finished run (its report.md exists) is not run again
#   STEPS    training steps per run (default: 6000)
#   METHODS  method specifications (default: every method of the catalogue and two composites)
# Environment: DOMAINADAPTATION_DATA (default ../shared/data), SEEDS (default "1 2 3"), EVAL_INTERVAL (default 500).
# Takes about 2 hours per seed on 2 cores for the default list (5–9 minutes a run; MCD, with 6 passes a step, is the
# longest), so about 6½ hours for seeds 1–3.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-runs/methods}"
steps="${2:-6000}"
shift $(( $# > 2 ? 2 : $# )) || true
methods=("$@")
if [ ${#methods[@]} -eq 0 ]; then
  methods=(source-only dann cdan cdan-e mdd dan jan coral mcd mcc bnm entropy afn hafn fixmatch mean-teacher dann+mcc cdan-e+entropy
           dann+mcc+fixmatch:delay=0.25,threshold=0.8 target-only)
fi
seeds="${SEEDS:-1 2 3}"
interval="${EVAL_INTERVAL:-500}"
export DOMAINADAPTATION_DATA="${DOMAINADAPTATION_DATA:-$(pwd)/../shared/data}"
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824}"
dotnet build samples/MnistToMnistM -c Release -v q -nologo >/dev/null
sample=(dotnet run --project samples/MnistToMnistM -c Release --no-build --)
for m in "${methods[@]}"; do
  for s in $seeds; do
    name=$(echo "$m" | tr ':+=,' '_p__')
    folder="$out/$name/seed$s"
    if ls "$folder"/*/report.md >/dev/null 2>&1; then echo "run-methods: $m seed $s done already"; continue; fi
    rm -rf "$folder"; mkdir -p "$out/$name"
    echo "run-methods: $m seed $s ($steps steps)"
    /usr/bin/time -v "${sample[@]}" train --method "$m" --preset modern --steps "$steps" --eval-interval "$interval" --seed "$s" --threads 2 --out "$folder" \
      > "$folder.log" 2>&1 || echo "run-methods: $m seed $s FAILED (see $folder.log)"
  done
done
python3 benchmarks/methods/methods_table.py "$out"
