# %% [markdown]
# # 20. Regression and classification, classically
#
# Linear regression minimises $\|Xw - y\|^2$; ridge adds $\alpha\|w\|^2$ (shrinks all weights), lasso
# $\alpha\|w\|_1$ (sets some to exactly 0). Logistic regression is a one-layer network with a sigmoid
# output fitted by maximum likelihood; LDA/QDA model each class as a Gaussian; trees split features.
# Cross-validation picks hyper-parameters; double descent shows what happens past interpolation.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from gradstudent.classical import (
    DecisionTreeClassifier, Lasso, LinearRegression, LogisticRegression, QuadraticDiscriminantAnalysis, Ridge, cross_val_score,
)
from gradstudent.datasets import load_digits_arrays

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Ridge and lasso on a sparse problem
# 50 features, only 5 matter.

# %%
X = rng.normal(size=(80, 50))
w_true = np.zeros(50)
w_true[:5] = [3, -2, 1.5, 1, -1]
y = X @ w_true + 0.5 * rng.normal(size=80)
for model in (LinearRegression(), Ridge(alpha=10.0), Lasso(alpha=0.1)):
    model.fit(X, y)
    print(f"{type(model).__name__:16s} weight error {np.linalg.norm(model.coef_ - w_true):.3f}, exact zeros {int((np.abs(model.coef_) < 1e-10).sum())}")

# %% [markdown]
# ## Classifiers on the digits, with 5-fold cross-validation

# %%
Xd, yd = load_digits_arrays("train")
if FAST:
    Xd, yd = Xd[:400], yd[:400]
for model in (LogisticRegression(C=1.0, max_iter=200), QuadraticDiscriminantAnalysis(reg_param=0.1), DecisionTreeClassifier(max_depth=10)):
    scores = cross_val_score(model, Xd, yd, cv=5)
    print(f"{type(model).__name__:30s} accuracy {scores.mean():.3f} ± {scores.std():.3f}")

# %% [markdown]
# ## Double descent with random features
# Regress on $D$ random ReLU features of the input with the minimum-norm least-squares solution. The
# test error peaks where $D$ equals the number of training points $n$ (the model can just interpolate)
# and falls again beyond it.

# %%
n = 100
Xtr, Xte = rng.normal(size=(n, 5)), rng.normal(size=(500, 5))
f = lambda A: np.sin(A[:, 0]) + A[:, 1] ** 2 / 2  # noqa: E731
ytr, yte = f(Xtr) + 0.1 * rng.normal(size=n), f(Xte)
dims = [10, 50, 90, 100, 110, 200, 1000] if FAST else [10, 25, 50, 75, 90, 100, 110, 150, 300, 1000, 3000]
errors = []
for D in dims:
    W = rng.normal(size=(5, D)) / np.sqrt(5)
    phi = lambda A: np.maximum(A @ W, 0)  # noqa: E731
    w = np.linalg.pinv(phi(Xtr)) @ ytr  # the minimum-norm solution
    errors.append(float(((phi(Xte) @ w - yte) ** 2).mean()))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.loglog(dims, errors, "-o")
ax.axvline(n, color="k", ls="--", label="D = n")
ax.set_xlabel("random features D")
ax.set_ylabel("test MSE")
ax.legend()
fig.savefig(OUT / "20_double_descent.png")
print("peak at D =", dims[int(np.argmax(errors))])

# %% [markdown]
# ## The same thing in scikit-learn
# The estimators work in scikit-learn's own machinery too; here a direct comparison:

# %%
try:
    from sklearn.linear_model import Ridge as SkRidge
except ImportError:
    SkRidge = None
if SkRidge is not None:
    print("ridge coefficients match scikit-learn:", np.allclose(SkRidge(alpha=10.0).fit(X, y).coef_, Ridge(alpha=10.0).fit(X, y).coef_, atol=1e-6))
