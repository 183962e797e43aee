#!/usr/bin/env bash
# The validator study of docs/selection.md: every run folder under the given roots (run-methods.sh's output and any
# other MNIST → MNIST-M runs, e.g. other settings of a method), every checkpoint each kept, scored by every label-free
# validator (and by reverse validation where `reverse-validate` has left a result in every run), then the study table
# (benchmarks/selection/study_table.py). Target labels enter only the study figures.
#
# Target-only runs are left out: they are trained on the target labels, which a user choosing without labels does not
# have. A ROOT may also be a run folder itself (e.g. a paper-preset run outside run-methods.sh's layout).
# Usage: benchmarks/selection/run-study.sh OUT_JSON ROOT [ROOT…]
# Environment: DOMAINADAPTATION_DATA (default ../shared/data), SAMPLES (images per set and score, default 4000).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$1"; shift
export DOMAINADAPTATION_DATA="${DOMAINADAPTATION_DATA:-$(pwd)/../shared/data}"
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824}"
runs=()
for root in "$@"; do
  if [ -f "$root/report.md" ]; then runs+=("$root"); continue; fi
  while IFS= read -r report; do runs+=("$(dirname "$report")"); done < <(find "$root" -mindepth 2 -name report.md -path '*/seed*/*' -not -path '*/target-only/*' | sort)
done
[ ${#runs[@]} -gt 0 ] || { echo "run-study: no run folders (…/seed*/<run>/report.md) under $*" >&2; exit 1; }
echo "run-study: ${#runs[@]} runs"
dotnet build samples/MnistToMnistM -c Release -v q -nologo >/dev/null
dotnet run --project samples/MnistToMnistM -c Release --no-build -- select --run "${runs[@]}" --validator all --checkpoints \
  --samples "${SAMPLES:-4000}" --json "$out" > "${out%.json}.log"
python3 benchmarks/selection/study_table.py "$out"
