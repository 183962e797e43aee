#!/usr/bin/env bash
# Are two runs the same run? Compares two metrics.csv files with the timing columns (step_ms, wall_s) dropped: the
# check behind docs/methods.md's "DANN unchanged" (the same command before and after a change to the training core).
# Usage: benchmarks/methods/compare-metrics.sh A/metrics.csv B/metrics.csv   (exit 0: identical apart from timing)
set -euo pipefail
strip() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "step_ms" || $i == "wall_s") drop[i] = 1 } { s = ""; for (i = 1; i <= NF; i++) if (!(i in drop)) s = s $i ","; print s }' "$1"; }
cmp -s <(head -1 "$1") <(head -1 "$2") || { echo "different columns:"; head -1 "$1"; head -1 "$2"; exit 1; }
if diff <(strip "$1") <(strip "$2") > /dev/null; then
  echo "identical apart from step_ms and wall_s: $(wc -l < "$1") lines"
else
  echo "different:"; diff <(strip "$1") <(strip "$2") | head -6; exit 1
fi
