"""gradstudent.metrics against sklearn.metrics."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import calibration as skcal
from sklearn import manifold as skmanifold
from sklearn import metrics as skm

from gradstudent import metrics as gm


@pytest.fixture
def multiclass() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 200)
    y_pred = np.where(rng.uniform(size=200) < 0.6, y_true, rng.integers(0, 4, 200))
    y_pred[y_pred == 3] = 2  # class 3 never predicted: exercises zero_division
    return y_true, y_pred


@pytest.fixture
def binary_scores() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 2, 300)
    scores = np.round(y_true * 0.8 + rng.normal(size=300), 1)  # rounding creates tied scores
    return y_true, scores


def test_accuracy_and_confusion_matrix(multiclass):
    y_true, y_pred = multiclass
    assert gm.accuracy_score(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    np.testing.assert_array_equal(gm.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred))
    labels = [2, 0, 5]
    np.testing.assert_array_equal(
        gm.confusion_matrix(y_true, y_pred, labels=labels), skm.confusion_matrix(y_true, y_pred, labels=labels)
    )


@pytest.mark.parametrize("average", [None, "macro", "micro", "weighted"])
def test_precision_recall_f1_multiclass(multiclass, average):
    y_true, y_pred = multiclass
    ours = gm.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0.0)
    theirs = skm.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0.0)
    for a, b in zip(ours[:3], theirs[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    if average is None:
        np.testing.assert_array_equal(ours[3], theirs[3])
    for ours_fn, theirs_fn in [(gm.precision_score, skm.precision_score), (gm.recall_score, skm.recall_score), (gm.f1_score, skm.f1_score)]:
        np.testing.assert_allclose(
            ours_fn(y_true, y_pred, average=average), theirs_fn(y_true, y_pred, average=average, zero_division=0.0), rtol=1e-12
        )


def test_binary_average_and_pos_label(binary_scores):
    y_true, scores = binary_scores
    y_pred = (scores > 0.4).astype(int)
    for pos_label in (0, 1):
        assert gm.f1_score(y_true, y_pred, pos_label=pos_label) == pytest.approx(skm.f1_score(y_true, y_pred, pos_label=pos_label))
        assert gm.precision_score(y_true, y_pred, pos_label=pos_label) == pytest.approx(skm.precision_score(y_true, y_pred, pos_label=pos_label))
    with pytest.raises(ValueError, match="average='binary' needs binary targets"):
        gm.f1_score([0, 1, 2], [0, 1, 2])


def test_roc_curve_and_auc(binary_scores):
    y_true, scores = binary_scores
    for drop in (True, False):
        ours = gm.roc_curve(y_true, scores, drop_intermediate=drop)
        theirs = skm.roc_curve(y_true, scores, drop_intermediate=drop)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b)
    assert gm.roc_auc_score(y_true, scores) == pytest.approx(skm.roc_auc_score(y_true, scores), abs=1e-12)
    fpr, tpr, _ = gm.roc_curve(y_true, scores)
    assert gm.auc(fpr, tpr) == pytest.approx(skm.auc(fpr, tpr), abs=1e-12)


def test_multiclass_auc_ovr():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 150)
    logits = rng.normal(size=(150, 3)) + 1.5 * np.eye(3)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert gm.roc_auc_score(y, proba) == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"), abs=1e-12)


def test_log_loss():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 100)
    proba = rng.dirichlet(np.ones(3), size=100)
    proba[0] = [1.0, 0.0, 0.0]  # exercises clipping
    assert gm.log_loss(y, proba) == pytest.approx(skm.log_loss(y, proba), rel=1e-12)
    yb = rng.integers(0, 2, 50)
    pb = rng.uniform(size=50)
    assert gm.log_loss(yb, pb) == pytest.approx(skm.log_loss(yb, pb), rel=1e-12)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_calibration_curve(strategy):
    rng = np.random.default_rng(4)
    prob = rng.uniform(size=400)
    y = (rng.uniform(size=400) < prob**1.5).astype(int)
    prob[:5] = [0.0, 0.2, 0.4, 1.0, 0.6]  # values on bin edges
    ours = gm.calibration_curve(y, prob, n_bins=5, strategy=strategy)
    theirs = skcal.calibration_curve(y, prob, n_bins=5, strategy=strategy)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_regression_metrics():
    rng = np.random.default_rng(5)
    y = rng.normal(size=50)
    pred = y + rng.normal(scale=0.5, size=50)
    assert gm.r2_score(y, pred) == pytest.approx(skm.r2_score(y, pred), rel=1e-12)
    assert gm.mean_squared_error(y, pred) == pytest.approx(skm.mean_squared_error(y, pred), rel=1e-12)
    assert gm.mean_absolute_error(y, pred) == pytest.approx(skm.mean_absolute_error(y, pred), rel=1e-12)
    Y, P = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    assert gm.r2_score(Y, P) == pytest.approx(skm.r2_score(Y, P), rel=1e-12)
    assert gm.r2_score(np.ones(5), np.ones(5)) == 1.0


def test_adjusted_rand_and_trustworthiness():
    rng = np.random.default_rng(6)
    a, b = rng.integers(0, 4, 120), rng.integers(0, 3, 120)
    assert gm.adjusted_rand_score(a, b) == pytest.approx(skm.adjusted_rand_score(a, b), abs=1e-12)
    assert gm.adjusted_rand_score(a, (a + 1) % 4) == pytest.approx(1.0)
    X = rng.normal(size=(80, 5))
    Y = X[:, :2] + 0.3 * rng.normal(size=(80, 2))
    assert gm.trustworthiness(X, Y, n_neighbors=7) == pytest.approx(skmanifold.trustworthiness(X, Y, n_neighbors=7), abs=1e-12)
