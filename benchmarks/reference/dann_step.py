#!/usr/bin/env python3
"""The PyTorch reference for DomainAdaptation's macro benchmarks (benchmarks/DomainAdaptation.Benchmarks.Macro).

The identical DANN step: the paper's MNIST network at 3xSxS, S = --size (conv5x5x32 -> ReLU -> maxpool2 -> conv5x5x48
-> ReLU -> maxpool2 -> flatten (F), the standard PyTorch layer order; DannPresets.Mnist pools before the ReLU, which
gives the same values and gradients bit for bit and is what --pool-first does here too; label head fc F-100-100-10 with ReLUs ; domain head through
the gradient reversal layer fc F-100-1), 64 source + 64 target images sampled from uint8 pools in memory, converted to
float32 and normalised ((x/255 - 0.5)/0.5), cross-entropy on the source half, binary cross-entropy with logits on all
128 domain logits, gradients set to None, backward, SGD lr 0.01 momentum 0.9, with the paper's lambda and learning-rate
schedules set every step. Inference: 1024 images -> float -> normalise -> features -> label head -> argmax, no grad.
Image size: 32 by default (MNIST padded to 32x32 and MNIST-M as released, the sample's default input; F = 48*5*5 = 1200),
or 28 (the paper's 3x28x28; F = 48*4*4 = 768).

Run with Debian's PyTorch: /usr/bin/python3 benchmarks/reference/dann_step.py step --threads 2
(apt-get install python3-torch libopenblas0-pthread). See docs/performance.md.
"""
import argparse
import ctypes
import json
import math
import os
import platform
import sys
import time

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("command", choices=["step", "infer", "rss"])
parser.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads (torch.set_num_threads)")
parser.add_argument("--blas-threads", type=int, default=None,
                    help="OpenBLAS threads (OPENBLAS_NUM_THREADS, read when torch loads); default: --threads")
parser.add_argument("--steps", type=int, default=None, help="measured steps (step: 300, rss: 5000)")
parser.add_argument("--warmup", type=int, default=None, help="warm-up steps or batches (step: 50, infer: 3)")
parser.add_argument("--batch", type=int, default=1024, help="inference batch")
parser.add_argument("--batches", type=int, default=30, help="measured inference batches")
parser.add_argument("--sample-every", type=int, default=100)
parser.add_argument("--flat-from", type=int, default=500)
parser.add_argument("--malloc", choices=["tuned", "default"], default="tuned",
                    help="tuned: mallopt(M_MMAP_THRESHOLD, 32 MiB) and mallopt(M_TRIM_THRESHOLD, 1 GiB), as RuntimeTuning does")
parser.add_argument("--channels-last", action="store_true",
                    help="lay the batch out channels-last (what DannPresets.Mnist's channels_last layer does); "
                         "off by default: the reference is the standard NCHW PyTorch step")
parser.add_argument("--pool-first", action="store_true",
                    help="max-pool before ReLU (what DannPresets.Mnist does: the same values and gradients, ReLU on a "
                         "quarter of the elements); off by default: the reference is the standard conv -> ReLU -> pool")
parser.add_argument("--size", type=int, choices=[28, 32], default=32,
                    help="image height and width: 32 (MNIST padded, MNIST-M as released; the sample's default) or 28 (the paper's)")
parser.add_argument("--pool", type=int, default=4096, help="images per domain in memory")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--json", default=None, help="write the result here")
args = parser.parse_args()

blas_threads = args.blas_threads if args.blas_threads is not None else args.threads
# Thread counts of the BLAS and OpenMP runtimes are read when they load, so they are set before torch is imported.
os.environ["OPENBLAS_NUM_THREADS"] = str(blas_threads)
os.environ["OMP_NUM_THREADS"] = str(args.threads)

malloc_outcome = "NotRequested"
if args.malloc == "tuned":
    try:
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        ok = libc.mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1 and libc.mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1
        malloc_outcome = "Applied" if ok else "Failed"
    except (OSError, AttributeError):
        malloc_outcome = "NotGlibc"

