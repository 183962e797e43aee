#!/usr/bin/env bash
# The pretrained-backbone input pipeline side by side: DomainAdaptation's (decode + resize once, then per-step ImageNet
# normalisation and random resized crop + flip + colour jitter 0.4 on tensors; the macro harness's `augment`) against
# torchvision's DataLoader with 2 workers doing the same per image (benchmarks/data/torchvision_loader.py), on the same
# folder of JPEGs, same batch size and epochs, one after the other on an otherwise idle machine; and `augment --stream`,
# which decodes every image again each time it is drawn (ImageFolderOptions.Stream, the trainer's read-ahead batch path),
# as torchvision's workers do.
# Usage: benchmarks/data/run.sh [FOLDER] [EPOCHS]   (default: $DOMAINADAPTATION_DATA/bsds500/train, 5 epochs)
# Needs Debian's python3-torchvision: apt-get install python3-torchvision.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${DOMAINADAPTATION_DATA:-../shared/data}
folder=${1:-$data/bsds500/train}
epochs=${2:-5}
dotnet build benchmarks/DomainAdaptation.Benchmarks.Macro -c Release > /dev/null
echo "== DomainAdaptation (augment)"
dotnet run --project benchmarks/DomainAdaptation.Benchmarks.Macro -c Release --no-build -- augment --images "$folder" --epochs "$epochs" --threads 2
echo "== DomainAdaptation (augment --stream)"
dotnet run --project benchmarks/DomainAdaptation.Benchmarks.Macro -c Release --no-build -- augment --images "$folder" --epochs "$epochs" --threads 2 --stream
echo "== torchvision DataLoader"
/usr/bin/python3 benchmarks/data/torchvision_loader.py "$folder" --epochs "$epochs" --workers 2
