#!/usr/bin/env python3
"""Summarises a run of benchmarks/run-side-by-side.sh: one markdown table, TorchSharp (ours) against PyTorch.

Each figure is the median over the repeats of that figure (each repeat is one fresh process per side); the spread is
the lowest and highest per-repeat value. Ratio = TorchSharp / PyTorch: below 1 is better for times, above 1 for images/s.
"""
import glob
import json
import os
import statistics
import sys

out = sys.argv[1]


def load(side, kind, mode):
    runs = []
    for path in sorted(glob.glob(os.path.join(out, f"{side}-{kind}-{mode}-*.json"))):
        with open(path) as f:
            runs.append(json.load(f))
    return runs


FIGURES = [
    # (kind, label, getter, format, lower is better)
    ("step", "step median (ms)", lambda r: r["msPerStep"]["median"], "{:.2f}", True),
    ("step", "step p90 (ms)", lambda r: r["msPerStep"]["p90"], "{:.2f}", True),
    ("step", "step CPU time, all threads (ms)", lambda r: r.get("cpuMsPerStep", float("nan")), "{:.2f}", True),
    ("step", "CPU used by others during the steps (%)", lambda r: r["othersCpuPercent"], "{:.1f}", True),
    ("step", "step p90/median", lambda r: r["msPerStep"]["p90"] / r["msPerStep"]["median"], "{:.2f}", True),
    ("infer", "inference (images/s, batch 1024)", lambda r: r["imagesPerSecond"], "{:.0f}", False),
    ("rss", "RSS mean from step 500 (MiB)", lambda r: r["meanMiB"], "{:.0f}", True),
    ("rss", "RSS max deviation from mean (%)", lambda r: r["maxDeviationPercent"], "{:.1f}", True),
    ("rss", "peak RSS (MiB)", lambda r: r["peakMiB"], "{:.0f}", True),
    ("rss", "step median during RSS run (ms)", lambda r: r["msPerStep"]["median"], "{:.2f}", True),
]

modes = sorted({os.path.basename(p).split("-")[2] for p in glob.glob(os.path.join(out, "*-*-*-*.json"))})
print("| malloc | figure | TorchSharp (median; min–max) | PyTorch (median; min–max) | ratio TorchSharp / PyTorch (median of paired; min–max) | better when |")
print("|---|---|---|---|---|---|")
for mode in modes:
    for kind, label, get, fmt, lower in FIGURES:
        ours, theirs = load("ours", kind, mode), load("pytorch", kind, mode)
        if not ours or not theirs:
            continue
        a, b = [get(r) for r in ours], [get(r) for r in theirs]
        paired = [x / y for x, y in zip(a, b) if y]

        def cell(v):
            return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}–{fmt.format(max(v))})"

        ratio = f"{statistics.median(paired):.2f} ({min(paired):.2f}–{max(paired):.2f})" if paired else "-"
        print(f"| {mode} | {label} | {cell(a)} | {cell(b)} | {ratio} | {'lower' if lower else 'higher'} |")
print()
print(f"{len(load('ours', 'step', modes[0])) if modes else 0} repeat(s) per figure and side; raw results in {out}")
