"""``gs.accelerator``: PyTorch's device-neutral questions (``torch.accelerator``).

The only accelerator gradstudent can use is a CUDA GPU through CuPy.
"""

from __future__ import annotations

from .devices import device

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available() -> bool:
    from .cuda import is_available as cuda_available

    return cuda_available()


def current_accelerator() -> device | None:
    """``device('cuda')`` when a GPU is usable, else None (PyTorch's CPU build says None)."""
    return device("cuda") if is_available() else None


def device_count() -> int:
    from .cuda import device_count as cuda_count

    return cuda_count()