import torch  # noqa: E402  (after the environment above)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)

SOURCE_BATCH, TARGET_BATCH = 64, 64
BASE_LR, MOMENTUM = 0.01, 0.9
MEAN, STD = 0.5, 0.5


class GradientReversal(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lambd):
        ctx.lambd = lambd
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.mul(-ctx.lambd), None


def mnist_spatial(size):
    """Height or width after conv 5 -> pool 2 -> conv 5 -> pool 2 (no padding), as DannPresets.MnistSpatial."""
    return ((size - 4) // 2 - 4) // 2


class Dann(nn.Module):
    def __init__(self, size, pool_first=False):
        super().__init__()
        features = 48 * mnist_spatial(size) ** 2
        block = (lambda: [nn.MaxPool2d(2), nn.ReLU()]) if pool_first else (lambda: [nn.ReLU(), nn.MaxPool2d(2)])
        self.feature_extractor = nn.Sequential(
            nn.Conv2d(3, 32, 5), *block(),
            nn.Conv2d(32, 48, 5), *block(),
            nn.Flatten())
        self.label_classifier = nn.Sequential(
            nn.Linear(features, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
        self.domain_classifier = nn.Sequential(nn.Linear(features, 100), nn.ReLU(), nn.Linear(100, 1))
        self.lambd = 0.0

    def forward(self, x):
        features = self.feature_extractor(x)
        return (self.label_classifier(features),
                self.domain_classifier(GradientReversal.apply(features, self.lambd)),
                features)

    def classify(self, x):
        return self.label_classifier(self.feature_extractor(x))


def ganin_lambda(p, gamma=10.0):
    return 2.0 / (1.0 + math.exp(-gamma * p)) - 1.0


def annealing_factor(p, alpha=10.0, beta=0.75):
    return 1.0 / (1.0 + alpha * p) ** beta


class Harness:
    def __init__(self, pool, size, seed):
        torch.manual_seed(seed)
        self.model = Dann(size, args.pool_first)
        self.model.train()
        data = torch.Generator().manual_seed(seed + 1)
        self.pool = pool
        self.source_images = torch.randint(0, 256, (pool, 3, size, size), dtype=torch.uint8, generator=data)
        self.source_labels = torch.randint(0, 10, (pool,), dtype=torch.int64, generator=data)
        self.target_images = torch.randint(0, 256, (pool, 3, size, size), dtype=torch.uint8, generator=data)
        self.domain_labels = torch.cat([torch.zeros(SOURCE_BATCH, 1), torch.ones(TARGET_BATCH, 1)])
        self.sampling = torch.Generator().manual_seed(seed + 2)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=BASE_LR, momentum=MOMENTUM)
        self.channels_last = args.channels_last

    def step(self, step, total):
        p = step / total
        self.model.lambd = ganin_lambda(p)
        lr = BASE_LR * annealing_factor(p)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

        source_index = torch.randint(0, self.pool, (SOURCE_BATCH,), dtype=torch.int64, generator=self.sampling)
        target_index = torch.randint(0, self.pool, (TARGET_BATCH,), dtype=torch.int64, generator=self.sampling)
        x = torch.cat([self.source_images.index_select(0, source_index), self.target_images.index_select(0, target_index)]) \
            .to(torch.float32).div_(255.0).sub_(MEAN).div_(STD)
        y = self.source_labels.index_select(0, source_index)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)

        class_logits, domain_logits, _ = self.model(x)
        class_loss = F.cross_entropy(class_logits.narrow(0, 0, SOURCE_BATCH), y)
        domain_loss = F.binary_cross_entropy_with_logits(domain_logits, self.domain_labels)
        loss = class_loss + domain_loss

        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def infer(self, batch, sampling):
        with torch.no_grad():
            index = torch.randint(0, self.pool, (batch,), dtype=torch.int64, generator=sampling)
            x = self.target_images.index_select(0, index).to(torch.float32).div_(255.0).sub_(MEAN).div_(STD)
            if self.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            predicted = self.model.classify(x).argmax(1)
            return predicted[0].item()


def percentile(sorted_values, q):
    """Linear interpolation between closest ranks (numpy's default), as in the C# harness."""
    position = q * (len(sorted_values) - 1)
    lower = int(math.floor(position))
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def summary(values):
    s = sorted(values)
    mean = sum(s) / len(s)
    var = sum((v - mean) ** 2 for v in s) / max(1, len(s) - 1)
    median, p90 = percentile(s, 0.5), percentile(s, 0.9)
    return {"count": len(s), "median": median, "p90": p90, "mean": mean, "min": s[0], "max": s[-1],
            "stdDev": math.sqrt(var), "p90OverMedian": p90 / median}


def blas_libraries():
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "blas" in path or "mkl" in path or "dnnl" in path or "gomp" in path:
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def cpu_snapshot():
    """(busy, total) jiffies from /proc/stat and this process's CPU seconds, as the C# harness reads them."""
    own = sum(os.times()[:2])
    try:
        with open("/proc/stat") as stat:
            v = [int(x) for x in stat.readline().split()[1:]]
        busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
        return busy, sum(v[:8]), own
    except OSError:
        return 0, 0, own


def others_percent(start):
    """CPU time used by others (processes and other guests) since start, in percent of all cores' capacity."""
    end = cpu_snapshot()
    total = end[1] - start[1]
    if total <= 0:
        return 0.0
    others = (end[0] - start[0]) - (end[2] - start[2]) * os.sysconf("SC_CLK_TCK")
    return max(0.0, 100.0 * others / total)


def resident_mib(key="VmRSS:"):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) / 1024.0
    return None


