"""Principal component analysis, linear and kernel.

PCA finds the orthonormal directions of largest variance. With the centered
data matrix Xc = X - mean (n × d) and its thin SVD Xc = U S Vᵀ:

* the principal axes are the rows of Vᵀ (``components_``, k × d);
* the variance along axis i is S_i² / (n - 1) (``explained_variance_``);
* the projection (scores) is Xc V = U S (``transform``);
* with ``whiten=True`` the scores are divided by sqrt(explained_variance_),
  so every output column has unit variance.

Equivalently, V holds the eigenvectors of the covariance C = Xcᵀ Xc / (n - 1);
for n ≫ d, forming C (d × d) and calling ``eigh`` is cheaper than the SVD of
Xc, and scikit-learn's ``svd_solver="auto"`` does the same.

Eigenvectors are defined only up to sign. To make results deterministic
(and comparable with scikit-learn exactly) each component is flipped so that
its entry of largest absolute value is positive.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from gradstudent.classical.base import BaseEstimator, TransformerMixin

__all__ = ["PCA", "KernelPCA", "flip_signs"]


def flip_signs(vectors: np.ndarray, axis: int) -> np.ndarray:
    """Flip each vector (a row if ``axis=1``, a column if ``axis=0``) so that
    its largest-magnitude entry is positive. Returns the flipped copy."""
    largest = np.argmax(np.abs(vectors), axis=axis)
    if axis == 1:
        signs = np.sign(vectors[np.arange(vectors.shape[0]), largest])
        return vectors * signs[:, None]
    signs = np.sign(vectors[largest, np.arange(vectors.shape[1])])
    return vectors * signs[None, :]


class PCA(TransformerMixin, BaseEstimator):
    """Principal component analysis by SVD (or covariance eigendecomposition).

    Parameters
    ----------
    n_components : int, float in (0, 1), or None
        Number of components to keep; a float keeps the fewest components whose
        cumulative explained-variance ratio exceeds it; None keeps min(n, d).
    whiten : divide the scores by the component standard deviations.
    svd_solver : "auto" (covariance for n ≥ 10 d and d ≤ 1000, else full SVD),
        "full" (SVD of the centered data) or "covariance_eigh".

    Fitted attributes
    -----------------
    mean_ (d,), components_ (k, d), explained_variance_ (k,),
    explained_variance_ratio_ (k,), singular_values_ (k,), n_components_,
    noise_variance_ (mean of the discarded variances; the probabilistic-PCA
    estimate of the isotropic noise).
    """

    def __init__(
        self,
        n_components: int | float | None = None,
        *,
        whiten: bool = False,
        svd_solver: Literal["auto", "full", "covariance_eigh"] = "auto",
    ) -> None:
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver

    def _spectrum(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Variances (descending, length min(n, d)) and axes (as rows) of the centered data."""
        n_samples, n_features = X.shape
        solver = self.svd_solver
        if solver == "auto":
            solver = "covariance_eigh" if (n_features <= 1000 and n_samples >= 10 * n_features) else "full"
        if solver == "covariance_eigh":
            covariance = (X.T @ X - n_samples * np.outer(self.mean_, self.mean_)) / (n_samples - 1)
            eigenvalues, eigenvectors = np.linalg.eigh(covariance)
            variances = np.clip(eigenvalues[::-1], 0.0, None)  # round-off can make tiny ones negative
            axes = eigenvectors[:, ::-1].T
        elif solver == "full":
            _, singular_values, axes = np.linalg.svd(X - self.mean_, full_matrices=False)
            variances = singular_values**2 / (n_samples - 1)
        else:
            raise ValueError(f"PCA: svd_solver must be 'auto', 'full' or 'covariance_eigh', got {solver!r}.")
        return variances, flip_signs(axes, axis=1)

    def fit(self, X: Any, y: Any = None) -> "PCA":
        X = self._validate_X(X, "fit", reset=True, min_samples=2)
        n_samples, n_features = X.shape
        self.mean_ = X.mean(axis=0)
        variances, axes = self._spectrum(X)
        ratios = variances / variances.sum()

        max_components = min(n_samples, n_features)
        if self.n_components is None:
            k = max_components
        elif isinstance(self.n_components, float) and 0.0 < self.n_components < 1.0:
            # fewest components whose cumulative ratio strictly exceeds the target
            k = int(np.searchsorted(np.cumsum(ratios), self.n_components, side="right") + 1)
            k = min(k, max_components)
        elif isinstance(self.n_components, (int, np.integer)) and 1 <= self.n_components <= max_components:
            k = int(self.n_components)
        else:
            raise ValueError(
                f"PCA: n_components={self.n_components!r} must be None, a float in (0, 1) or an int in "
                f"[1, min(n_samples, n_features)] = [1, {max_components}] for X of shape {X.shape}."
            )
        self.n_components_ = k
        self.n_samples_ = n_samples
        self.components_ = axes[:k].copy()
        self.explained_variance_ = variances[:k].copy()
        self.explained_variance_ratio_ = ratios[:k].copy()
        self.singular_values_ = np.sqrt(self.explained_variance_ * (n_samples - 1))
        self.noise_variance_ = float(variances[k:max_components].mean()) if k < max_components else 0.0
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Scores (X - mean) Vᵀ of shape (n, k); whitened if ``whiten``."""
        X = self._validate_X(X, "transform")
        scores = (X - self.mean_) @ self.components_.T
        if self.whiten:
            scores /= np.sqrt(self.explained_variance_)
        return scores

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Map scores back to input space: Z V + mean (undoing whitening)."""
        self._check_is_fitted("inverse_transform")
        Z = np.asarray(Z, dtype=float)
        if Z.ndim != 2 or Z.shape[1] != self.n_components_:
            raise ValueError(f"PCA.inverse_transform expects shape (n, {self.n_components_}), got {Z.shape}.")
        if self.whiten:
            Z = Z * np.sqrt(self.explained_variance_)
        return Z @ self.components_ + self.mean_


