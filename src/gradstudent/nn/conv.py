"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``.

Parameter names, shapes and initialisation are PyTorch's, so ``state_dict``s
move between the two frameworks unchanged:

* ``Conv2d.weight``: (out_channels, in_channels/groups, KH, KW)
* ``ConvTranspose2d.weight``: (in_channels, out_channels/groups, KH, KW)
* ``bias``: (out_channels,)

Both drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (``kaiming_uniform_`` with
a = sqrt(5)), fan_in = weight.shape[1] * KH * KW.
"""

from __future__ import annotations

import math
from typing import Any

from ..creation import empty
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from ..ops.resample import pad
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def _tuple(value: Any, n: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    return value * n if len(value) == 1 else value


class _ConvNd(Module):
    """Shared bookkeeping of the convolution layers (``n`` spatial dims)."""

    n: int = 2
    transposed: bool = False

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
        dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
        output_padding: Any = 0, dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must be divisible by groups ({groups})")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"{name}: padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular', got {padding_mode!r}")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"{name}: padding must be 'same', 'valid', an int or a tuple, got {padding!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _tuple(kernel_size, self.n)
        if any(int(k) < 1 for k in self.kernel_size):  # torch fails later, in forward; say it where the mistake is
            raise ValueError(f"{name}: kernel_size should be greater than zero, got {self.kernel_size}")
        self.stride = _tuple(stride, self.n)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, self.n)
        self.dilation = _tuple(dilation, self.n)
        self.output_padding = _tuple(output_padding, self.n)
        self.padding_mode = padding_mode
        if self.transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(empty(*shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _padded_input(self, x: Tensor) -> tuple[Tensor, Any]:
        """For padding_mode other than 'zeros': pad explicitly, then convolve without padding."""
        if self.padding_mode == "zeros":
            return x, self.padding
        if isinstance(self.padding, str):
            if self.padding == "valid":
                return x, 0
            amounts: list[int] = []
            for k, d in zip(reversed(self.kernel_size), reversed(self.dilation)):
                total = d * (k - 1)
                amounts += [total // 2, total - total // 2]
        else:
            amounts = [p for p in reversed(self.padding) for _ in range(2)]
        return pad(x, amounts, mode=self.padding_mode), 0

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.n:
            s += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.dilation != (1,) * self.n:
            s += f", dilation={self.dilation}"
        if self.transposed and self.output_padding != (0,) * self.n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution: (N, C_in, H, W) -> (N, C_out, Ho, Wo) (see :func:`gradstudent.ops.conv.conv2d`)."""

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._padded_input(x)
        return conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution: (N, C_in, L) -> (N, C_out, Lo), e.g. over time series or spectra."""

    n = 1

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._padded_input(x)
        padding = padding if isinstance(padding, str) else _tuple(padding, 1)[0]
        return conv1d(x, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups)


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
        output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
        padding_mode: str = "zeros", dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f"{type(self).__name__}: only padding_mode='zeros' is supported")
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, output_padding, dtype)

    def _output_padding(self, x: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output_padding that yields ``output_size`` (PyTorch's ``forward(x, output_size)``)."""
        if output_size is None:
            return self.output_padding
        size = tuple(int(s) for s in output_size)[-self.n :]
        padding = self.padding
        assert not isinstance(padding, str)  # (a transposed convolution refuses 'same'/'valid' in __init__)
        out = []
        for i in range(self.n):
            smallest = (x.shape[-self.n + i] - 1) * self.stride[i] - 2 * padding[i] + self.dilation[i] * (self.kernel_size[i] - 1) + 1
            extra = size[i] - smallest
            if not 0 <= extra < max(self.stride[i], self.dilation[i]):
                raise ValueError(f"{type(self).__name__}: requested output size {size} is not reachable from input {tuple(x.shape)}")
            out.append(extra)
        return tuple(out)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution (learned upsampling): (N, C_in, H, W) -> (N, C_out, H_out, W_out),
    ``H_out = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1``."""

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        op = self._output_padding(x, output_size)
        return conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, op, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution: (N, C_in, L) -> (N, C_out, L_out)."""

    n = 1

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        op = self._output_padding(x, output_size)
        return conv_transpose1d(x, self.weight, self.bias, self.stride[0], self.padding[0], op[0], self.groups, self.dilation[0])
