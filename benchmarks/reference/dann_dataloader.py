#!/usr/bin/env python3
"""End-to-end PyTorch baseline for MNIST -> MNIST-M: a standard DANN training script driven by per-sample DataLoaders.

This is how the public PyTorch DANN implementations are written (fungtion/DANN, wogong/pytorch-dann, CuthbertCai/
pytorch_DANN): a torch.utils.data.Dataset whose __getitem__ opens one image (MNIST from the IDX array through PIL, as
torchvision.datasets.MNIST does; MNIST-M one PNG file at a time with PIL, as their GetLoader does), applies
Resize(28) / ToTensor / Normalize per sample, and a DataLoader per domain (shuffle, batch 64, worker processes) that
collates the samples into batches. The model, the losses, the optimiser and the schedules are the same as the
sample's (samples/MnistToMnistM, `--preset paper` or `--preset modern`), so the wall-time difference is the input
pipeline and the framework, not the recipe.

`--preset standard` runs fungtion/DANN's own recipe instead (its 64/50-channel network, batch 128 per domain, Adam
10^-3 without annealing, the lambda ramp spread over --epochs 100 epochs of 461 steps, evaluation every epoch, its
Normalize constants): what a user who clones the most-used PyTorch reproduction gets.

It trains for --steps steps (the sample's 12,000 by default), evaluates on the MNIST-M test set every
--eval-interval steps (through a DataLoader too), and prints, per evaluation, the wall time since start (data
preparation excluded: the one-off extraction of the MNIST-M archive is done before the clock starts) and the
accuracy; it stops early once the accuracy reaches --stop-at (0.7666 by default). The last line is a JSON record.

  /usr/bin/python3 benchmarks/reference/dann_dataloader.py --preset modern --threads 2 --workers 2
  (apt-get install python3-torch python3-pil libopenblas0-pthread; DOMAINADAPTATION_DATA or --data: the folder with
  mnist/ and mnist_m/mnist_m.tar.gz)

torchvision is not needed (Debian 12 does not package it): the three transforms are written out below with PIL and
numpy, doing what torchvision's do.
"""
import argparse
import ctypes
import gzip
import json
import math
import os
import platform
import sys
import tarfile
import time

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--preset", choices=["paper", "modern", "standard"], default="paper",
                    help="paper/modern: the sample's recipes; standard: fungtion/DANN's own recipe as published (its network "
                         "64/50 channels, batch 128 per domain, Adam 1e-3 without annealing, lambda ramp over --epochs epochs)")
parser.add_argument("--data", default=os.environ.get("DOMAINADAPTATION_DATA", "../shared/data"))
parser.add_argument("--cache", default=os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                                                     "domainadaptation-reference"),
                    help="where the MNIST-M archive is extracted once (the per-sample loader reads the PNG files)")
parser.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads (torch.set_num_threads)")
parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes per loader")
parser.add_argument("--batch", type=int, default=None, help="images per domain per step (64; standard: 128)")
parser.add_argument("--steps", type=int, default=12000, help="planned steps (paper/modern; standard plans --epochs epochs)")
parser.add_argument("--epochs", type=int, default=100, help="standard only: the planned epochs the lambda ramp spans (fungtion/DANN: 100)")
parser.add_argument("--eval-interval", type=int, default=None, help="evaluate every N steps (1000; standard: every epoch)")
parser.add_argument("--stop-at", type=float, default=0.7666, help="stop once MNIST-M test accuracy reaches this (0: never)")
parser.add_argument("--max-seconds", type=float, default=0,
                    help="stop at the first evaluation after this many seconds of training (0: never); the schedules still span the planned run")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--malloc", choices=["tuned", "default"], default="default",
                    help="default: glibc's (what a standard script runs with); tuned: the mallopt calls RuntimeTuning makes")
parser.add_argument("--json", default=None, help="also write the final record here")
args = parser.parse_args()
if args.batch is None:
    args.batch = 128 if args.preset == "standard" else 64

