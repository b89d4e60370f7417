"""Evaluation metrics for classification, regression, clustering and embeddings.

Written on NumPy only; the definitions (and the edge-case conventions, e.g.
``zero_division``) follow scikit-learn's so that the two agree exactly.

Notation: ``y_true`` are the labels/targets, ``y_pred`` hard predictions,
``y_score`` a real-valued score that is larger for the positive class and
``y_prob`` predicted probabilities. TP/FP/FN are true positives, false
positives and false negatives.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

__all__ = [
    "accuracy_score",
    "confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "f1_score",
    "roc_curve",
    "auc",
    "roc_auc_score",
    "log_loss",
    "calibration_curve",
    "r2_score",
    "mean_squared_error",
    "mean_absolute_error",
    "adjusted_rand_score",
    "trustworthiness",
]

Average = Literal["binary", "macro", "micro", "weighted"] | None


def _paired_1d(y_true: Any, y_pred: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(y_true), np.asarray(y_pred)
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"{where}: expected two 1-D arrays of equal length, got shapes {a.shape} and {b.shape}.")
    if a.size == 0:
        raise ValueError(f"{where}: empty input.")
    return a, b


# --------------------------------------------------------------------- classification
def accuracy_score(y_true: Any, y_pred: Any) -> float:
    """Fraction of exact matches, (1/n) Σ 1[y_i = ŷ_i]."""
    a, b = _paired_1d(y_true, y_pred, "accuracy_score")
    return float(np.mean(a == b))


def confusion_matrix(y_true: Any, y_pred: Any, labels: Any = None) -> np.ndarray:
    """``C[i, j]`` = number of samples whose true label is ``labels[i]`` and
    predicted label is ``labels[j]`` (rows: truth, columns: prediction).
    ``labels`` defaults to the sorted union of labels seen in either array."""
    a, b = _paired_1d(y_true, y_pred, "confusion_matrix")
    labels = np.unique(np.concatenate([a, b])) if labels is None else np.asarray(labels)
    n_labels = len(labels)
    position = {label: index for index, label in enumerate(labels.tolist())}
    rows = np.array([position.get(v, -1) for v in a.tolist()])
    cols = np.array([position.get(v, -1) for v in b.tolist()])
    keep = (rows >= 0) & (cols >= 0)  # samples with labels outside `labels` are ignored
    flat = np.bincount(rows[keep] * n_labels + cols[keep], minlength=n_labels * n_labels)
    return flat.reshape(n_labels, n_labels)


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: Any = 1,
    average: Average = None,
    zero_division: float = 0.0,
) -> tuple[Any, Any, Any, Any]:
    """Per-class precision = TP/(TP+FP), recall = TP/(TP+FN) and
    F_β = (1+β²)·TP / ((1+β²)·TP + β²·FN + FP), plus support = TP+FN.

    ``average``: ``None`` returns per-class arrays; ``"binary"`` only the class
    ``pos_label``; ``"macro"`` the unweighted mean over classes; ``"weighted"``
    the support-weighted mean; ``"micro"`` pools TP/FP/FN over classes first
    (for single-label multiclass this equals accuracy). A ratio with a zero
    denominator is set to ``zero_division``. Averaged results have support None.
    """
    a, b = _paired_1d(y_true, y_pred, "precision_recall_fscore_support")
    present = np.unique(np.concatenate([a, b]))
    if average == "binary":
        if len(present) > 2:
            raise ValueError(
                f"average='binary' needs binary targets, got labels {present.tolist()}; "
                "use average='macro', 'micro' or 'weighted'."
            )
        labels = np.asarray([pos_label])
    elif labels is None:
        labels = present
    labels = np.asarray(labels)

    true_positive = np.array([np.sum((a == c) & (b == c)) for c in labels], dtype=float)
    predicted = np.array([np.sum(b == c) for c in labels], dtype=float)
    support = np.array([np.sum(a == c) for c in labels], dtype=float)
    if average == "micro":
        true_positive, predicted, support = true_positive.sum(keepdims=True), predicted.sum(keepdims=True), support.sum(keepdims=True)

    def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
        out = np.full_like(numerator, float(zero_division))
        np.divide(numerator, denominator, out=out, where=denominator > 0)
        return out

    precision = ratio(true_positive, predicted)
    recall = ratio(true_positive, support)
    false_negative, false_positive = support - true_positive, predicted - true_positive
    beta2 = beta * beta
    fscore = ratio((1 + beta2) * true_positive, (1 + beta2) * true_positive + beta2 * false_negative + false_positive)

    if average is None:
        return precision, recall, fscore, support.astype(int)
    if average == "weighted":
        weights = support / support.sum() if support.sum() > 0 else np.zeros_like(support)
        return float(precision @ weights), float(recall @ weights), float(fscore @ weights), None
    if average in ("macro", "micro", "binary"):
        return float(precision.mean()), float(recall.mean()), float(fscore.mean()), None
    raise ValueError(f"average must be None, 'binary', 'macro', 'micro' or 'weighted', got {average!r}.")


def precision_score(y_true: Any, y_pred: Any, *, average: Average = "binary", **kwargs: Any) -> Any:
    """Precision TP/(TP+FP); see :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, average=average, **kwargs)[0]


