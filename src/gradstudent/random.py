"""Random numbers: a seedable ``Generator`` and a global default one.

``manual_seed(s)`` reseeds the default generator, so the same seed gives the
same numbers: initial weights, dropout masks, shuffling order. Numbers are
drawn on the CPU with NumPy's PCG64 and moved to the device of ``like``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import backend_of, get_array_module


class Generator:
    """A source of random numbers with its own state (``torch.Generator``)."""

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self._seed = 0
        self.rng = np.random.Generator(np.random.PCG64(0))

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy and return the new seed."""
        s = int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The full generator state, as a JSON-serializable dict (for checkpoints)."""
        return dict(self.rng.bit_generator.state)

    def set_state(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state

    # ---- raw draws (arrays), used by the tensor factories and in-place initializers
    def _place(self, a: np.ndarray, like: Any) -> Any:
        """Numbers are drawn on the host; an array of ``like``'s backend is returned."""
        return a if like is None else backend_of(like).from_host(a)

    def uniform(self, low: float, high: float, shape: tuple[int, ...], dtype: Any, like: Any = None) -> Any:
        return self._place(self.rng.uniform(low, high, shape).astype(dtype, copy=False), like)

    def normal(self, mean: float, std: float, shape: tuple[int, ...], dtype: Any, like: Any = None) -> Any:
        if np.dtype(dtype) == np.float32:  # draw float32 directly: twice as fast
            return self._place(self.rng.standard_normal(shape, dtype=np.float32) * np.float32(std) + np.float32(mean), like)
        return self._place((self.rng.standard_normal(shape) * std + mean).astype(dtype, copy=False), like)

    def integers(self, low: int, high: int, shape: tuple[int, ...], like: Any = None) -> Any:
        return self._place(self.rng.integers(low, high, shape, dtype=np.int64), like)

    def random(self, shape: tuple[int, ...], dtype: Any, like: Any = None) -> Any:
        if np.dtype(dtype) == np.float32:
            return self._place(self.rng.random(shape, dtype=np.float32), like)
        return self._place(self.rng.random(shape).astype(dtype, copy=False), like)

    def permutation(self, n: int) -> np.ndarray:
        return self.rng.permutation(n)


_default = Generator()


def default_generator() -> Generator:
    return _default


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (and NumPy's legacy global one, for user code that uses it)."""
    np.random.seed(int(seed) % (2**32))
    return _default.manual_seed(seed)


def seed() -> int:
    return _default.seed()


def initial_seed() -> int:
    return _default.initial_seed()


def get_rng_state() -> dict[str, Any]:
    return _default.get_state()


def set_rng_state(state: dict[str, Any]) -> None:
    _default.set_state(state)


def dropout_mask(shape: tuple[int, ...], p: float, dtype: Any, like: Any, generator: Generator | None = None) -> Any:
    """An inverted-dropout mask: 0 with probability p, else 1/(1-p), drawn from ``generator``
    (default: the global one). Shared by ``F.dropout`` and the fused attention ops, so both draw alike."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    if p == 1.0:
        return get_array_module(like).zeros(shape, dtype=dtype)
    keep = (generator or default_generator()).random(shape, dtype, like) >= p
    return keep.astype(dtype) * (1.0 / (1.0 - p))
