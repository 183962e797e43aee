#!/usr/bin/env python3
"""The tables of docs/selection.md from the JSON that `select --validator all --json FILE` writes.

For each validator, over every candidate (a run's checkpoint): Spearman's rank correlation of its score with the
MNIST-M test accuracy, and its regret — the best candidate's target accuracy minus that of the candidate the
validator ranks first. Then the same per method ("which checkpoint and which setting of this method?"): the mean
regret over methods with at least two candidates, and the worst. Target labels enter only these study figures.

Usage: study_table.py SELECT_JSON [SELECT_JSON…]   (several files: their candidates are pooled, e.g. study slices)
"""
import json, statistics, sys

def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r

def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ma, mb = statistics.mean(ra), statistics.mean(rb)
    num = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    den = (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5
    return num / den if den > 0 else float("nan")

def regret(candidates, validator):
    best = max(c["targetAccuracyStudyOnly"] for c in candidates)
    chosen = max(candidates, key=lambda c: c["scores"][validator]["score"])
    return best - chosen["targetAccuracyStudyOnly"], chosen

def main():
    candidates = []
    for path in sys.argv[1:]:
        candidates += json.load(open(path))["candidates"]
    validators = list(candidates[0]["scores"].keys())
    methods = {}
    for c in candidates:
        methods.setdefault(c["method"], []).append(c)
    grouped = {m: cs for m, cs in methods.items() if len(cs) >= 2}
    runs = {c["run"] for c in candidates}
    print(f"Candidates: {len(candidates)} checkpoints of {len(runs)} runs, {len(methods)} method settings; "
          f"target accuracy {min(c['targetAccuracyStudyOnly'] for c in candidates):.4f}–{max(c['targetAccuracyStudyOnly'] for c in candidates):.4f}.")
    print()
    print("| validator | Spearman ρ (all) | regret (all) | it chooses | mean regret per method | worst per method |")
    print("|---|---|---|---|---|---|")
    accuracy = [c["targetAccuracyStudyOnly"] for c in candidates]
    rows = []
    for v in validators:
        rho = spearman([c["scores"][v]["score"] for c in candidates], accuracy)
        r, chosen = regret(candidates, v)
        per = {m: regret(cs, v)[0] for m, cs in grouped.items()}
        worst = max(per, key=per.get) if per else None
        rows.append((r, v))
        within = f"{100 * statistics.mean(per.values()):.2f} points | {100 * per[worst]:.2f} ({worst})" if per else "— | —"
        print(f"| {v} | {rho:.3f} | {100 * r:.2f} points | {chosen['method']} seed {chosen['seed']} step {chosen['step']} "
              f"({chosen['targetAccuracyStudyOnly']:.4f}) | {within} |")
    print()
    best = max(candidates, key=lambda c: c["targetAccuracyStudyOnly"])
    print(f"Best candidate (study only): {best['method']} seed {best['seed']} step {best['step']} ({best['targetAccuracyStudyOnly']:.4f}).")

if __name__ == "__main__":
    main()
