"""Two-dimensional densities for generative models: seeded samplers and, where one exists, the log-density.

Each density is an object with

- ``sample(n, seed=0) -> ndarray`` of shape (n, 2), float32, the same numbers for the same seed;
- ``log_prob(x) -> ndarray`` of shape (n,), float64, the exact log-density in nats
  (``has_log_prob`` says whether it exists; otherwise ``log_prob`` raises ``NotImplementedError``).

The densities (all centred near the origin, spread about [-4, 4]²):

- ``TwoMoons(noise=0.1)``: t ~ U(0, π), a moon chosen with probability ½, the upper moon
  (cos t, sin t) or the lower one (1 - cos t, ½ - sin t), shifted by (-½, -¼), plus N(0, noise² I).
  Its density is the 1-D integral p(x) = ½ Σ_moons (1/π) ∫₀^π N(x; c(t), noise² I) dt, evaluated
  by Gauss–Legendre quadrature on t (numerically exact: far more nodes than the noise needs).
- ``EightGaussians(radius=2, std=0.2)``: an equal mixture of N(r (cos 2πk/8, sin 2πk/8), std² I).
- ``Checkerboard()``: uniform on the 8 black cells of a 4×4 board of unit cells on [-2, 2]²;
  p(x) = 1/8 on a black cell, 0 elsewhere (log p = -∞).
- ``SwissRoll(noise=0.25)``: t = 1.5π (1 + 2u), u ~ U(0, 1), point (t cos t, t sin t)/3 plus noise
  (no closed-form density).
- ``Pinwheel(arms=5, radial_std=0.3, tangential_std=0.1, rate=0.25)``: Gaussian blobs
  (f₁, f₂) ~ N((1, 0), diag(radial², tangential²)), each arm rotated by 2πk/arms + rate·e^{f₁}
  and scaled by 2 (no closed-form density).

``density_2d(name, **options)`` builds one by name (``DENSITIES_2D`` lists the names);
``sample_2d(name, n, seed)`` is the one-line sampler.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "Density2D", "TwoMoons", "EightGaussians", "Checkerboard", "SwissRoll", "Pinwheel",
    "DENSITIES_2D", "density_2d", "sample_2d",
]


def _check_n(n: int, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"{where}: n must be a non-negative integer, got {n!r}")
    return int(n)


def _points(x: Any, where: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"{where}: expected points of shape (n, 2), got {a.shape}")
    return a


class Density2D:
    """Base class: a named 2-D density with a seeded sampler."""

    name: str = "density"
    has_log_prob: bool = False

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        raise NotImplementedError

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """Draw ``n`` points, shape (n, 2), float32; the same seed gives the same points."""
        n = _check_n(n, f"{self.name}.sample")
        return self._draw(np.random.default_rng(seed), n).astype(np.float32)

    def log_prob(self, x: Any) -> np.ndarray:
        """log p(x) in nats for points of shape (n, 2); shape (n,)."""
        raise NotImplementedError(f"{self.name}: this density has no closed-form log-density")

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({opts})"


class TwoMoons(Density2D):
    name = "two-moons"
    has_log_prob = True

    def __init__(self, noise: float = 0.1, quadrature_nodes: int = 2000) -> None:
        if noise <= 0:
            raise ValueError(f"TwoMoons: noise must be positive, got {noise}")
        self.noise = float(noise)
        self._nodes, self._weights = np.polynomial.legendre.leggauss(int(quadrature_nodes))

    @staticmethod
    def _centres(t: np.ndarray, moon: np.ndarray) -> np.ndarray:
        upper = np.stack([np.cos(t), np.sin(t)], -1)
        lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], -1)
        return np.where(moon[..., None] == 0, upper, lower) + np.array([-0.5, -0.25])

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        t = rng.uniform(0.0, np.pi, n)
        moon = rng.integers(0, 2, n)
        return self._centres(t, moon) + self.noise * rng.standard_normal((n, 2))

    def log_prob(self, x: Any) -> np.ndarray:
        """log p(x) = log ½ Σ_moons (1/π) ∫₀^π N(x; c(t), σ² I) dt by Gauss–Legendre quadrature."""
        x = _points(x, "TwoMoons.log_prob")
        t = 0.5 * np.pi * (self._nodes + 1.0)                 # nodes mapped from [-1, 1] to [0, π]
        log_w = np.log(0.5 * np.pi * self._weights / np.pi)   # dt/π weights (sum to 1)
        out = []
        for chunk in np.array_split(x, max(1, len(x) // 256 + 1)):
            terms = []
            for moon in (0, 1):
                c = self._centres(t, np.full(t.shape, moon))                          # (T, 2)
                d2 = ((chunk[:, None, :] - c[None]) ** 2).sum(-1)                     # (n, T)
                terms.append(log_w - d2 / (2 * self.noise**2))
            a = np.concatenate(terms, 1)
            m = a.max(1, keepdims=True)
            lse = (m + np.log(np.exp(a - m).sum(1, keepdims=True)))[:, 0]
            out.append(lse + math.log(0.5) - math.log(2 * np.pi * self.noise**2))
        return np.concatenate(out) if out else np.zeros(0)


class EightGaussians(Density2D):
    name = "eight-gaussians"
    has_log_prob = True

    def __init__(self, radius: float = 2.0, std: float = 0.2) -> None:
        if std <= 0:
            raise ValueError(f"EightGaussians: std must be positive, got {std}")
        self.radius, self.std = float(radius), float(std)

    @property
    def centres(self) -> np.ndarray:
        """The 8 mode centres, shape (8, 2)."""
        a = 2 * np.pi * np.arange(8) / 8
        return self.radius * np.stack([np.cos(a), np.sin(a)], 1)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        k = rng.integers(0, 8, n)
        return self.centres[k] + self.std * rng.standard_normal((n, 2))

    def log_prob(self, x: Any) -> np.ndarray:
        """log p(x) = logsumexp_k [log ⅛ + log N(x; μ_k, σ² I)]."""
        x = _points(x, "EightGaussians.log_prob")
        d2 = ((x[:, None, :] - self.centres[None]) ** 2).sum(-1)                        # (n, 8)
        a = -d2 / (2 * self.std**2)
        m = a.max(1, keepdims=True)
        lse = (m + np.log(np.exp(a - m).sum(1, keepdims=True)))[:, 0]
        return lse + math.log(1 / 8) - math.log(2 * np.pi * self.std**2)


class Checkerboard(Density2D):
    name = "checkerboard"
    has_log_prob = True

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # x1 uniform on [-2, 2]; x2 on the two black cells of x1's column: cell rows of the
        # same parity as the column index, i.e. floor(x1)+floor(x2) even.
        x1 = rng.uniform(-2.0, 2.0, n)
        row = 2 * rng.integers(0, 2, n) + (np.floor(x1).astype(int) % 2)              # 0..3
        x2 = rng.uniform(0.0, 1.0, n) + row - 2.0
        return np.stack([x1, x2], 1)

    def log_prob(self, x: Any) -> np.ndarray:
        """log ⅛ on the black cells (floor x₁ + floor x₂ even, inside [-2, 2]²), -∞ elsewhere."""
        x = _points(x, "Checkerboard.log_prob")
        inside = (np.abs(x) <= 2.0).all(1)
        black = (np.floor(x).astype(np.int64).sum(1) % 2) == 0
        return np.where(inside & black, math.log(1 / 8), -np.inf)


class SwissRoll(Density2D):
    name = "swiss-roll"

    def __init__(self, noise: float = 0.25) -> None:
        self.noise = float(noise)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        t = 1.5 * np.pi * (1 + 2 * rng.uniform(0.0, 1.0, n))
        x = np.stack([t * np.cos(t), t * np.sin(t)], 1) + self.noise * rng.standard_normal((n, 2))
        return x / 3.0


class Pinwheel(Density2D):
    name = "pinwheel"

    def __init__(self, arms: int = 5, radial_std: float = 0.3, tangential_std: float = 0.1, rate: float = 0.25) -> None:
        self.arms, self.radial_std, self.tangential_std, self.rate = int(arms), float(radial_std), float(tangential_std), float(rate)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        f = rng.standard_normal((n, 2)) * np.array([self.radial_std, self.tangential_std]) + np.array([1.0, 0.0])
        k = rng.integers(0, self.arms, n)
        ang = 2 * np.pi * k / self.arms + self.rate * np.exp(f[:, 0])
        c, s = np.cos(ang), np.sin(ang)
        return 2.0 * np.stack([c * f[:, 0] - s * f[:, 1], s * f[:, 0] + c * f[:, 1]], 1)


DENSITIES_2D: dict[str, type[Density2D]] = {
    cls.name: cls for cls in (TwoMoons, EightGaussians, Checkerboard, SwissRoll, Pinwheel)
}


def density_2d(name: str, **options: Any) -> Density2D:
    """The density called ``name`` (one of ``DENSITIES_2D``), built with ``options``."""
    key = name.replace("_", "-").lower()
    if key not in DENSITIES_2D:
        raise ValueError(f"density_2d: unknown density {name!r}; choose one of {sorted(DENSITIES_2D)}")
    return DENSITIES_2D[key](**options)


def sample_2d(name: str, n: int, seed: int = 0, **options: Any) -> np.ndarray:
    """``n`` points of the density ``name``, shape (n, 2), float32."""
    return density_2d(name, **options).sample(n, seed)