def pairwise_kernel(
    A: np.ndarray, B: np.ndarray, kernel: str, *, gamma: float, degree: int, coef0: float
) -> np.ndarray:
    """Kernel matrix K[i, j] = k(A_i, B_j) for the linear, polynomial and RBF kernels:
    linear: a·b;  poly: (γ a·b + c0)^degree;  rbf: exp(-γ ‖a - b‖²)."""
    inner = A @ B.T
    if kernel == "linear":
        return inner
    if kernel == "poly":
        return (gamma * inner + coef0) ** degree
    if kernel == "rbf":
        squared = np.sum(A * A, axis=1)[:, None] + np.sum(B * B, axis=1)[None, :] - 2.0 * inner
        return np.exp(-gamma * np.maximum(squared, 0.0))
    raise ValueError(f"unknown kernel {kernel!r}; choose 'linear', 'poly' or 'rbf'.")


class KernelPCA(TransformerMixin, BaseEstimator):
    """Kernel PCA (Schölkopf et al., 1998): PCA in the feature space of a kernel.

    With the n × n kernel matrix K and the centering matrix H = I - 11ᵀ/n, the
    centered kernel is Kc = H K H (the Gram matrix of the mean-subtracted
    feature vectors). Its eigendecomposition Kc = A Λ Aᵀ (eigenvalues
    descending) gives the principal components; the projection of training
    point i on component j is A_ij sqrt(λ_j), and a new point x is projected
    with its centered kernel row: kc(x) A_j / sqrt(λ_j).

    ``gamma`` defaults to 1 / n_features. Fitted attributes: ``eigenvalues_``
    (k,), ``eigenvectors_`` (n, k), ``X_fit_`` (n, d).
    """

    def __init__(
        self,
        n_components: int | None = None,
        *,
        kernel: Literal["linear", "poly", "rbf"] = "linear",
        gamma: float | None = None,
        degree: int = 3,
        coef0: float = 1.0,
        remove_zero_eig: bool = False,
    ) -> None:
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.remove_zero_eig = remove_zero_eig

    def _kernel(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        gamma = 1.0 / self.n_features_in_ if self.gamma is None else self.gamma
        return pairwise_kernel(A, B, self.kernel, gamma=gamma, degree=self.degree, coef0=self.coef0)

    def fit(self, X: Any, y: Any = None) -> "KernelPCA":
        X = self._validate_X(X, "fit", reset=True, min_samples=2)
        n = X.shape[0]
        if self.kernel not in ("linear", "poly", "rbf"):
            raise ValueError(f"KernelPCA: kernel must be 'linear', 'poly' or 'rbf', got {self.kernel!r}.")
        kernel = self._kernel(X, X)
        # remember the statistics needed to center the kernel rows of new points
        self._fit_column_means = kernel.mean(axis=0)
        self._fit_total_mean = kernel.mean()
        centered = kernel - self._fit_column_means[None, :] - self._fit_column_means[:, None] + self._fit_total_mean

        eigenvalues, eigenvectors = np.linalg.eigh(centered)
        order = np.argsort(eigenvalues)[::-1]
        eigenvalues = np.clip(eigenvalues[order], 0.0, None)
        eigenvectors = flip_signs(eigenvectors[:, order], axis=0)
        k = n if self.n_components is None else int(self.n_components)
        if not 1 <= k <= n:
            raise ValueError(f"KernelPCA: n_components must be in [1, n_samples={n}], got {self.n_components!r}.")
        eigenvalues, eigenvectors = eigenvalues[:k], eigenvectors[:, :k]
        if self.remove_zero_eig or self.n_components is None:
            keep = eigenvalues > 0
            eigenvalues, eigenvectors = eigenvalues[keep], eigenvectors[:, keep]
        self.eigenvalues_ = eigenvalues
        self.eigenvectors_ = eigenvectors
        self.X_fit_ = X
        return self

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        self.fit(X)
        return self.eigenvectors_ * np.sqrt(self.eigenvalues_)

    def transform(self, X: Any) -> np.ndarray:
        X = self._validate_X(X, "transform")
        kernel = self._kernel(X, self.X_fit_)
        centered = kernel - kernel.mean(axis=1, keepdims=True) - self._fit_column_means[None, :] + self._fit_total_mean
        nonzero = self.eigenvalues_ > 0
        scale = np.zeros_like(self.eigenvalues_)
        scale[nonzero] = 1.0 / np.sqrt(self.eigenvalues_[nonzero])
        return centered @ (self.eigenvectors_ * scale)
