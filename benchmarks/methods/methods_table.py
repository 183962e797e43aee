#!/usr/bin/env python3
"""The table of docs/methods.md from the run folders written by run-methods.sh.

For each method: MNIST-M test accuracy of the last step (mean ± sd over the seeds, and each seed), the same after AdaBN
(the report's "target, AdaBN" column), the source (MNIST test) accuracy, the wall time of a run (the whole command:
data loading, training, evaluations, report), the wall time until the periodic evaluation first reached 0.90 and 0.7666
on the MNIST-M test set, and the median step time. Label-free columns for choosing without target labels: the mean
target prediction entropy of the last evaluation and the source accuracy.

Wall-clock figures exclude the intervals listed in OUT/pauses.txt (one "start end" pair of epoch seconds per line),
when the training process was stopped (SIGSTOP) so that the machine could build code; the run's start is its folder
name's timestamp (UTC).

Usage: methods_table.py OUT
"""
import calendar, csv, glob, json, os, statistics, sys, time

# Published MNIST → MNIST-M figures, with the paper's (smaller, batch-norm-free) network, not the modern one.
PUBLISHED = {
    "source-only": "0.5225 (Ganin et al., ICML 2015, Table 1)",
    "dann": "0.7666 (Ganin et al., ICML 2015, Table 1)",
    "target-only": "0.9596 (Ganin et al., ICML 2015, Table 1)",
}

PAUSES = []

def paused(start, end):
    """Seconds of [start, end] (epoch) during which the benchmark was paused."""
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in PAUSES)

def start_of(run):
    stamp = os.path.basename(run)[:15]
    return calendar.timegm(time.strptime(stamp, "%Y%m%d-%H%M%S"))

def runs(out):
    for method_dir in sorted(glob.glob(os.path.join(out, "*"))):
        if not os.path.isdir(method_dir):
            continue
        for seed_dir in sorted(glob.glob(os.path.join(method_dir, "seed*"))):
            for run in glob.glob(os.path.join(seed_dir, "*")):
                if os.path.exists(os.path.join(run, "report.md")):
                    yield run

def read(run):
    info = json.load(open(os.path.join(run, "run.json")))
    rows = list(csv.DictReader(open(os.path.join(run, "metrics.csv"))))
    steps = [r for r in rows if r["kind"] == "step"]
    evals = [r for r in rows if r["kind"] == "eval"]
    last = evals[-1]
    start = start_of(run)
    def first(threshold):
        for r in evals:
            if r["test_target_accuracy"] and float(r["test_target_accuracy"]) >= threshold:
                t = float(r["wall_s"])
                return t - paused(start, start + t)
        return None
    adabn = None
    wall = float(last["wall_s"])
    for line in open(os.path.join(run, "report.md")):
        if line.startswith("| ") and not line.startswith("| method") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) > 3 and cells[3] not in ("—", ""):
                adabn = float(cells[3])
            wall = float(cells[-1].rstrip(" s"))
            break
    wall -= paused(start, start + wall)
    return {
        "method": info["settings"]["Method"] + (f" --source-augmentation {info['settings']['SourceAugmentation'].lower()}"
                                                 if info["settings"].get("SourceAugmentation", "None") != "None" else ""),
        "seed": info["settings"]["Seed"],
        "target": float(last["test_target_accuracy"]),
        "source": float(last["test_source_accuracy"]),
        "entropy": float(last["test_target_entropy"]),
        "adabn": adabn,
        "wall": wall,
        "to90": first(0.90),
        "to7666": first(0.7666),
        "step_ms": statistics.median(float(r["step_ms"]) for r in steps),
        "steps": int(steps[-1]["step"]),
    }

def mean_sd(values):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}"

def seconds(values):
    values = [v for v in values]
    if any(v is None for v in values) or not values:
        reached = [v for v in values if v is not None]
        return f"{len(reached)}/{len(values)} seeds" + (f" (median {statistics.median(reached):.0f} s)" if reached else "")
    return f"{statistics.median(values):.0f} s"

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "runs/methods"
    pauses = os.path.join(out, "pauses.txt")
    if os.path.exists(pauses):
        PAUSES.extend(tuple(map(float, line.split())) for line in open(pauses) if line.strip())
    by_method = {}
    for run in runs(out):
        r = read(run)
        by_method.setdefault(r["method"], []).append(r)
    print("| method | MNIST-M test (mean ± sd) | seeds | with AdaBN | MNIST test | target entropy (label-free) | wall time (median) | to 0.90 | to 0.7666 | step | published (paper's network) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for method, rs in sorted(by_method.items(), key=lambda kv: -statistics.mean(r["target"] for r in kv[1])):
        rs.sort(key=lambda r: r["seed"])
        each = ", ".join("%.4f" % r["target"] for r in rs)
        print(f"| {method} | {mean_sd([r['target'] for r in rs])} | {each} | {mean_sd([r['adabn'] for r in rs])} | "
              f"{mean_sd([r['source'] for r in rs])} | {statistics.mean(r['entropy'] for r in rs):.4f} | {statistics.median(r['wall'] for r in rs):.0f} s | "
              f"{seconds([r['to90'] for r in rs])} | {seconds([r['to7666'] for r in rs])} | {statistics.median(r['step_ms'] for r in rs):.1f} ms | {PUBLISHED.get(method, '—')} |")
    steps = sorted({r["steps"] for rs in by_method.values() for r in rs})
    print()
    print(f"Steps per run: {', '.join(map(str, steps))}; runs: {sum(len(rs) for rs in by_method.values())}.")

if __name__ == "__main__":
    main()
