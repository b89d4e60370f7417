"""Sheet 5 checks: NumPy convolution and pooling against gradstudent's conv2d and max_pool2d."""

from __future__ import annotations

from types import ModuleType

import gradstudent as gs
from gradstudent import nn

from ..checking import assert_close, rng
from . import Sheet, Task

F = nn.functional
CASES = [((2, 3, 6, 6), (4, 3, 3, 3), 1, 0), ((1, 2, 7, 5), (3, 2, 3, 2), 2, 1), ((2, 1, 5, 5), (2, 1, 1, 1), 1, 2)]


def check_conv_forward(m: ModuleType) -> None:
    r = rng(0)
    for xs, ws, s, p in CASES:
        x, w, b = r.normal(size=xs), r.normal(size=ws), r.normal(size=ws[0])
        ref = F.conv2d(gs.tensor(x), gs.tensor(w), gs.tensor(b), stride=s, padding=p)
        assert_close(f"conv2d output (x {xs}, w {ws}, stride {s}, padding {p})", m.conv2d_forward(x, w, b, s, p), ref,
                     hint="output side = (H + 2 padding - KH) // stride + 1")


def check_conv_backward(m: ModuleType) -> None:
    r = rng(1)
    for xs, ws, s, p in CASES:
        x, w, b = r.normal(size=xs), r.normal(size=ws), r.normal(size=ws[0])
        tx, tw, tb = (gs.tensor(v, requires_grad=True) for v in (x, w, b))
        out = F.conv2d(tx, tw, tb, stride=s, padding=p)
        g = r.normal(size=tuple(out.shape))
        (out * gs.tensor(g)).sum().backward()
        dx, dw, db = m.conv2d_backward(x, w, g, s, p)
        where = f"(x {xs}, w {ws}, stride {s}, padding {p})"
        assert_close(f"dL/dx {where}", dx, tx.grad, hint="scatter each output's gradient back over its patch, through w")
        assert_close(f"dL/dw {where}", dw, tw.grad, hint="sum over batch and positions of grad_out times the patch")
        assert_close(f"dL/db {where}", db, tb.grad, hint="sum grad_out over batch and positions")


def check_maxpool(m: ModuleType) -> None:
    r = rng(2)
    for shape, k in (((2, 3, 4, 4), 2), ((1, 2, 7, 5), 3)):
        x = r.normal(size=shape)
        tx = gs.tensor(x, requires_grad=True)
        ref = F.max_pool2d(tx, k)
        ref.sum().backward()
        out, grad = m.maxpool2d_forward(x, k)
        assert_close(f"max-pool output (x {shape}, k={k})", out, ref)
        assert_close(f"max-pool gradient (x {shape}, k={k})", grad, tx.grad, hint="only each window's maximum receives the gradient")


SHEET = Sheet(5, "cnn", "CNNs: Conv2d forward and backward, max-pooling", "sheet05_cnn.py", [
    Task("conv_forward", 3, check_conv_forward, "convolution forward with stride and padding", "conv2d_forward"),
    Task("conv_backward", 4, check_conv_backward, "convolution backward: dx, dw, db", "conv2d_backward"),
    Task("maxpool", 3, check_maxpool, "max-pooling and its gradient", "maxpool2d_forward"),
])
