"""Array kernels of the convolutions (no autograd here), in two strategies.

For x (N, C, H, W) and W (O, C/G, KH, KW)::

    y[n, o, i, j] = sum_{c, a, b} W[o, c, a, b] * xpad[n, c, SH*i + DH*a, SW*j + DW*b]

**im2col** (any stride, groups): copy the KH*KW strided views of the padded
input into one column matrix ``cols`` (C*KH*KW, N*Ho*Wo), channels first so its
rows match ``W.reshape(O, C*KH*KW)``, then ONE matrix product. Simple, but the
copy is KH*KW times the input (9x for 3x3) and is most of the time.

**Shifted GEMMs** (stride 1, no groups, at least ``MIN_CHANNELS`` channels):
lay the padded input out channels-last and flatten it to rows ``xflat``
(N*Hp*Wp, C), one row per pixel. Kernel offset (a, b) then reads the pixel
``off = DH*a*Wp + DW*b`` rows further on, for *every* output pixel at once, so
its contribution is a contiguous slice times a (C, O) matrix::

    out[p] += xflat[p + off] @ W[:, :, a, b]^T        for p = 0 .. L-1

KH*KW GEMMs accumulate into ``out``, and no column matrix is ever built. ``out`` is computed on the
padded Hp x Wp grid; the Ho x Wo corner of it is the answer (the few
border rows are wasted work). Measured 1.3-3x faster than im2col for the 3x3
layers of a ResNet on this machine; with few input channels each GEMM is too
thin to pay off and im2col is used.
"""

from __future__ import annotations

from ..backend import Array, get_array_module
from .window import Window, col2im, crop2d, im2col

#: below this many input channels the per-offset GEMMs are too thin: use im2col
MIN_CHANNELS = 8


def uses_shifted_gemms(channels: int, win: Window, groups: int) -> bool:
    return win.stride == (1, 1) and groups == 1 and channels >= MIN_CHANNELS


def gemm_accumulate(c: Array, a: Array, b: Array) -> None:
    """``c += a @ b`` for 2-D arrays.

    (Calling BLAS gemm with beta = 1 would add in place without the temporary,
    but SciPy's BLAS is a second OpenBLAS library next to NumPy's: their two
    thread pools then fight over the cores and a ResNet step took seconds.)
    """
    c += a @ b


# ---------------------------------------------------------------- im2col
def _to_channels_first(x: Array, win: Window) -> Array:
    """x (N, C, H, W) -> zero-padded (C, N, Hp, Wp): one copy."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    hp, wp = win.padded_size(h, w)
    t, l = win.padding[0], win.padding[2]
    out = xp.zeros((c, n, hp, wp), dtype=x.dtype)
    out[:, :, t : t + h, l : l + w] = x.transpose(1, 0, 2, 3)
    return out


def _group_matmul(a: Array, b: Array) -> Array:
    """(G, P, Q) @ (G, Q, R) -> (G, P, R); a plain 2-D GEMM when G == 1 (the common case)."""
    if a.shape[0] == 1:
        return (a[0] @ b[0])[None]
    return a @ b


# ---------------------------------------------------------------- shifted GEMMs
def _channels_last_rows(x: Array, win: Window) -> tuple[Array, int]:
    """x (N, C, H, W) -> zero-padded channels-last rows (N*Hp*Wp, C), and Wp."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    hp, wp = win.padded_size(h, w)
    t, l = win.padding[0], win.padding[2]
    out = xp.zeros((n, hp, wp, c), dtype=x.dtype)
    out[:, t : t + h, l : l + w] = x.transpose(0, 2, 3, 1)
    return out.reshape(-1, c), wp


def _row_offsets(win: Window, wp: int) -> list[tuple[int, int, int]]:
    """(a, b, row offset) of every kernel offset in the flattened padded image."""
    return [(a, b, win.dilation[0] * a * wp + win.dilation[1] * b) for _, a, b in win.offsets()]


