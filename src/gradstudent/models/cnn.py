"""Classic convolutional networks: LeNet-5, a small configurable CNN, and VGG-style nets.

All take (N, C, H, W) images and return (N, num_classes) logits. The pattern
of every one: a *feature extractor* (conv -> nonlinearity -> pooling, repeated:
the maps get smaller and deeper) followed by a *classifier* head (linear layers
on the flattened features).
"""

from __future__ import annotations

from typing import Sequence

from .. import nn
from ..tensor import Tensor


class LeNet5(nn.Module):
    """LeCun et al. (1998), for 28x28 or 32x32 single-channel images.

    conv 5x5 (6) -> pool -> conv 5x5 (16) -> pool -> fc 120 -> fc 84 -> fc classes.
    A 28x28 input is padded by 2 in the first conv so both sizes reach the
    classifier as 16 maps of 5x5. ``activation`` 'tanh' is the original, 'relu' trains faster.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, image_size: int = 28, activation: str = "tanh") -> None:
        super().__init__()
        if image_size not in (28, 32):
            raise ValueError(f"LeNet5: image_size must be 28 or 32, got {image_size}")
        act = {"tanh": nn.Tanh, "relu": nn.ReLU}[activation]
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=2 if image_size == 28 else 0), act(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), act(), nn.AvgPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), act(), nn.Linear(120, 84), act(), nn.Linear(84, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


def conv_bn_relu(cin: int, cout: int, stride: int = 1, batch_norm: bool = True) -> nn.Sequential:
    """3x3 convolution (padding 1: same size at stride 1) -> batch norm -> ReLU."""
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, 3, stride, 1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(cout))
    layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class SmallCNN(nn.Module):
    """A compact CNN for small images (8x8 digits, 28x28 MNIST, 32x32 shapes/CIFAR).

    For each width w in ``widths``: two conv-BN-ReLU layers of w channels, then a
    2x2 max-pool. Then global average pooling, dropout and one linear layer, so
    the same network accepts any image size of at least 2**len(widths) pixels.
    """

    def __init__(
        self, in_channels: int = 1, num_classes: int = 10, widths: Sequence[int] = (32, 64), dropout: float = 0.25,
        batch_norm: bool = True,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        cin = in_channels
        for w in widths:
            layers += [conv_bn_relu(cin, w, batch_norm=batch_norm), conv_bn_relu(w, w, batch_norm=batch_norm), nn.MaxPool2d(2)]
            cin = w
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(cin, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.pool(self.features(x)))


#: VGG configurations: numbers are conv widths, "M" a 2x2 max-pool.
VGG_CONFIGS: dict[str, list[int | str]] = {
    "vgg-small": [32, 32, "M", 64, 64, "M", 128, 128, "M"],
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """Simonyan & Zisserman (2014): only 3x3 convolutions and 2x2 max-pools, stacked deep.

    Two stacked 3x3 convolutions see a 5x5 patch with fewer weights than one 5x5
    (2*9 vs 25 per channel pair) and an extra nonlinearity. ``cfg`` is a key of
    :data:`VGG_CONFIGS` or a list in that format.
    """

    def __init__(
        self, cfg: str | Sequence[int | str] = "vgg-small", in_channels: int = 3, num_classes: int = 10,
        batch_norm: bool = True, hidden: int = 256, dropout: float = 0.5,
    ) -> None:
        super().__init__()
        spec = VGG_CONFIGS[cfg] if isinstance(cfg, str) else list(cfg)
        layers: list[nn.Module] = []
        cin = in_channels
        for item in spec:
            if item == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers.append(conv_bn_relu(cin, int(item), batch_norm=batch_norm))
                cin = int(item)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(cin, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.pool(self.features(x)))


def vgg_small(in_channels: int = 3, num_classes: int = 10, **kwargs: object) -> VGG:
    """A 6-conv VGG for 32x32 images (32-32-M-64-64-M-128-128-M)."""
    return VGG("vgg-small", in_channels, num_classes, **kwargs)  # type: ignore[arg-type]
