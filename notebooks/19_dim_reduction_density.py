# %% [markdown]
# # 19. Dimension reduction and density estimation
#
# **PCA** projects onto the directions of largest variance: the top eigenvectors of the covariance
# $\frac1n X_c^\top X_c$ (computed from the SVD of the centred data). **t-SNE** and **UMAP** keep
# neighbourhoods instead of distances, so clusters separate. **Kernel density estimation** puts a bump
# on every point, $\hat p(x) = \frac1{nh^d}\sum_i K\!\left(\frac{x - x_i}{h}\right)$; the bandwidth $h$ is the whole game.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from gradstudent.classical import PCA, TSNE, KernelDensity, MeanShift
from gradstudent.datasets import load_digits_arrays, make_moons

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)

# %%
X, y = load_digits_arrays("all")
if FAST:
    X, y = X[:300], y[:300]
pca = PCA(n_components=2).fit(X)
Z_pca = pca.transform(X)
print("variance explained by 2 components:", pca.explained_variance_ratio_.sum().round(3))
Z_tsne = TSNE(n_components=2, perplexity=30, random_state=0, max_iter=250 if FAST else 1000).fit_transform(X)
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, Z, name in zip(axes, (Z_pca, Z_tsne), ("PCA", "t-SNE")):
    ax.scatter(Z[:, 0], Z[:, 1], c=y, s=4, cmap="tab10")
    ax.set_title(name)
fig.savefig(OUT / "19_pca_tsne.png")

# %% [markdown]
# PCA's components are the covariance's eigenvectors:

# %%
Xc = X - X.mean(0)
evals, evecs = np.linalg.eigh(Xc.T @ Xc / len(X))
top = evecs[:, ::-1][:, :2]
print("|cos| between PCA components and top eigenvectors:", np.abs((pca.components_ @ top).diagonal()).round(4))

# %% [markdown]
# ## Kernel density estimation and mean shift

# %%
P, _ = make_moons(400, noise=0.08, seed=0)
train, test = P[:300], P[300:]
for h in (0.02, 0.1, 0.3, 1.0):
    kde = KernelDensity(bandwidth=h).fit(train)
    print(f"bandwidth {h:4}: mean held-out log-density {kde.score_samples(test).mean():.3f}")
modes = MeanShift(bandwidth=0.3).fit(train).cluster_centers_
print("mean-shift modes:", len(modes))

# %% [markdown]
# ## The same thing in scikit-learn
# The estimators follow scikit-learn's conventions (`fit`, `transform`, fitted attributes ending in `_`):

# %%
try:
    from sklearn.decomposition import PCA as SkPCA
except ImportError:
    SkPCA = None
if SkPCA is not None:
    sk = SkPCA(n_components=2).fit(X)
    print("same explained variance as scikit-learn:", np.allclose(sk.explained_variance_ratio_, pca.explained_variance_ratio_, atol=1e-5))