# ---------------------------------------------------------------- the three kernels
def conv_forward(x: Array, w: Array, win: Window, groups: int, out_hw: tuple[int, int] | None = None) -> tuple[Array, Array]:
    """y (N, O, Ho, Wo) and what the weight gradient can reuse (``cols`` or the input rows).

    ``out_hw`` may cut the output short (the adjoint of a transposed convolution
    whose ``output_padding`` added rows that no window of the original reaches).
    """
    xp = get_array_module(x)
    n, c = x.shape[:2]
    o = w.shape[0]
    ho, wo = out_hw or win.out_size(*x.shape[2:])
    if uses_shifted_gemms(c, win, groups):
        rows, wp = _channels_last_rows(x, win)
        hp = rows.shape[0] // (n * wp)
        offsets = _row_offsets(win, wp)
        length = rows.shape[0] - max(off for _, _, off in offsets)
        out = xp.zeros((rows.shape[0], o), dtype=x.dtype)
        wk = xp.ascontiguousarray(w.transpose(2, 3, 1, 0))  # (KH, KW, C, O)
        for a, b, off in offsets:
            # out[p, o] += sum_c x[p + off, c] W[o, c, a, b]
            gemm_accumulate(out[:length], rows[off : off + length], wk[a, b])
        y = xp.ascontiguousarray(out.reshape(n, hp, wp, o)[:, :ho, :wo])
        return y.transpose(0, 3, 1, 2), rows  # (N, O, Ho, Wo) view of channels-last memory
    cols = im2col(_to_channels_first(x, win), win, (ho, wo))  # (C, K, N, Ho, Wo)
    # y[o, (n,i,j)] = sum_{(c,a,b)} W[o, (c,a,b)] * cols[(c,a,b), (n,i,j)], per group
    y = _group_matmul(w.reshape(groups, o // groups, -1), cols.reshape(groups, -1, n * ho * wo))
    return y.reshape(o, n, ho, wo).transpose(1, 0, 2, 3), cols  # a view of (O, N, Ho, Wo) memory


def conv_weight(x: Array, g: Array, win: Window, groups: int, cache: Array | None = None) -> Array:
    """gW[o, c, a, b] = sum_{n, i, j} g[n, o, i, j] xpad[n, c, SH*i + DH*a, SW*j + DW*b]."""
    xp = get_array_module(x)
    n, o, ho, wo = g.shape
    c = x.shape[1]
    if uses_shifted_gemms(c, win, groups):
        hp, wp = win.padded_size(*x.shape[2:])
        rows = cache if cache is not None else _channels_last_rows(x, win)[0]
        gfull = xp.zeros((n, hp, wp, o), dtype=g.dtype)  # g placed on the padded grid, zeros elsewhere
        gfull[:, :ho, :wo] = g.transpose(0, 2, 3, 1)
        grows = gfull.reshape(-1, o)
        offsets = _row_offsets(win, wp)
        length = rows.shape[0] - max(off for _, _, off in offsets)
        gw = xp.empty(win.kernel + (c, o), dtype=g.dtype)
        for a, b, off in offsets:
            gw[a, b] = rows[off : off + length].T @ grows[:length]  # sum over pixels p of x[p + off] g[p]
        return xp.ascontiguousarray(gw.transpose(3, 2, 0, 1))
    cols = cache if cache is not None else im2col(_to_channels_first(x, win), win, (ho, wo))
    g_m = g.transpose(1, 0, 2, 3).reshape(groups, o // groups, n * ho * wo)
    # computed as (cols @ g^T)^T: with the long N*Ho*Wo axis contracted this way round BLAS is ~1.5x faster
    gw = _group_matmul(cols.reshape(groups, -1, n * ho * wo), g_m.swapaxes(1, 2)).swapaxes(1, 2)
    return gw.reshape((o, c // groups) + win.kernel)


def flipped_kernel(w: Array, groups: int) -> Array:
    """W'[c, o, a, b] = W[o, c, KH-1-a, KW-1-b] (per group): the kernel of the transposed convolution."""
    o, cg, kh, kw = w.shape
    wg = w.reshape(groups, o // groups, cg, kh, kw).swapaxes(1, 2)
    return wg[..., ::-1, ::-1].reshape(groups * cg, o // groups, kh, kw)


def conv_transpose(g: Array, w: Array, win: Window, groups: int, in_hw: tuple[int, int]) -> Array:
    """z[n, c, SH*i + DH*a - top, SW*j + DW*b - left] += sum_o g[n, o, i, j] W[o, c, a, b]: (N, C, H, W).

    Stride 1: itself a convolution of g, kernel flipped, in/out channels swapped,
    padding ``D*(K-1) - pad``. Otherwise: ``cols = W^T @ g``, then col2im adds
    every column back where a window read it.
    """
    (kh, kw), (dh, dw) = win.kernel, win.dilation
    t, _, l, _ = win.padding
    n, o, ho, wo = g.shape
    pads = (dh * (kh - 1) - t, in_hw[0] - ho + t, dw * (kw - 1) - l, in_hw[1] - wo + l)
    if win.stride == (1, 1) and min(pads) >= 0:
        y, _ = conv_forward(g, flipped_kernel(w, groups), Window(win.kernel, (1, 1), pads, win.dilation), groups)
        return y
    c = w.shape[1] * groups
    g_m = g.transpose(1, 0, 2, 3).reshape(groups, o // groups, n * ho * wo)
    cols = _group_matmul(w.reshape(groups, o // groups, -1).swapaxes(1, 2), g_m)  # (G, Cg*K, N*Ho*Wo)
    zpad = col2im(cols.reshape(c, win.size, n, ho, wo), win, win.padded_size(*in_hw))
    return crop2d(zpad, win, in_hw).transpose(1, 0, 2, 3)

