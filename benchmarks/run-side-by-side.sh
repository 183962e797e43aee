#!/usr/bin/env bash
# Runs DomainAdaptation's macro benchmarks (TorchSharp) and the PyTorch reference (benchmarks/reference/dann_step.py)
# on this machine, in one go, with the same thread settings, alternating the two sides run by run, and prints the
# ratio TorchSharp / PyTorch for every figure, with the versions and thread settings each side used.
#
#   benchmarks/run-side-by-side.sh                        # threads = cores, 3 repeats, step + inference, both malloc modes
#   THREADS=1 REPEAT=5 benchmarks/run-side-by-side.sh
#   RSS_STEPS=5000 benchmarks/run-side-by-side.sh         # also RSS over 5,000 steps (about 2 minutes per run and side)
#   MALLOC="tuned" benchmarks/run-side-by-side.sh         # only RuntimeTuning's malloc thresholds (both sides)
#   PYTORCH_CHANNELS_LAST=true benchmarks/run-side-by-side.sh   # give PyTorch the channels-last layout too
#   PYTORCH_POOL_FIRST=true benchmarks/run-side-by-side.sh      # and/or max-pool before ReLU, as ModelPresets.Mnist does
#   SIZE=28 benchmarks/run-side-by-side.sh                # the paper's 3x28x28 images instead of 3x32x32 (both sides)
#
# On a shared machine, QUIET_BELOW=10 makes every run wait (up to QUIET_TIMEOUT seconds, default 900) until the CPU
# use over 5 s is below that percentage; the use seen is recorded in each result (othersCpuPercent).
#
# Environment: THREADS (default: nproc), REPEAT (3), STEPS (300), WARMUP (50), BATCHES (30), RSS_STEPS (0 = skip),
# SIZE (32: 3x32x32 images, MNIST padded and MNIST-M as released, the sample's default input; 28: the paper's 3x28x28),
# MALLOC ("default tuned"), OURS_CHANNELS_LAST (true: ModelPresets.Mnist's default), OURS_DRIVER (trainer: the library's
# AdaptationTrainer runs our steps; hand: the hand-written step that mirrors dann_step.py), PYTORCH_CHANNELS_LAST (false: the
# standard NCHW PyTorch step), PYTORCH_POOL_FIRST (false: the standard conv -> ReLU -> pool order), OUT (benchmarks/results/side-by-side-<time>). Needs the .NET SDK; installs Debian's
# python3-torch and libopenblas0-pthread with apt-get when missing (as root), or says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

THREADS=${THREADS:-$(nproc)}
REPEAT=${REPEAT:-3}
STEPS=${STEPS:-300}
WARMUP=${WARMUP:-50}
BATCHES=${BATCHES:-30}
RSS_STEPS=${RSS_STEPS:-0}
SIZE=${SIZE:-32}
MALLOC=${MALLOC:-"default tuned"}
OURS_CHANNELS_LAST=${OURS_CHANNELS_LAST:-true}
OURS_DRIVER=${OURS_DRIVER:-trainer}
PYTORCH_CHANNELS_LAST=${PYTORCH_CHANNELS_LAST:-false}
PYTORCH_POOL_FIRST=${PYTORCH_POOL_FIRST:-false}
OUT=${OUT:-$root/benchmarks/results/side-by-side-$(date +%Y%m%d-%H%M%S)}
PYTHON=/usr/bin/python3   # Debian's python, the one python3-torch installs into (not a pyenv python on PATH)

missing=()
command -v dotnet >/dev/null 2>&1 || missing+=("the .NET SDK 10 (dotnet on PATH)")
need_apt=()
[ -x "$PYTHON" ] || need_apt+=(python3)
if [ -x "$PYTHON" ] && ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then need_apt+=(python3-torch); fi
if [ ! -e "/usr/lib/$(uname -m)-linux-gnu/openblas-pthread/libblas.so.3" ]; then need_apt+=(libopenblas0-pthread); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${need_apt[*]} (apt-get)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}" >/dev/null
  else
    missing+=("Debian packages: ${need_apt[*]} (as root: apt-get update && apt-get install -y ${need_apt[*]})")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf 'side-by-side: missing %s\n' "${missing[@]}" >&2
  exit 1
fi

# Each side sets its own allocator (RuntimeTuning / ctypes mallopt); nothing may leak in from the environment.
unset GLIBC_TUNABLES OMP_NUM_THREADS MKL_NUM_THREADS OPENBLAS_NUM_THREADS

echo "== building the TorchSharp harness (Release)"
dotnet build "$root/benchmarks/DomainAdaptation.Benchmarks.Macro" -c Release -nologo -v q >/dev/null
harness=$(find "$root/benchmarks/DomainAdaptation.Benchmarks.Macro/bin/Release" -name DomainAdaptation.Benchmarks.Macro.dll | head -n 1)
[ -n "$harness" ] || { echo "side-by-side: the harness did not build" >&2; exit 1; }
reference="$root/benchmarks/reference/dann_step.py"
mkdir -p "$OUT"

