"""Classical machine learning and statistics, from scratch on NumPy/SciPy.

Every estimator follows scikit-learn's conventions (hyper-parameters in
``__init__``, ``fit`` returns ``self``, fitted attributes end in ``_``) and is
tested against scikit-learn, which it never imports.

    from gradstudent.classical import PCA, LogisticRegression, DecisionTreeClassifier
    model = LogisticRegression(C=1.0).fit(X_train, y_train)
    model.score(X_test, y_test)

Modules: ``decomposition`` (PCA, KernelPCA), ``manifold`` (TSNE), ``umap``
(UMAP), ``density`` (KernelDensity), ``cluster`` (KMeans, MeanShift),
``mixture`` (GaussianMixture), ``linear`` (LinearRegression, Ridge, Lasso,
ElasticNet), ``glm`` (LogisticRegression, PoissonRegressor, GammaRegressor),
``discriminant`` (LDA, QDA), ``tree`` (CART trees with cost-complexity
pruning), ``neighbors`` (k-NN), ``preprocessing`` (scaling, polynomial and
random features), ``model_selection`` (splits, cross-validation, grid search).
"""

from gradstudent.classical.base import BaseEstimator, NotFittedError, clone
from gradstudent.classical.cluster import KMeans, MeanShift, estimate_bandwidth, kmeans_plusplus
from gradstudent.classical.decomposition import PCA, KernelPCA
from gradstudent.classical.density import KernelDensity
from gradstudent.classical.discriminant import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from gradstudent.classical.glm import GammaRegressor, LogisticRegression, PoissonRegressor
from gradstudent.classical.linear import ElasticNet, Lasso, LinearRegression, Ridge
from gradstudent.classical.manifold import TSNE
from gradstudent.classical.mixture import GaussianMixture
from gradstudent.classical.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
    train_val_test_split,
)
from gradstudent.classical.neighbors import KNeighborsClassifier, KNeighborsRegressor
from gradstudent.classical.preprocessing import (
    PolynomialFeatures,
    RandomFourierFeatures,
    RandomReLUFeatures,
    StandardScaler,
)
from gradstudent.classical.tree import DecisionTreeClassifier, DecisionTreeRegressor
from gradstudent.classical.umap import UMAP

__all__ = [
    "BaseEstimator",
    "NotFittedError",
    "clone",
    "PCA",
    "KernelPCA",
    "TSNE",
    "UMAP",
    "KernelDensity",
    "MeanShift",
    "KMeans",
    "kmeans_plusplus",
    "estimate_bandwidth",
    "GaussianMixture",
    "LinearRegression",
    "Ridge",
    "Lasso",
    "ElasticNet",
    "LogisticRegression",
    "PoissonRegressor",
    "GammaRegressor",
    "LinearDiscriminantAnalysis",
    "QuadraticDiscriminantAnalysis",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "StandardScaler",
    "PolynomialFeatures",
    "RandomFourierFeatures",
    "RandomReLUFeatures",
    "KFold",
    "StratifiedKFold",
    "ParameterGrid",
    "cross_val_score",
    "GridSearchCV",
    "train_test_split",
    "train_val_test_split",
]
