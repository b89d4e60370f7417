"""Scores for generated 8×8 digits, from a small digits classifier (the "Inception score" idea, scaled down).

A classifier c(x) = softmax(W₂ φ(x) + b₂) with features φ(x) = ReLU(W₁ x + b₁) ∈ R^H (x ∈ [0, 1]^64) is trained
on the real training digits. For generated samples x̃₁ … x̃_N:

- mean confidence  = 1/N Σ_n max_k c_k(x̃_n)            (do samples look like *some* digit?)
- class coverage   = #{k : at least ``min_fraction`` of the samples are labelled k} / 10   (all ten digits?)
- Fréchet distance = ‖μ_r - μ_g‖² + Tr(Σ_r + Σ_g - 2 (Σ_r Σ_g)^{1/2})    between Gaussians fitted to
  φ(real test digits) and φ(samples) (FID, Heusel et al. 2017, in this classifier's feature space).

``DigitsScorer.fit(seed)`` trains it in a few seconds; ``save``/``load`` keep it per run (safetensors).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..datasets import load_digits_arrays
from ..nn import functional as F
from ..random import manual_seed
from ..serialization import load, save

__all__ = ["DigitsScorer", "frechet_distance"]


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature rows a (n, H) and b (m, H)."""
    from scipy import linalg

    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"frechet_distance: need feature matrices (n, H), (m, H) with n, m >= 2, got {a.shape} and {b.shape}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    import warnings

    with warnings.catch_warnings():  # dead ReLU features make the covariances singular: sqrtm still works
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(ca @ cb)
    if np.iscomplexobj(covmean):
        covmean = covmean.real  # tiny imaginary parts from round-off
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(ca + cb - 2.0 * covmean))


class _Classifier(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Linear(64, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, 10)

    def forward(self, x: Any) -> Any:
        return self.head(self.features(x))


class DigitsScorer:
    """A digits MLP 64-H-10 (features: its hidden layer) and the three scores above."""

    def __init__(self, hidden: int = 128) -> None:
        self.model = _Classifier(hidden)
        self.test_accuracy = float("nan")

    @classmethod
    def fit(cls, seed: int = 0, epochs: int = 30, hidden: int = 128) -> "DigitsScorer":
        """Train on the training digits (Adam, batch 64, seeded); ``test_accuracy`` on the test split."""
        manual_seed(seed)
        scorer = cls(hidden)
        X, y = load_digits_arrays("train", seed=0)
        opt = optim.Adam(scorer.model.parameters(), lr=2e-3)
        rng = np.random.default_rng(seed)
        for _ in range(epochs):
            perm = rng.permutation(len(X))
            for i in range(0, len(X), 64):
                idx = perm[i : i + 64]
                opt.zero_grad()
                F.cross_entropy(scorer.model(from_numpy(X[idx])), from_numpy(y[idx])).backward()
                opt.step()
        Xt, yt = load_digits_arrays("test", seed=0)
        scorer.test_accuracy = float((scorer.probabilities(Xt).argmax(1) == yt).mean())
        return scorer

    def save(self, path: str | Path) -> None:
        save(self.model.state_dict(), path)

    @classmethod
    def load(cls, path: str | Path, hidden: int = 128) -> "DigitsScorer":
        scorer = cls(hidden)
        scorer.model.load_state_dict(load(path))
        return scorer

    def _x(self, x: Any, where: str) -> Any:
        a = np.asarray(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float32).reshape(len(x), -1)
        if a.shape[1] != 64:
            raise ValueError(f"DigitsScorer.{where}: expected digits with 64 pixels ((N, 64) or (N, 1, 8, 8)), got shape {np.shape(x)}")
        return from_numpy(np.clip(a, 0.0, 1.0))

    def probabilities(self, x: Any) -> np.ndarray:
        self.model.eval()
        with no_grad():
            return F.softmax(self.model(self._x(x, "probabilities")), dim=1).numpy()

    def features(self, x: Any) -> np.ndarray:
        self.model.eval()
        with no_grad():
            return self.model.features(self._x(x, "features")).numpy()

    def score(self, samples: Any, real: Any | None = None, min_fraction: float = 0.02) -> dict[str, float]:
        """Mean confidence, class coverage and Fréchet distance to ``real`` (default: the real test digits)."""
        p = self.probabilities(samples)
        counts = np.bincount(p.argmax(1), minlength=10)
        if real is None:
            real = load_digits_arrays("test", seed=0)[0]
        return {
            "mean_confidence": float(p.max(1).mean()),
            "class_coverage": float((counts >= min_fraction * len(p)).sum() / 10),
            "frechet_distance": frechet_distance(self.features(real), self.features(samples)),
        }
