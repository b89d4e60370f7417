"""A small U-Net (Ronneberger et al., 2015) for segmentation and denoising.

The encoder halves the resolution and doubles the channels at each level; the
decoder upsamples back, and at each level *concatenates* the encoder's maps of
the same size (the skip connections) so fine detail lost by pooling returns::

    x -> [enc0] ------------------------------ cat -> [dec0] -> 1x1 conv -> out
           |pool                                ^ up
           [enc1] -------------------- cat -> [dec1]
              |pool                     ^ up
              [bottleneck] -------------

Input height and width must be divisible by 2**depth. The output has the
input's size and ``out_channels`` channels (class logits per pixel for
segmentation, the clean image for denoising).
"""

from __future__ import annotations

from .. import cat, nn
from ..tensor import Tensor


class DoubleConv(nn.Module):
    """(3x3 conv -> norm -> ReLU) twice; GroupNorm works with any batch size."""

    def __init__(self, cin: int, cout: int, norm: str = "group") -> None:
        super().__init__()
        def normalization(c: int) -> nn.Module:
            if norm == "batch":
                return nn.BatchNorm2d(c)
            if norm == "group":
                return nn.GroupNorm(min(8, c), c)
            return nn.Identity()
        self.block = nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=norm == "none"), normalization(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding=1, bias=norm == "none"), normalization(cout), nn.ReLU(),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.block(x)


class UNet(nn.Module):
    """U-Net with ``depth`` down/up levels starting at ``base`` channels.

    ``upsample='transpose'`` learns the upsampling (ConvTranspose2d 2x2, stride 2);
    ``'bilinear'`` interpolates and then mixes channels with a 1x1 convolution.
    """

    def __init__(
        self, in_channels: int = 1, out_channels: int = 1, base: int = 16, depth: int = 2, norm: str = "group",
        upsample: str = "transpose",
    ) -> None:
        super().__init__()
        self.depth = depth
        widths = [base * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList([DoubleConv(in_channels if i == 0 else widths[i - 1], widths[i], norm) for i in range(depth)])
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = DoubleConv(widths[depth - 1], widths[depth], norm)
        ups: list[nn.Module] = []
        for i in reversed(range(depth)):
            if upsample == "transpose":
                ups.append(nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2))
            elif upsample == "bilinear":
                ups.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(widths[i + 1], widths[i], 1)))
            else:
                raise ValueError(f"UNet: upsample must be 'transpose' or 'bilinear', got {upsample!r}")
        self.up = nn.ModuleList(ups)
        self.dec = nn.ModuleList([DoubleConv(2 * widths[i], widths[i], norm) for i in reversed(range(depth))])
        self.head = nn.Conv2d(widths[0], out_channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        h, w = x.shape[-2:]
        if h % 2**self.depth or w % 2**self.depth:
            raise ValueError(f"UNet: input size {(h, w)} must be divisible by 2**depth = {2**self.depth}")
        skips = []
        for enc in self.down:
            x = enc(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for up, dec, skip in zip(self.up, self.dec, reversed(skips)):
            x = dec(cat([up(x), skip], dim=1))  # the skip connection: concatenate channels
        return self.head(x)
