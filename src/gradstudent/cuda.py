"""``gs.cuda``: PyTorch's ``torch.cuda`` questions, answered for this install.

gradstudent's GPU backend is CuPy (see ``backend.py``). Without CuPy (or
without a GPU) the answers are those of PyTorch's CPU build:
``is_available()`` is False, ``device_count()`` is 0 and the seeding
functions do nothing (there is no CUDA generator to seed; gradstudent draws
all random numbers on the CPU, so ``gs.manual_seed`` already fixes them).
"""

from __future__ import annotations

from .backend import _cupy

__all__ = [
    "is_available", "device_count", "manual_seed", "manual_seed_all", "current_device", "synchronize",
    "empty_cache", "get_device_name", "is_bf16_supported", "memory_allocated", "max_memory_allocated",
]


def device_count() -> int:
    """Number of GPUs CuPy can see (0 without CuPy)."""
    if _cupy is None:
        return 0
    try:
        return int(_cupy.cuda.runtime.getDeviceCount())
    except Exception:  # CuPy installed but no driver/GPU  # noqa: BLE001
        return 0


def is_available() -> bool:
    """True when tensors can live on a GPU (CuPy installed and a GPU present)."""
    return device_count() > 0


def manual_seed(seed: int) -> None:
    """Seed the GPU generator: a no-op, as random numbers are drawn on the CPU (see ``gs.manual_seed``)."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's generator: a no-op here, as in PyTorch's CPU build."""
    int(seed)


def _require(what: str) -> None:
    if not is_available():
        raise RuntimeError(f"gs.cuda.{what}(): no GPU is available (CuPy is not installed or sees no GPU)")


def current_device() -> int:
    _require("current_device")
    return int(_cupy.cuda.runtime.getDevice())


def get_device_name(device: int | None = None) -> str:
    _require("get_device_name")
    index = current_device() if device is None else int(device)
    return str(_cupy.cuda.runtime.getDeviceProperties(index)["name"].decode())


def synchronize(device: int | None = None) -> None:
    """Wait for the GPU to finish its queued work (nothing to wait for without one)."""
    if is_available():
        _cupy.cuda.runtime.deviceSynchronize()


def empty_cache() -> None:
    """Free CuPy's cached GPU memory blocks (nothing to free without a GPU)."""
    if is_available():
        _cupy.get_default_memory_pool().free_all_blocks()


def memory_allocated(device: int | None = None) -> int:
    """Bytes of GPU memory held by tensors (0 without a GPU)."""
    return int(_cupy.get_default_memory_pool().used_bytes()) if is_available() else 0


def max_memory_allocated(device: int | None = None) -> int:
    """CuPy keeps no peak counter: the current pool size (0 without a GPU)."""
    return int(_cupy.get_default_memory_pool().total_bytes()) if is_available() else 0


def is_bf16_supported() -> bool:
    """False: NumPy/CuPy hold no bfloat16 arrays (see ``gs.bfloat16``)."""
    return False
