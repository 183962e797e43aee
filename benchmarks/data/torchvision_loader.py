"""torchvision's DataLoader on a folder of images, the reference for `augment` (benchmarks/data/run.sh).

The standard ImageNet-style training transform a PyTorch user writes for a pretrained backbone: decode (PIL),
Resize(256), RandomResizedCrop(224), RandomHorizontalFlip(), ColorJitter(0.4, 0.4, 0.4), ToTensor(), Normalize(ImageNet),
batches of 32 from a DataLoader with 2 worker processes, shuffled, for --epochs passes. Prints images/s per epoch and over
all epochs (workers start anew each epoch, as DataLoader does by default).

Usage: /usr/bin/python3 benchmarks/data/torchvision_loader.py FOLDER [--epochs 3] [--workers 2] [--batch 32] [--size 224]
Needs Debian's python3-torchvision (apt-get install python3-torchvision).
"""
import argparse
import os
import time

import torch
import torchvision
from PIL import Image
from torchvision import transforms


class Folder(torch.utils.data.Dataset):
    def __init__(self, root, transform):
        exts = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
        self.files = sorted(os.path.join(root, f) for f in os.listdir(root) if f.lower().endswith(exts))
        self.transform = transform

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        with Image.open(self.files[i]) as im:
            return self.transform(im.convert("RGB"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=224)
    a = p.parse_args()
    transform = transforms.Compose([
        transforms.Resize(int(a.size * 256 / 224)),
        transforms.RandomResizedCrop(a.size),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    data = Folder(a.folder, transform)
    torch.manual_seed(1)
    loader = torch.utils.data.DataLoader(data, batch_size=a.batch, shuffle=True, num_workers=a.workers)
    print(f"torchvision: torch {torch.__version__}, torchvision {torchvision.__version__}, {a.workers} workers, "
          f"{len(data)} images in {a.folder}")
    n = len(data)
    epochs = []
    checksum = 0.0
    for e in range(a.epochs):
        start = time.perf_counter()
        for x in loader:
            checksum += float(x[0, 0, 0, 0])
        epochs.append(time.perf_counter() - start)
        print(f"epoch {e + 1}: {n} augmented images in {epochs[-1]:.2f} s ({n / epochs[-1]:.0f} images/s)")
    median = sorted(epochs)[len(epochs) // 2]
    total = sum(epochs)
    print(f"torchvision: {n} images at {a.size}x{a.size}, batch {a.batch}, {a.workers} workers: per epoch median "
          f"{median:.2f} s = {n / median:.0f} images/s; {a.epochs} epochs {total:.2f} s = {n * a.epochs / total:.0f} images/s "
          f"(checksum {checksum:.3f})")


if __name__ == "__main__":
    main()
