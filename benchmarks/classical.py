"""Fit time of gradstudent.classical estimators vs scikit-learn on digits-sized data.

    python benchmarks/classical.py [--repeats 7] [--blas-threads 1]

Data: the 1797 digits (64 pixels in [0, 1]); regressors predict the digit
value, classifiers the digit. Each timing is the median of ``--repeats``
runs; gradstudent and scikit-learn runs are interleaved so that load from
other processes affects both alike. Prints a markdown table with the ratio
gradstudent / scikit-learn (the target is ≤ 3).

Note: numpy and scipy ship separate OpenBLAS copies, each with its own thread
pool; code alternating between them (L-BFGS: scipy's optimizer, numpy's
matrix products) can be slowed a lot by the two pools' busy-waiting threads
on a 2-core machine. ``--blas-threads 1`` limits both pools (for both
libraries alike) with threadpoolctl, to see timings without that effect.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Any, Callable

import numpy as np
from sklearn import decomposition as sk_decomposition
from sklearn import linear_model as sk_linear
from sklearn import neighbors as sk_neighbors
from sklearn import tree as sk_tree
from sklearn.exceptions import ConvergenceWarning

from gradstudent import classical as gs
from gradstudent.datasets import load_digits_arrays


def _digits() -> tuple[np.ndarray, np.ndarray]:
    X_train, y_train = load_digits_arrays("train")
    X_test, y_test = load_digits_arrays("test")
    return np.concatenate([X_train, X_test]).astype(np.float64), np.concatenate([y_train, y_test])


def _cases(X: np.ndarray, y: np.ndarray) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    target = y.astype(np.float64)
    return [
        ("PCA(n_components=10)", lambda: gs.PCA(10).fit(X), lambda: sk_decomposition.PCA(10).fit(X)),
        ("Ridge(alpha=1.0)", lambda: gs.Ridge(1.0).fit(X, target), lambda: sk_linear.Ridge(1.0).fit(X, target)),
        ("Lasso(alpha=0.01)", lambda: gs.Lasso(alpha=0.01).fit(X, target), lambda: sk_linear.Lasso(alpha=0.01).fit(X, target)),
        ("Lasso(alpha=0.001)", lambda: gs.Lasso(alpha=0.001).fit(X, target), lambda: sk_linear.Lasso(alpha=0.001).fit(X, target)),
        (
            "LogisticRegression(C=1.0), 10 classes",
            lambda: gs.LogisticRegression(C=1.0).fit(X, y),
            lambda: sk_linear.LogisticRegression(C=1.0).fit(X, y),
        ),
        (
            "KernelDensity(bandwidth=0.5) fit + score_samples",
            lambda: gs.KernelDensity(bandwidth=0.5).fit(X).score_samples(X),
            lambda: sk_neighbors.KernelDensity(bandwidth=0.5).fit(X).score_samples(X),
        ),
        (
            "DecisionTreeClassifier()",
            lambda: gs.DecisionTreeClassifier().fit(X, y),
            lambda: sk_tree.DecisionTreeClassifier(random_state=0).fit(X, y),
        ),
        (
            "DecisionTreeRegressor(max_depth=8)",
            lambda: gs.DecisionTreeRegressor(max_depth=8).fit(X, target),
            lambda: sk_tree.DecisionTreeRegressor(max_depth=8, random_state=0).fit(X, target),
        ),
    ]


def _median_ms(ours: Callable[[], Any], theirs: Callable[[], Any], repeats: int) -> tuple[float, float]:
    ours(), theirs()  # warm-up (imports, caches, BLAS thread start-up)
    ours_times, theirs_times = [], []
    for _ in range(repeats):
        for function, times in ((ours, ours_times), (theirs, theirs_times)):
            start = time.perf_counter()
            function()
            times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(ours_times), statistics.median(theirs_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--blas-threads", type=int, default=None, help="limit BLAS threads (both libraries)")
    args = parser.parse_args()
    if args.blas_threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=args.blas_threads, user_api="blas")
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # both stop at max_iter alike
    X, y = _digits()
    threads = "default" if args.blas_threads is None else args.blas_threads
    print(f"digits: X {X.shape}, {len(np.unique(y))} classes; median of {args.repeats} runs; BLAS threads: {threads}\n")
    print("| estimator | gradstudent ms | sklearn ms | ratio |")
    print("|---|---:|---:|---:|")
    for name, ours, theirs in _cases(X, y):
        ours_ms, theirs_ms = _median_ms(ours, theirs, args.repeats)
        print(f"| {name} | {ours_ms:.1f} | {theirs_ms:.1f} | {ours_ms / theirs_ms:.2f} |", flush=True)


if __name__ == "__main__":
    main()