def recall_score(y_true: Any, y_pred: Any, *, average: Average = "binary", **kwargs: Any) -> Any:
    """Recall TP/(TP+FN); see :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, average=average, **kwargs)[1]


def f1_score(y_true: Any, y_pred: Any, *, average: Average = "binary", **kwargs: Any) -> Any:
    """F1 = 2·P·R/(P+R) = 2TP/(2TP+FP+FN); see :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, average=average, **kwargs)[2]


# --------------------------------------------------------------------- ROC / AUC
def roc_curve(
    y_true: Any, y_score: Any, *, pos_label: Any = None, drop_intermediate: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic of a binary scorer.

    Sweeping a threshold t from +∞ down, predict positive when score ≥ t; at
    each distinct score value record FPR = FP/N and TPR = TP/P. The first
    threshold is +∞ (nothing predicted positive, the point (0, 0)).
    With ``drop_intermediate`` the points lying on a straight segment between
    their neighbours are dropped (they do not change the curve or its area).

    Returns ``fpr, tpr, thresholds``, each of shape (n_points,).
    """
    labels, scores = _paired_1d(y_true, y_score, "roc_curve")
    if pos_label is None:
        classes = np.unique(labels)
        if len(classes) > 2 or not set(classes.tolist()) <= {0, 1, -1}:
            raise ValueError(f"roc_curve: y_true must be binary in {{0,1}} or {{-1,1}} or pos_label given; got {classes.tolist()}.")
        pos_label = 1
    positive = (labels == pos_label).astype(float)
    scores = scores.astype(float)

    order = np.argsort(-scores, kind="mergesort")  # descending, stable
    scores, positive = scores[order], positive[order]
    # last index of each run of equal scores = the cut points of the sweep
    cut = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    true_pos = np.cumsum(positive)[cut]
    false_pos = (cut + 1) - true_pos
    thresholds = scores[cut]

    if drop_intermediate and len(false_pos) > 2:
        bends = np.logical_or(np.diff(false_pos, 2), np.diff(true_pos, 2))
        keep = np.flatnonzero(np.r_[True, bends, True])
        false_pos, true_pos, thresholds = false_pos[keep], true_pos[keep], thresholds[keep]

    true_pos, false_pos = np.r_[0.0, true_pos], np.r_[0.0, false_pos]
    thresholds = np.r_[np.inf, thresholds]
    n_neg, n_pos = false_pos[-1], true_pos[-1]
    fpr = false_pos / n_neg if n_neg > 0 else np.full_like(false_pos, np.nan)
    tpr = true_pos / n_pos if n_pos > 0 else np.full_like(true_pos, np.nan)
    return fpr, tpr, thresholds


def auc(x: Any, y: Any) -> float:
    """Area under a curve given by points (x, y) with monotone x, by the
    trapezoidal rule Σ (x_{i+1} - x_i)(y_i + y_{i+1})/2."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
        raise ValueError(f"auc: need two 1-D arrays of equal length >= 2, got shapes {x.shape} and {y.shape}.")
    direction = 1.0
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1.0
        else:
            raise ValueError("auc: x is neither increasing nor decreasing.")
    return float(direction * np.sum(dx * (y[1:] + y[:-1]) / 2.0))


def roc_auc_score(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve = P(score of a random positive > score of a
    random negative) (ties count 1/2).

    Binary: ``y_score`` of shape (n,). Multiclass: ``y_score`` of shape
    (n, n_classes) (columns in sorted label order), averaged one-vs-rest
    with equal class weights ("macro, ovr").
    """
    labels = np.asarray(y_true)
    scores = np.asarray(y_score, dtype=float)
    if scores.ndim == 2 and scores.shape[1] > 2:
        classes = np.unique(labels)
        if len(classes) != scores.shape[1]:
            raise ValueError(f"roc_auc_score: {len(classes)} classes in y_true but y_score has {scores.shape[1]} columns.")
        return float(np.mean([roc_auc_score(labels == c, scores[:, k]) for k, c in enumerate(classes)]))
    if scores.ndim == 2:
        scores = scores[:, -1]
    classes = np.unique(labels)
    if len(classes) != 2:
        raise ValueError(f"roc_auc_score: only one class present in y_true ({classes.tolist()}); AUC is undefined.")
    fpr, tpr, _ = roc_curve(labels == classes[1], scores, pos_label=True, drop_intermediate=True)
    return auc(fpr, tpr)


def log_loss(y_true: Any, y_prob: Any, *, labels: Any = None) -> float:
    """Cross-entropy -(1/n) Σ_i log p_i[y_i].

    ``y_prob`` has shape (n, n_classes) with columns in sorted label order, or
    shape (n,) holding P(positive class) for binary problems. Probabilities
    are clipped to [ε, 1-ε] (ε = float64 machine epsilon) so the loss is finite.
    """
    truth = np.asarray(y_true)
    probs = np.asarray(y_prob, dtype=float)
    classes = np.unique(truth) if labels is None else np.asarray(labels)
    if probs.ndim == 1:
        probs = np.column_stack([1.0 - probs, probs])
    if probs.shape[0] != truth.shape[0]:
        raise ValueError(f"log_loss: y_true has {truth.shape[0]} samples but y_prob has shape {probs.shape}.")
    if probs.shape[1] == 1:
        probs = np.column_stack([1.0 - probs[:, 0], probs[:, 0]])
    if probs.shape[1] != len(classes):
        raise ValueError(
            f"log_loss: y_prob has {probs.shape[1]} columns but there are {len(classes)} labels {classes.tolist()}; pass labels=."
        )
    index = np.searchsorted(classes, truth)
    eps = np.finfo(float).eps
    picked = np.clip(probs, eps, 1 - eps)[np.arange(len(truth)), index]
    return float(-np.mean(np.log(picked)))


def calibration_curve(
    y_true: Any, y_prob: Any, *, n_bins: int = 5, strategy: Literal["uniform", "quantile"] = "uniform"
) -> tuple[np.ndarray, np.ndarray]:
    """Reliability diagram data: bin the predicted probabilities and return,
    for each non-empty bin, the observed fraction of positives (``prob_true``)
    and the mean predicted probability (``prob_pred``). A calibrated model has
    prob_true ≈ prob_pred. Bins are equal-width on [0, 1] (``uniform``) or
    hold equal numbers of samples (``quantile``)."""
    truth, probs = _paired_1d(y_true, y_prob, "calibration_curve")
    probs = probs.astype(float)
    if probs.min() < 0 or probs.max() > 1:
        raise ValueError("calibration_curve: y_prob has values outside [0, 1].")
    classes = np.unique(truth)
    if len(classes) > 2:
        raise ValueError(f"calibration_curve: only binary classification is supported, got labels {classes.tolist()}.")
    positive = (truth == classes[-1]).astype(float)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        edges = np.percentile(probs, np.linspace(0, 100, n_bins + 1))
    else:
        raise ValueError(f"calibration_curve: strategy must be 'uniform' or 'quantile', got {strategy!r}.")
    bin_index = np.searchsorted(edges[1:-1], probs)  # value on an inner edge goes to the lower bin
    total = np.bincount(bin_index, minlength=n_bins)
    nonempty = total > 0
    prob_true = np.bincount(bin_index, weights=positive, minlength=n_bins)[nonempty] / total[nonempty]
    prob_pred = np.bincount(bin_index, weights=probs, minlength=n_bins)[nonempty] / total[nonempty]
    return prob_true, prob_pred


# --------------------------------------------------------------------- regression
def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """(1/n) Σ (y_i - ŷ_i)², averaged over outputs for 2-D targets."""
    a, b = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"mean_squared_error: shapes differ: y_true {a.shape}, y_pred {b.shape}.")
    return float(np.mean((a - b) ** 2))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """(1/n) Σ |y_i - ŷ_i|."""
    a, b = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"mean_absolute_error: shapes differ: y_true {a.shape}, y_pred {b.shape}.")
    return float(np.mean(np.abs(a - b)))


def r2_score(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)².

    1 is perfect, 0 is "as good as predicting the mean", negative is worse.
    For 2-D targets the per-output scores are averaged. A constant ``y_true``
    gives 1.0 for a perfect prediction and 0.0 otherwise (as scikit-learn)."""
    a, b = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"r2_score: shapes differ: y_true {a.shape}, y_pred {b.shape}.")
    a2, b2 = a.reshape(len(a), -1), b.reshape(len(b), -1)
    residual = np.sum((a2 - b2) ** 2, axis=0)
    total = np.sum((a2 - a2.mean(axis=0)) ** 2, axis=0)
    scores = np.where(total > 0, 1.0 - residual / np.where(total > 0, total, 1.0), np.where(residual == 0, 1.0, 0.0))
    return float(np.mean(scores))


# --------------------------------------------------------------------- clustering / embeddings
def adjusted_rand_score(labels_true: Any, labels_pred: Any) -> float:
    """Rand index corrected for chance: (RI - E[RI]) / (max RI - E[RI]),
    computed from the contingency table n_ij via pair counts C(n, 2).
    1 for identical partitions (up to renaming), ≈0 for random ones."""
    a, b = _paired_1d(labels_true, labels_pred, "adjusted_rand_score")
    _, a_index = np.unique(a, return_inverse=True)
    _, b_index = np.unique(b, return_inverse=True)
    table = np.zeros((a_index.max() + 1, b_index.max() + 1))
    np.add.at(table, (a_index, b_index), 1)

    def pairs(counts: np.ndarray) -> float:
        return float(np.sum(counts * (counts - 1) / 2))

    n_pairs = len(a) * (len(a) - 1) / 2
    index = pairs(table)
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * cols / n_pairs if n_pairs > 0 else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:  # both partitions trivial (all one cluster or all singletons)
        return 1.0
    return float((index - expected) / (maximum - expected))


def trustworthiness(X: Any, X_embedded: Any, *, n_neighbors: int = 5) -> float:
    """How well an embedding keeps neighbourhoods (Venna & Kaski, 2001).

    T(k) = 1 - 2/(n k (2n - 3k - 1)) Σ_i Σ_{j ∈ U_k(i)} (r(i, j) - k),
    where U_k(i) are the points that are among the k nearest neighbours of i
    in the embedding but not in the input space, and r(i, j) is the rank of j
    among i's neighbours in the input space. 1 means no intruders.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(X_embedded, dtype=float)
    n = X.shape[0]
    if Y.shape[0] != n:
        raise ValueError(f"trustworthiness: X has {n} samples but X_embedded has shape {Y.shape}.")
    if not 1 <= n_neighbors < n / 2:
        raise ValueError(f"trustworthiness: n_neighbors must be in [1, n_samples/2), got {n_neighbors} for {n} samples.")

    def squared_distances(Z: np.ndarray) -> np.ndarray:
        norms = np.sum(Z * Z, axis=1)
        d = norms[:, None] + norms[None, :] - 2.0 * Z @ Z.T
        np.fill_diagonal(d, np.inf)  # a point is not its own neighbour
        return d

    input_order = np.argsort(squared_distances(X), axis=1, kind="stable")
    ranks = np.empty((n, n), dtype=np.int64)
    ranks[np.arange(n)[:, None], input_order] = np.arange(1, n + 1)[None, :]
    embedded_neighbors = np.argsort(squared_distances(Y), axis=1, kind="stable")[:, :n_neighbors]
    excess = ranks[np.arange(n)[:, None], embedded_neighbors] - n_neighbors
    penalty = np.sum(excess[excess > 0])
    return float(1.0 - penalty * 2.0 / (n * n_neighbors * (2.0 * n - 3.0 * n_neighbors - 1.0)))


# Generative-model metrics (two-sample tests, likelihoods per dimension) live in their own file.
from .metrics_generative import bits_per_dim, c2st, mmd, nll_nats_per_dim  # noqa: E402

__all__ += ["c2st", "mmd", "nll_nats_per_dim", "bits_per_dim"]