os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
if args.malloc == "tuned":
    libc = ctypes.CDLL("libc.so.6")
    libc.mallopt(-3, 32 * 1024 * 1024)
    libc.mallopt(-1, 1024 * 1024 * 1024)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
np.random.seed(args.seed)


def log(message):
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------------------- data
def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def extract_mnistm(archive, cache):
    root = os.path.join(cache, "mnist_m")
    marker = os.path.join(root, ".extracted")
    if not os.path.exists(marker):
        log(f"extracting {archive} to {cache} (once; not timed)")
        os.makedirs(cache, exist_ok=True)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(cache)
        open(marker, "w").close()
    return root


def read_labels(path):
    names, labels = [], []
    with open(path) as f:
        for line in f:
            if line.strip():
                name, label = line.split()
                names.append(name)
                labels.append(int(label))
    return names, labels


class Transform:
    """torchvision's Resize(28) (bilinear, PIL) -> ToTensor -> Normalize(mean, std), on a PIL RGB image."""

    def __init__(self, size, mean, std):
        self.size, self.mean, self.std = size, np.array(mean, np.float32)[:, None, None], np.array(std, np.float32)[:, None, None]

    def __call__(self, image):
        if image.size != (self.size, self.size):
            image = image.resize((self.size, self.size), Image.BILINEAR)
        x = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255.0
        return torch.from_numpy((x - self.mean) / self.std)


class MnistDataset(Dataset):
    """torchvision.datasets.MNIST's per-item path: uint8 array -> PIL 'L' image -> RGB -> transform."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        image = Image.fromarray(self.images[i], mode="L").convert("RGB")
        return self.transform(image), int(self.labels[i])


class MnistMDataset(Dataset):
    """The reproductions' GetLoader: one PNG file opened per item."""

    def __init__(self, folder, labels_file, transform):
        self.folder, self.transform = folder, transform
        self.names, self.labels = read_labels(labels_file)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        with Image.open(os.path.join(self.folder, self.names[i])) as image:
            rgb = image.convert("RGB")
        return self.transform(rgb), self.labels[i]


def forever(loader):
    while True:
        for batch in loader:
            yield batch


# --------------------------------------------------------------------------------------------------------- model
class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.neg() * ctx.lam, None


class PaperNet(nn.Module):
    """DannPresets.Mnist: conv5x5x32-ReLU-pool-conv5x5x48-ReLU-pool; fc 768-100-100-10; domain fc 768-100-1."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 32, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 48, 5), nn.ReLU(),
                                      nn.MaxPool2d(2), nn.Flatten())
        self.label = nn.Sequential(nn.Linear(768, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
        self.domain = nn.Sequential(nn.Linear(768, 100), nn.ReLU(), nn.Linear(100, 1))

    def forward(self, x, lam):
        f = self.features(x)
        return self.label(f), self.domain(GradReverse.apply(f, lam))


class ModernNet(nn.Module):
    """DannPresets.MnistModern (32, 48): the reproductions' layout with batch norm and dropout."""

    def __init__(self, p=0.5):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 32, 5), nn.BatchNorm2d(32), nn.MaxPool2d(2), nn.ReLU(),
                                      nn.Conv2d(32, 48, 5), nn.BatchNorm2d(48), nn.Dropout2d(p), nn.MaxPool2d(2), nn.ReLU(),
                                      nn.Flatten())
        self.label = nn.Sequential(nn.Linear(768, 100), nn.BatchNorm1d(100), nn.ReLU(), nn.Dropout(p), nn.Linear(100, 100),
                                   nn.BatchNorm1d(100), nn.ReLU(), nn.Linear(100, 10))
        self.domain = nn.Sequential(nn.Linear(768, 100), nn.BatchNorm1d(100), nn.ReLU(), nn.Linear(100, 1))

    def forward(self, x, lam):
        f = self.features(x)
        return self.label(f), self.domain(GradReverse.apply(f, lam))


