"""``gs.backends``: PyTorch's backend switches, answered as gradstudent is built.

Programs read and set these flags (``torch.backends.cudnn.benchmark = True``,
``torch.backends.mps.is_available()``). gradstudent has none of these
libraries, so every ``is_available()``/``is_built()`` says False (with the
one difference from PyTorch's CPU build that ``mkldnn.is_available()`` is
False: gradstudent computes with NumPy/OpenBLAS, not oneDNN). The settable
flags start at PyTorch's defaults and can be set; they change nothing.
"""

from __future__ import annotations

from types import SimpleNamespace

__all__ = ["cudnn", "mps", "mkldnn", "cuda", "openmp", "mkl", "opt_einsum"]


def _false() -> bool:
    return False


def _true() -> bool:
    return True


cudnn = SimpleNamespace(
    is_available=_false, version=lambda: None, enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
)
mps = SimpleNamespace(is_available=_false, is_built=_false)
mkldnn = SimpleNamespace(is_available=_false, enabled=True)
mkl = SimpleNamespace(is_available=_false)
openmp = SimpleNamespace(is_available=_false)
opt_einsum = SimpleNamespace(is_available=_false, enabled=True)
cuda = SimpleNamespace(
    is_built=_false,
    matmul=SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True),
)
