"""Metrics for generative models: two-sample tests and likelihoods (re-exported by ``gradstudent.metrics``).

- ``c2st(X, Y)``: classifier two-sample test. Label the samples 0 (X) and 1 (Y), train a classifier
  to tell them apart and report its K-fold cross-validated accuracy. 0.5 means the classifier cannot
  tell the samples apart; 1.0 means it always can. As in sbibm (Lueckmann et al. 2021): both
  samples z-scored with X's mean and standard deviation, an MLP with two hidden layers of 10·d ReLU
  units (scikit-learn's ``MLPClassifier``, Adam), stratified shuffled folds; everything seeded.
- ``mmd(X, Y)``: the unbiased estimate of the squared maximum mean discrepancy with a Gaussian kernel
  k(x, y) = exp(-‖x - y‖² / (2 h²)), h = the median pairwise distance of the pooled sample:

      MMD²_u = 1/(m(m-1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(n(n-1)) Σ_{i≠j} k(yᵢ, yⱼ) - 2/(mn) Σ_{i,j} k(xᵢ, yⱼ)

  (unbiased, so it can be slightly negative when the samples come from the same distribution).
- ``nll_nats_per_dim(log_prob, dim)`` = -mean(log p(x)) / d and ``bits_per_dim`` = that / ln 2;
  for data dequantized from ``levels`` integer levels to [0, 1] (x = (k + u)/levels), the
  discrete likelihood is log P(k) ≥ log p(x) - d log(levels), which ``levels=`` adds.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

__all__ = ["c2st", "mmd", "nll_nats_per_dim", "bits_per_dim"]


def _samples(a: Any, where: str, name: str) -> np.ndarray:
    if hasattr(a, "numpy") and not isinstance(a, np.ndarray):
        a = a.numpy()
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] < 2:
        raise ValueError(f"{where}: {name} must be an array of shape (n, d) with n >= 2, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{where}: {name} contains NaN or inf")
    return a


def _pair(X: Any, Y: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = _samples(X, where, "X"), _samples(Y, where, "Y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"{where}: X and Y must have the same number of features, got {x.shape} and {y.shape}")
    return x, y


def c2st(
    X: Any,
    Y: Any,
    *,
    seed: int = 0,
    folds: int = 5,
    classifier: Literal["mlp", "boosting"] = "mlp",
    max_samples: int | None = None,
    max_iter: int = 1000,
) -> float:
    """Classifier two-sample test accuracy between samples X (n, d) and Y (m, d); 0.5 = indistinguishable.

    ``max_samples`` keeps the first ``max_samples`` rows of each (the test is only as sharp as the
    sample size: with 2,000 + 2,000 points its accuracy has a standard error of about 0.008).
    ``classifier="boosting"`` uses scikit-learn's ``HistGradientBoostingClassifier`` instead of the MLP.
    Unbalanced samples are allowed, but then the chance level is max(n, m)/(n + m), not 0.5.
    """
    x, y = _pair(X, Y, "c2st")
    if max_samples is not None:
        x, y = x[:max_samples], y[:max_samples]
    if folds < 2 or min(len(x), len(y)) < folds:
        raise ValueError(f"c2st: need folds >= 2 and at least `folds` points per sample, got folds={folds}, n={len(x)}, m={len(y)}")
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    mu, sd = x.mean(0), x.std(0)
    sd = np.where(sd > 0, sd, 1.0)
    data = (np.concatenate([x, y]) - mu) / sd
    labels = np.concatenate([np.zeros(len(x)), np.ones(len(y))]).astype(np.int64)
    if classifier == "mlp":
        from sklearn.neural_network import MLPClassifier

        d = data.shape[1]
        clf: Any = MLPClassifier(hidden_layer_sizes=(10 * d, 10 * d), activation="relu", solver="adam",
                                 max_iter=max_iter, random_state=seed)
    elif classifier == "boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        clf = HistGradientBoostingClassifier(random_state=seed)
    else:
        raise ValueError(f"c2st: classifier must be 'mlp' or 'boosting', got {classifier!r}")
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from threadpoolctl import threadpool_limits

    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    # one OpenMP thread: the boosting's spinning worker threads are very slow on a busy machine
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="openmp"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(clf, data, labels, cv=cv, scoring="accuracy")
    return float(np.mean(scores))


def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """‖aᵢ - bⱼ‖² as an (n, m) matrix, clipped at 0 against round-off."""
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def mmd(X: Any, Y: Any, *, bandwidth: float | None = None, max_median_points: int = 2000) -> float:
    """Unbiased squared MMD between X (m, d) and Y (n, d), Gaussian kernel, median-heuristic bandwidth.

    ``bandwidth`` h overrides the median heuristic; the median is taken over the pairwise distances of
    the first ``max_median_points`` points of the pooled sample (X then Y, so it is deterministic).
    """
    x, y = _pair(X, Y, "mmd")
    if bandwidth is None:
        pooled = np.concatenate([x, y])
        if len(pooled) > max_median_points:
            pooled = np.concatenate([x[: max_median_points // 2], y[: max_median_points // 2]])
        d2 = _sq_dists(pooled, pooled)
        off = d2[np.triu_indices(len(pooled), k=1)]
        h2 = float(np.median(off))
        h2 = h2 if h2 > 0 else 1.0
    else:
        if not bandwidth > 0:
            raise ValueError(f"mmd: bandwidth must be positive, got {bandwidth}")
        h2 = float(bandwidth) ** 2
    m, n = len(x), len(y)
    kxx = np.exp(-_sq_dists(x, x) / (2 * h2))
    kyy = np.exp(-_sq_dists(y, y) / (2 * h2))
    kxy = np.exp(-_sq_dists(x, y) / (2 * h2))
    # Σ_{i≠j}: drop the diagonal, where k(x, x) = 1
    sxx = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    syy = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return float(sxx + syy - 2.0 * kxy.mean())


def _log_probs(log_prob: Any, where: str) -> np.ndarray:
    if hasattr(log_prob, "numpy") and not isinstance(log_prob, np.ndarray):
        log_prob = log_prob.numpy()
    a = np.asarray(log_prob, dtype=np.float64).reshape(-1)
    if a.size == 0:
        raise ValueError(f"{where}: log_prob is empty")
    return a


def nll_nats_per_dim(log_prob: Any, dim: int, *, levels: int | None = None) -> float:
    """Negative log-likelihood in nats per dimension: -mean(log p(x)) / d (+ log(levels), see module doc)."""
    if dim < 1:
        raise ValueError(f"nll_nats_per_dim: dim must be >= 1, got {dim}")
    nll = -_log_probs(log_prob, "nll_nats_per_dim").mean() / dim
    return float(nll + (math.log(levels) if levels is not None else 0.0))


def bits_per_dim(log_prob: Any, dim: int, *, levels: int | None = None) -> float:
    """Negative log-likelihood in bits per dimension: nats per dimension / ln 2."""
    return nll_nats_per_dim(log_prob, dim, levels=levels) / math.log(2.0)
