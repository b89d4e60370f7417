"""Residual networks (He et al., 2015): blocks that learn a *correction* to their input.

A residual block computes ``relu(F(x) + shortcut(x))``: if the best thing to
do is nothing, F only has to output zero, and the gradient reaches early layers
through the identity shortcuts undamped. That is what lets ResNets be deep.

* :class:`BasicBlock`: two 3x3 convolutions (ResNet-18/34, CIFAR ResNets);
* :class:`Bottleneck`: 1x1 (shrink) -> 3x3 -> 1x1 (expand x4), cheaper when wide;
* where the shape changes (stride 2 or more channels) the shortcut is a 1x1
  convolution + batch norm (``downsample``), else the identity;
* ``residual=False`` drops the shortcuts: the "plain" network of the same depth,
  for the ablation that shows why they matter.
"""

from __future__ import annotations

from typing import Sequence

from .. import nn
from ..tensor import Tensor


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut, then ReLU."""

    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1, residual: bool = True) -> None:
        super().__init__()
        out = channels * self.expansion
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.residual = residual
        self.downsample = _shortcut(in_channels, out, stride) if residual else None

    def forward(self, x: Tensor) -> Tensor:
        out = self.bn1(self.conv1(x)).relu()
        out = self.bn2(self.conv2(out))
        if self.residual:
            out = out + (x if self.downsample is None else self.downsample(x))
        return out.relu()


class Bottleneck(nn.Module):
    """conv1x1 (to ``channels``) - conv3x3 (stride) - conv1x1 (to 4*channels), each with BN."""

    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int = 1, residual: bool = True) -> None:
        super().__init__()
        out = channels * self.expansion
        self.conv1 = nn.Conv2d(in_channels, channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv3 = nn.Conv2d(channels, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.residual = residual
        self.downsample = _shortcut(in_channels, out, stride) if residual else None

    def forward(self, x: Tensor) -> Tensor:
        out = self.bn1(self.conv1(x)).relu()
        out = self.bn2(self.conv2(out)).relu()
        out = self.bn3(self.conv3(out))
        if self.residual:
            out = out + (x if self.downsample is None else self.downsample(x))
        return out.relu()


def _shortcut(cin: int, cout: int, stride: int) -> nn.Module | None:
    """None (the identity) when shapes agree, else a 1x1 convolution (with stride) and batch norm."""
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))


class ResNet(nn.Module):
    """A ResNet: stem, stages of residual blocks (each stage after the first halves
    the resolution), global average pooling, linear classifier.

    ``stem='cifar'``: one 3x3 conv-BN-ReLU (small images). ``stem='imagenet'``:
    7x7 conv stride 2 + 3x3 max-pool stride 2 (large images). Attribute names
    follow torchvision (``conv1, bn1, layer1..layerK, fc``; ``downsample`` in blocks),
    so its ResNet ``state_dict``s load unchanged.
    """

    def __init__(
        self, block: type[BasicBlock] | type[Bottleneck], layers: Sequence[int], widths: Sequence[int] = (16, 32, 64),
        in_channels: int = 3, num_classes: int = 10, stem: str = "cifar", residual: bool = True,
    ) -> None:
        super().__init__()
        if len(layers) != len(widths):
            raise ValueError(f"ResNet: {len(layers)} stage depths but {len(widths)} widths")
        w0 = widths[0]
        if stem not in ("cifar", "imagenet"):
            raise ValueError(f"ResNet: stem must be 'cifar' or 'imagenet', got {stem!r}")
        big = stem == "imagenet"
        self.conv1 = nn.Conv2d(in_channels, w0, 7 if big else 3, 2 if big else 1, 3 if big else 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w0)
        self.maxpool = nn.MaxPool2d(3, 2, 1) if big else nn.Identity()
        self.num_stages = len(layers)
        cin = w0
        for i, (n, w) in enumerate(zip(layers, widths)):
            blocks: list[nn.Module] = []
            for j in range(n):
                stride = 2 if i > 0 and j == 0 else 1
                blocks.append(block(cin, w, stride, residual))
                cin = w * block.expansion
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)
        self._init_weights()

    def _init_weights(self) -> None:
        # He initialisation for ReLU networks (as torchvision's ResNet); BN starts as the identity
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def features(self, x: Tensor) -> Tensor:
        """The last feature maps (N, C, h, w), before pooling (used by Grad-CAM)."""
        x = self.maxpool(self.bn1(self.conv1(x)).relu())
        for i in range(self.num_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return x

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.avgpool(self.features(x)).flatten(1))


def resnet8(num_classes: int = 10, in_channels: int = 3, residual: bool = True) -> ResNet:
    """The W3 network: 3x3 stem (16), basic blocks 16, 32 (stride 2), 64 (stride 2), ~78k parameters."""
    return ResNet(BasicBlock, [1, 1, 1], (16, 32, 64), in_channels, num_classes, residual=residual)


def resnet20(num_classes: int = 10, in_channels: int = 3, residual: bool = True) -> ResNet:
    """He et al.'s CIFAR ResNet-20: 3 stages of 3 basic blocks (16, 32, 64 channels)."""
    return ResNet(BasicBlock, [3, 3, 3], (16, 32, 64), in_channels, num_classes, residual=residual)


def resnet18(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """The ImageNet ResNet-18 (torchvision's layout): 7x7 stem, stages of 2 basic blocks, 64-512 channels."""
    return ResNet(BasicBlock, [2, 2, 2, 2], (64, 128, 256, 512), in_channels, num_classes, stem="imagenet")


def resnet50(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """The ImageNet ResNet-50: bottleneck blocks [3, 4, 6, 3]."""
    return ResNet(Bottleneck, [3, 4, 6, 3], (64, 128, 256, 512), in_channels, num_classes, stem="imagenet")