def context(command):
    return {
        "command": command,
        "malloc": args.malloc,
        "channelsLast": args.channels_last,
        "poolFirst": args.pool_first,
        "imageSize": args.size,
        "mallocOutcome": malloc_outcome,
        "glibc": platform.libc_ver()[1],
        "intraOpThreads": torch.get_num_threads(),
        "interOpThreads": torch.get_num_interop_threads(),
        "blasThreads": blas_threads,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "mkldnn": torch.backends.mkldnn.is_available(), "libraries": blas_libraries()},
        "environment": {k: os.environ.get(k) for k in
                        ["GLIBC_TUNABLES", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"]},
        "loadAverageAtStart": list(os.getloadavg()),
    }


def describe(ctx):
    libs = ", ".join(os.path.basename(p) for p in ctx["versions"]["libraries"]) or "none found"
    return (f"{ctx['command']}: malloc {ctx['malloc']} ({ctx['mallocOutcome']}), channels-last {ctx['channelsLast']}, image 3x{ctx['imageSize']}x{ctx['imageSize']}, intra-op threads {ctx['intraOpThreads']}, "
            f"inter-op threads {ctx['interOpThreads']}, OpenBLAS threads {ctx['blasThreads']}, PyTorch {torch.__version__}, "
            f"Python {platform.python_version()}, native: {libs}; load average {' '.join(f'{v:.2f}' for v in ctx['loadAverageAtStart'])}"
            + (f"; GLIBC_TUNABLES={ctx['environment']['GLIBC_TUNABLES']} is set" if ctx['environment']['GLIBC_TUNABLES'] else ""))


def run_step():
    warmup = 50 if args.warmup is None else args.warmup
    steps = 300 if args.steps is None else args.steps
    ctx = context("step")
    print(describe(ctx), flush=True)
    h = Harness(args.pool, args.size, args.seed)
    total = warmup + steps
    for i in range(warmup):
        h.step(i, total)
    samples = []
    loss = 0.0
    steal = cpu_snapshot()
    cpu = sum(os.times()[:2])
    for i in range(steps):
        start = time.perf_counter()
        loss = h.step(warmup + i, total)
        samples.append((time.perf_counter() - start) * 1000.0)
    cpu_ms = (sum(os.times()[:2]) - cpu) * 1000.0 / steps
    stolen = others_percent(steal)
    s = summary(samples)
    print(f"step: {steps} steps at 3x{args.size}x{args.size} after {warmup} warm-up: median {s['median']:.2f} ms, p90 {s['p90']:.2f} ms "
          f"(p90/median {s['p90OverMedian']:.2f}), mean {s['mean']:.2f}, min {s['min']:.2f}, max {s['max']:.2f}; CPU {cpu_ms:.2f} ms per step; last loss {loss:.4f}; "
          f"CPU used by others {stolen:.1f}%")
    return {"context": ctx, "warmup": warmup, "steps": steps, "msPerStep": s, "cpuMsPerStep": cpu_ms, "finalLoss": loss,
            "othersCpuPercent": stolen,
            "samplesMs": samples}


def run_infer():
    warmup = 3 if args.warmup is None else args.warmup
    ctx = context("infer")
    print(describe(ctx), flush=True)
    h = Harness(args.pool, args.size, args.seed)
    h.model.eval()
    sampling = torch.Generator().manual_seed(3)
    for _ in range(warmup):
        h.infer(args.batch, sampling)
    samples = []
    steal = cpu_snapshot()
    start_all = time.perf_counter()
    for _ in range(args.batches):
        start = time.perf_counter()
        h.infer(args.batch, sampling)
        samples.append((time.perf_counter() - start) * 1000.0)
    seconds = time.perf_counter() - start_all
    stolen = others_percent(steal)
    ips = args.batches * args.batch / seconds
    s = summary(samples)
    print(f"infer: batch {args.batch} at 3x{args.size}x{args.size}, {args.batches} batches: {ips:.0f} images/s (median {s['median']:.2f} ms per batch); CPU used by others {stolen:.1f}%")
    return {"context": ctx, "batch": args.batch, "batches": args.batches, "imagesPerSecond": ips, "msPerBatch": s,
            "othersCpuPercent": stolen}


def run_rss():
    steps = 5000 if args.steps is None else args.steps
    ctx = context("rss")
    print(describe(ctx), flush=True)
    h = Harness(args.pool, args.size, args.seed)
    samples = [{"step": 0, "residentMiB": resident_mib()}]
    times = []
    steal = cpu_snapshot()
    for i in range(steps):
        start = time.perf_counter()
        h.step(i, steps)
        times.append((time.perf_counter() - start) * 1000.0)
        if (i + 1) % args.sample_every == 0:
            samples.append({"step": i + 1, "residentMiB": resident_mib()})
    window = [s["residentMiB"] for s in samples if s["step"] >= args.flat_from]
    mean = sum(window) / len(window)
    deviation = max(abs(v - mean) for v in window) / mean * 100.0
    peak = resident_mib("VmHWM:")
    stolen = others_percent(steal)
    t = summary(times)
    print(f"rss: {steps} steps at 3x{args.size}x{args.size}, sampled every {args.sample_every}: from step {args.flat_from} mean {mean:.1f} MiB, "
          f"min {min(window):.1f}, max {max(window):.1f}, max deviation from the mean {deviation:.2f}%; peak (VmHWM) {peak:.1f} MiB; "
          f"step median {t['median']:.2f} ms, p90 {t['p90']:.2f} ms; CPU used by others {stolen:.1f}%")
    return {"context": ctx, "steps": steps, "sampleEvery": args.sample_every, "flatFrom": args.flat_from,
            "meanMiB": mean, "minMiB": min(window), "maxMiB": max(window), "maxDeviationPercent": deviation,
            "peakMiB": peak, "msPerStep": t, "othersCpuPercent": stolen, "samples": samples}


result = {"step": run_step, "infer": run_infer, "rss": run_rss}[args.command]()
if args.json:
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
