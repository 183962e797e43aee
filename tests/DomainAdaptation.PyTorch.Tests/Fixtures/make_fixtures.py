#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures of DomainAdaptation.PyTorch's tests (committed; CI does not need Python).

For ResNet-18 at width 4 and ResNet-50 at width 2 (torchvision's own BasicBlock / Bottleneck and ResNet._make_layer,
only narrower so that the files stay small), with weights from seed 0 and batch-norm statistics from a few
training-mode passes:
  <name>.pth          torch.save(model.state_dict()) — as torchvision's checkpoints are written, fc.* included
                      (ResNet-18 only)
  <name>.safetensors  the same tensors in the safetensors format
  <name>.io.pth       {"input": [2, 3, 32, 32], "features": [2, F]} — the pooled features in evaluation mode
and for torchvision's own MobileNetV2 at width multiplier 0.1 with its last 1x1 convolution (torchvision's
Conv2dNormActivation) 64 wide instead of 1280 and its classifier resized to match (mobilenet_v2_w01.safetensors and
.io.pth; classifier.* included).

Run with Debian's python3-torch / python3-torchvision (torch 1.13, torchvision 0.14):
  /usr/bin/python3 tests/DomainAdaptation.PyTorch.Tests/Fixtures/make_fixtures.py
"""
import json
import os
import struct

import torch
from torch import nn
from torchvision.models.mobilenetv2 import MobileNetV2
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.ops.misc import Conv2dNormActivation

HERE = os.path.dirname(os.path.abspath(__file__))


class NarrowResNet(nn.Module):
    """torchvision's ResNet with base width `width` instead of 64 (its __init__ with the width as a parameter)."""

    def __init__(self, block, layers, width, num_classes=10):
        super().__init__()
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        make = ResNet._make_layer  # torchvision's own code builds the stages
        self.layer1 = make(self, block, width, layers[0])
        self.layer2 = make(self, block, width * 2, layers[1], stride=2)
        self.layer3 = make(self, block, width * 4, layers[2], stride=2)
        self.layer4 = make(self, block, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        t = t.contiguous()
        data = t.numpy().tobytes()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class SmallMobileNetV2(MobileNetV2):
    """torchvision's MobileNetV2 (width_mult 0.1) with a 64-wide last convolution, so that the files stay small."""

    def __init__(self):
        super().__init__(num_classes=10, width_mult=0.1)
        inputs = self.features[18][0].in_channels
        self.features[18] = Conv2dNormActivation(inputs, 64, kernel_size=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU6)
        self.classifier[1] = nn.Linear(64, 10)

    def pooled(self, x):
        """MobileNetV2.forward up to the classifier."""
        return torch.flatten(nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1)), 1)


def main():
    nets = [
        ("resnet18_w4", lambda: NarrowResNet(BasicBlock, [2, 2, 2, 2], 4)),
        ("resnet50_w2", lambda: NarrowResNet(Bottleneck, [3, 4, 6, 3], 2)),
        ("mobilenet_v2_w01", SmallMobileNetV2),
    ]
    for name, create in nets:
        torch.manual_seed(0)
        model = create()
        pooled = model.pooled if isinstance(model, SmallMobileNetV2) else model.features
        model.train()
        with torch.no_grad():
            for _ in range(3):
                pooled(torch.randn(8, 3, 32, 32))
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.normal_(0, 0.1)
        model.eval()
        x = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            features = pooled(x)
        state = model.state_dict()
        if name == "resnet18_w4":  # one .pth suffices to test the pickle path; the files stay small
            torch.save(state, os.path.join(HERE, name + ".pth"))
        save_safetensors(os.path.join(HERE, name + ".safetensors"), state)
        torch.save({"input": x, "features": features}, os.path.join(HERE, name + ".io.pth"))
        print(f"{name}: {sum(t.numel() for t in state.values()):,} values, features {tuple(features.shape)}")


if __name__ == "__main__":
    main()
