"""Sheet 5 — convolutions and pooling with NumPy: forward and backward by hand.

Shapes follow PyTorch: images x: (N, C, H, W), filters w: (F, C, KH, KW), bias b: (F,).
Loops over the output positions are fine here (clarity first); the library's
version replaces them by one matrix product per kernel offset.
"""

from __future__ import annotations

import numpy as np


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Cross-correlation, as in deep learning: out[n, f, i, j] = b[f] + sum_{c,p,q} w[f, c, p, q] xpad[n, c, i*s + p, j*s + q].

    The output side is (H + 2 padding - KH) // stride + 1.
    """
    ### BEGIN SOLUTION
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.empty((n, f, oh, ow), dtype=np.result_type(x, w))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]  # (N, C, KH, KW)
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out
    ### END SOLUTION


def conv2d_backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray, stride: int = 1, padding: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Given dL/d(out), return (dL/dx, dL/dw, dL/db) for :func:`conv2d_forward`.

    Each output position (i, j) used one patch of x: its gradient flows back to
    that patch (through w) and to w (through the patch).
    """
    ### BEGIN SOLUTION
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp, dtype=np.result_type(x, grad_out))
    dw = np.zeros_like(w, dtype=np.result_type(w, grad_out))
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            g = grad_out[:, :, i, j]  # (N, F)
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))  # (F, C, KH, KW)
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))  # (N, C, KH, KW)
    dx = dxp[:, :, padding : padding + x.shape[2], padding : padding + x.shape[3]]
    return dx, dw, grad_out.sum(axis=(0, 2, 3))
    ### END SOLUTION


def maxpool2d_forward(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Max-pooling with a k x k window and stride k (a last partial window is dropped).

    Returns ``(out, grad_in)``: the pooled output (N, C, H//k, W//k), and
    dL/dx for dL/d(out) = 1 everywhere (the gradient goes to the max of each window).
    """
    ### BEGIN SOLUTION
    n, c, h, wd = x.shape
    oh, ow = h // k, wd // k
    windows = x[:, :, : oh * k, : ow * k].reshape(n, c, oh, k, ow, k)
    out = windows.max(axis=(3, 5))
    grad = np.zeros_like(x)
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * k : (i + 1) * k, j * k : (j + 1) * k].reshape(n, c, k * k)
            idx = win.argmax(axis=2)  # first maximum, as PyTorch
            p, q = np.divmod(idx, k)
            nn_, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
            grad[nn_, cc, i * k + p, j * k + q] += 1.0
    return out, grad
    ### END SOLUTION
