#!/usr/bin/env python3
"""Reference values for tests/DomainAdaptation.Tests/Selection/ValidatorsTests.cs, computed independently of the library:
scikit-learn's adjusted_mutual_info_score, scipy's spearmanr, numpy for entropy, IM, BNM, SND (pytorch-adapt's
SNDValidator written out in numpy) and DEV's risk (pytorch-adapt's get_dev_risk). Not needed by CI.

Run: /usr/bin/python3 benchmarks/reference/validators_reference.py   (Debian: apt-get install python3-sklearn)
"""
import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_mutual_info_score

# The fixtures, as the C# tests spell them.
LOGITS = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-1.0, 3.0, 0.0], [0.0, 0.0, 4.0], [1.5, 1.4, -0.2]])
A = [0, 0, 1, 1, 2, 2, 2, 0, 1, 2]
B = [1, 1, 0, 0, 2, 2, 0, 1, 0, 2]
W = [0.5, 1.5, 0.8, 2.0, 1.2]
ERR = [0.3, 1.1, 0.2, 0.9, 0.4]
X = [0.9, 0.1, 0.4, 0.4, 0.7, 0.2]
Y = [0.80, 0.30, 0.55, 0.50, 0.75, 0.35]

def softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)

p = softmax(LOGITS)
entropy = float(-(p * np.log(p)).sum(1).mean())
mean = p.mean(0)
diversity = float(-(mean * np.log(mean)).sum())
bnm = float(np.linalg.svd(p, compute_uv=False).sum() / p.shape[0])

q = p / np.linalg.norm(p, axis=1, keepdims=True)
s = q @ q.T
n = s.shape[0]
rows = []
for i in range(n):
    sim = np.delete(s[i], i) / 0.05
    e = np.exp(sim - sim.max())
    pi = e / e.sum()
    rows.append(-(pi * np.log(pi)).sum())
snd = float(np.mean(rows))

w = np.array(W)[:, None]
err = np.array(ERR)[:, None]
weighted = w * err
cov = np.cov(np.concatenate((weighted, w), axis=1), rowvar=False)[0][1]
eta = -cov / np.var(w, ddof=1)
dev_risk = float(np.mean(weighted) + eta * np.mean(w) - eta)

print(f"Entropy = {entropy!r}")
print(f"Diversity = {diversity!r}")
print(f"Im = {diversity - entropy!r}")
print(f"Bnm = {bnm!r}")
print(f"Snd = {snd!r}")
print(f"DevRisk = {dev_risk!r}, DevEta = {float(eta)!r}")
print(f"Ami = {adjusted_mutual_info_score(A, B)!r}")
print(f"AmiSame = {adjusted_mutual_info_score(A, A)!r}")
print(f"Spearman = {spearmanr(X, Y).correlation!r}")