class StandardNet(nn.Module):
    """fungtion/DANN's CNNModel as published: conv 64 / 50 channels with batch norm, two-way domain head."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 64, 5), nn.BatchNorm2d(64), nn.MaxPool2d(2), nn.ReLU(True),
                                      nn.Conv2d(64, 50, 5), nn.BatchNorm2d(50), nn.Dropout2d(), nn.MaxPool2d(2), nn.ReLU(True),
                                      nn.Flatten())
        self.label = nn.Sequential(nn.Linear(800, 100), nn.BatchNorm1d(100), nn.ReLU(True), nn.Dropout(), nn.Linear(100, 100),
                                   nn.BatchNorm1d(100), nn.ReLU(True), nn.Linear(100, 10))
        self.domain = nn.Sequential(nn.Linear(800, 100), nn.BatchNorm1d(100), nn.ReLU(True), nn.Linear(100, 2))

    def forward(self, x, lam):
        f = self.features(x)
        return self.label(f), self.domain(GradReverse.apply(f, lam))


# ---------------------------------------------------------------------------------------------------------- main
def main():
    mnist = os.path.join(args.data, "mnist")
    archive = os.path.join(args.data, "mnist_m", "mnist_m.tar.gz")
    for path in [os.path.join(mnist, "train-images-idx3-ubyte.gz"), os.path.join(mnist, "train-labels-idx1-ubyte.gz"), archive]:
        if not os.path.exists(path):
            sys.exit(f"dann_dataloader.py: missing {path} (set --data or DOMAINADAPTATION_DATA to the folder with mnist/ and mnist_m/)")
    mnistm = extract_mnistm(archive, args.cache)

    # The sample's normalisation: paper = centring by the per-channel pixel mean over both training sets (std 1);
    # modern = mean and std over both. The figures are the sample's (trainer log / checkpoint metadata); a standard
    # script hard-codes such constants the same way.
    # standard: fungtion/DANN's transforms — MNIST Normalize(0.1307, 0.3081) (made 3-channel), MNIST-M Normalize(0.5, 0.5).
    if args.preset == "paper":
        mean, std, net, batch_norm_separate = [0.29292, 0.29500, 0.26832], [1.0, 1.0, 1.0], PaperNet(), False
    elif args.preset == "modern":
        mean, std, net, batch_norm_separate = [0.29292, 0.29500, 0.26832], [0.32171, 0.31741, 0.31218], ModernNet(), True
    else:
        mean, std, net, batch_norm_separate = [0.5] * 3, [0.5] * 3, StandardNet(), True
    transform = Transform(28, mean, std)
    source_transform = Transform(28, [0.1307] * 3, [0.3081] * 3) if args.preset == "standard" else transform

    source = MnistDataset(read_idx(os.path.join(mnist, "train-images-idx3-ubyte.gz")),
                          read_idx(os.path.join(mnist, "train-labels-idx1-ubyte.gz")), source_transform)
    target = MnistMDataset(os.path.join(mnistm, "mnist_m_train"), os.path.join(mnistm, "mnist_m_train_labels.txt"), transform)
    test = MnistMDataset(os.path.join(mnistm, "mnist_m_test"), os.path.join(mnistm, "mnist_m_test_labels.txt"), transform)
    if args.preset == "standard":
        steps_per_epoch = math.ceil(min(len(source), len(target)) / args.batch)
        args.steps = args.epochs * steps_per_epoch
        if args.eval_interval is None:
            args.eval_interval = steps_per_epoch
    elif args.eval_interval is None:
        args.eval_interval = 1000
    generator = torch.Generator().manual_seed(args.seed)
    common = dict(num_workers=args.workers, persistent_workers=args.workers > 0, drop_last=True)
    source_loader = DataLoader(source, batch_size=args.batch, shuffle=True, generator=generator, **common)
    target_loader = DataLoader(target, batch_size=args.batch, shuffle=True, generator=generator, **common)
    test_loader = DataLoader(test, batch_size=512, shuffle=False, num_workers=args.workers)

    if args.preset == "paper":
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        base_lr = 0.01
    else:
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
        base_lr = 1e-3
    anneal = args.preset != "standard"

    def evaluate():
        net.eval()
        correct = total = 0
        with torch.no_grad():
            for x, y in test_loader:
                logits, _ = net(x, 0.0)
                correct += (logits.argmax(1) == y).sum().item()
                total += len(y)
        net.train()
        return correct / total

    log(f"PyTorch {torch.__version__}, Python {platform.python_version()}, threads {torch.get_num_threads()}, "
        f"DataLoader workers {args.workers} per loader, preset {args.preset}, batch {args.batch}+{args.batch}, "
        f"steps {args.steps}, malloc {args.malloc}")
    source_batches, target_batches = forever(source_loader), forever(target_loader)
    evaluations = []
    reached = None
    start = time.perf_counter()
    step_times = []
    net.train()
    for step in range(args.steps):
        t0 = time.perf_counter()
        p = step / args.steps
        lam = 2.0 / (1.0 + math.exp(-10.0 * p)) - 1.0
        if anneal:
            for group in optimizer.param_groups:
                group["lr"] = base_lr / (1.0 + 10.0 * p) ** 0.75
        xs, ys = next(source_batches)
        xt, _ = next(target_batches)
        optimizer.zero_grad(set_to_none=True)
        if batch_norm_separate:
            ls, ds = net(xs, lam)
            _, dt = net(xt, lam)
            domain_logits = torch.cat([ds, dt])
        else:
            logits, domain_logits = net(torch.cat([xs, xt]), lam)
            ls = logits[: len(xs)]
        domains = torch.cat([torch.zeros(len(xs)), torch.ones(len(xt))])
        if domain_logits.shape[1] == 2:  # standard: a two-way domain head with (log-softmax +) NLL, as fungtion/DANN
            domain_loss = F.cross_entropy(domain_logits, domains.long())
        else:
            domain_loss = F.binary_cross_entropy_with_logits(domain_logits.squeeze(1), domains)
        loss = F.cross_entropy(ls, ys) + domain_loss
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
        step_times.append((time.perf_counter() - t0) * 1000.0)
        if not math.isfinite(loss_value):
            sys.exit(f"dann_dataloader.py: loss became {loss_value} at step {step + 1}")
        done = step + 1
        if done % args.eval_interval == 0 or done == args.steps:
            accuracy = evaluate()
            elapsed = time.perf_counter() - start
            evaluations.append({"step": done, "seconds": round(elapsed, 1), "mnistm_test_accuracy": accuracy})
            log(f"step {done:6d}  {elapsed:7.1f} s  MNIST-M test accuracy {accuracy:.4f}  "
                f"median step {np.median(step_times[-args.eval_interval:]):.1f} ms")
            if reached is None and args.stop_at > 0 and accuracy >= args.stop_at:
                reached = {"step": done, "seconds": round(elapsed, 1), "accuracy": accuracy}
                break
            if args.max_seconds > 0 and elapsed >= args.max_seconds:
                log(f"stopping: {elapsed:.0f} s >= --max-seconds {args.max_seconds:.0f} without reaching {args.stop_at}")
                break

    record = {
        "side": "PyTorch, per-sample DataLoader",
        "torch": torch.__version__, "python": platform.python_version(), "threads": args.threads,
        "workers": args.workers, "preset": args.preset, "batch": args.batch, "steps_planned": args.steps,
        "steps_run": len(step_times), "seed": args.seed, "malloc": args.malloc,
        "median_step_ms": float(np.median(step_times)), "p90_step_ms": float(np.percentile(step_times, 90)),
        "seconds": round(time.perf_counter() - start, 1), "reached": reached, "evaluations": evaluations,
    }
    log(json.dumps(record))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(record, f, indent=2)


if __name__ == "__main__":
    main()