{
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) logical cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); glibc $(ldd --version | head -n1 | awk '{print $NF}')"
  echo "TorchSharp side: .NET $(dotnet --version) SDK; $(grep -o '"TorchSharp/[0-9.]*"' "${harness%.dll}.deps.json" | head -n1 | tr -d '"'), $(grep -o '"libtorch-cpu-[a-z0-9-]*/[0-9.]*"' "${harness%.dll}.deps.json" | head -n1 | tr -d '"'); intra-op threads $THREADS (RuntimeTuning); channels-last layer $OURS_CHANNELS_LAST; step driven by $OURS_DRIVER"
  echo "PyTorch side: Python $("$PYTHON" -c 'import platform; print(platform.python_version())'), python3-torch $(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null || echo '?') (torch.__version__ $("$PYTHON" -c 'import torch; print(torch.__version__)')), BLAS $(readlink -f /etc/alternatives/libblas.so.3-$(uname -m)-linux-gnu 2>/dev/null || echo '?'); intra-op threads $THREADS (torch.set_num_threads), OpenBLAS threads $THREADS, OMP_NUM_THREADS $THREADS; channels-last $PYTORCH_CHANNELS_LAST; pool before ReLU $PYTORCH_POOL_FIRST"
  echo "settings: images 3x${SIZE}x${SIZE}, $REPEAT repeat(s), $WARMUP warm-up + $STEPS measured steps, inference $BATCHES batches of 1024, RSS steps $RSS_STEPS, malloc modes: $MALLOC"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/conditions.txt"

load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" -v c="$(nproc)" 'BEGIN{exit !(l > c * 0.5)}'; then
  echo "warning: the 1-minute load average ($load1) is above half the cores; the figures will be noisy" | tee -a "$OUT/conditions.txt"
fi

QUIET_BELOW=${QUIET_BELOW:-}
QUIET_TIMEOUT=${QUIET_TIMEOUT:-900}
# Percentage of all cores' time spent busy over $1 seconds (from /proc/stat).
cpu_busy() {
  local a b busy total i
  read -ra a < <(head -n 1 /proc/stat); sleep "$1"; read -ra b < <(head -n 1 /proc/stat)
  busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
  total=0; for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * busy / total : 0 ))
}
wait_quiet() {
  [ -n "$QUIET_BELOW" ] || return 0
  local start=$SECONDS busy
  while busy=$(cpu_busy 5); [ "$busy" -ge "$QUIET_BELOW" ]; do
    if [ $(( SECONDS - start )) -ge "$QUIET_TIMEOUT" ]; then
      echo "   (machine still ${busy}% busy after ${QUIET_TIMEOUT} s; measuring anyway)"; return 0
    fi
  done
}

pytorch_layout=()
[ "$PYTORCH_CHANNELS_LAST" = true ] && pytorch_layout=(--channels-last)
[ "$PYTORCH_POOL_FIRST" = true ] && pytorch_layout+=(--pool-first)
ours()   { wait_quiet; dotnet "$harness" "$@" --size "$SIZE" --channels-last "$OURS_CHANNELS_LAST"; }
theirs() { wait_quiet; "$PYTHON" "$reference" "$@" --size "$SIZE" "${pytorch_layout[@]}"; }
for r in $(seq 1 "$REPEAT"); do
  for m in $MALLOC; do
    echo "== repeat $r, malloc $m"
    ours   step  --threads "$THREADS" --malloc "$m" --steps "$STEPS" --warmup "$WARMUP" --driver "$OURS_DRIVER" --json "$OUT/ours-step-$m-$r.json" | tail -n 1
    theirs step  --threads "$THREADS" --malloc "$m" --steps "$STEPS" --warmup "$WARMUP" --json "$OUT/pytorch-step-$m-$r.json" | tail -n 1
    ours   infer --threads "$THREADS" --malloc "$m" --batches "$BATCHES" --json "$OUT/ours-infer-$m-$r.json" | tail -n 1
    theirs infer --threads "$THREADS" --malloc "$m" --batches "$BATCHES" --json "$OUT/pytorch-infer-$m-$r.json" | tail -n 1
    if [ "$RSS_STEPS" -gt 0 ]; then
      ours   rss --threads "$THREADS" --malloc "$m" --steps "$RSS_STEPS" --json "$OUT/ours-rss-$m-$r.json" | tail -n 1
      theirs rss --threads "$THREADS" --malloc "$m" --steps "$RSS_STEPS" --json "$OUT/pytorch-rss-$m-$r.json" | tail -n 1
    fi
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/conditions.txt"

"$PYTHON" "$root/benchmarks/reference/side_by_side_report.py" "$OUT" | tee "$OUT/report.md"
echo "results: $OUT"
