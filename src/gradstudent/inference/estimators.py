"""Amortized neural estimators: NPE (posterior), NLE (likelihood + MCMC), NRE (likelihood ratio).

Given simulations (θ_n, x_n) ~ p(θ) p(x | θ):

* NPE (Papamakarios & Murray 2016; Greenberg et al. 2019): a conditional flow q(θ | x) trained by
  max Σ log q(θ_n | x_n). Minimising E_x KL(p(θ|x) || q(θ|x)) needs only joint samples; after
  training, q(θ | x_o) is sampled directly for any x_o (amortized).
* NLE (Papamakarios et al. 2019): a conditional flow q(x | θ) trained by max Σ log q(x_n | θ_n);
  the posterior log p(θ) + log q(x_o | θ) is sampled with MCMC (``gradstudent.sampling``).
* NRE (Hermans et al. 2020): a classifier d(θ, x) separating joint pairs (label 1) from pairs
  with θ shuffled (label 0). The Bayes-optimal logit is log r = log p(x | θ)/p(x), so
  log p(θ | x_o) = log p(θ) + logit(θ, x_o) + const, again sampled with MCMC.

θ and x are z-scored with the training set's statistics; an optional embedding network maps
x (standardized) to summary features before it reaches the flow or classifier, and trains jointly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import nn, optim
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..tensor import Tensor


def _f32(a: np.ndarray) -> Tensor:
    return from_numpy(np.ascontiguousarray(a, dtype=np.float32))


@dataclass
class Standardizer:
    """z = (v - mean) / std per column (std floored at 1e-8)."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, v: np.ndarray) -> "Standardizer":
        return cls(v.mean(0), np.maximum(v.std(0), 1e-8))

    def __call__(self, v: np.ndarray) -> np.ndarray:
        return (v - self.mean) / self.std

    def inverse(self, z: np.ndarray) -> np.ndarray:
        return z * self.std + self.mean


class MLPEmbedding(nn.Module):
    """Summary statistics s = MLP(x): (N, dim_x) -> (N, out)."""

    def __init__(self, dim_x: int, out: int, hidden: tuple[int, ...] = (64, 64)) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        n = dim_x
        for h in hidden:
            layers += [nn.Linear(n, h), nn.ReLU()]
            n = h
        layers.append(nn.Linear(n, out))
        self.net = nn.Sequential(*layers)
        self.out_features = out

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class DeepSetEmbedding(nn.Module):
    """Permutation-invariant summary of iid sub-observations (Zaheer et al. 2017).

    x of shape (N, n_items * item_dim) is read as n_items points; s = ρ(mean_k φ(x_k)).
    """

    def __init__(self, n_items: int, item_dim: int, out: int, hidden: int = 64) -> None:
        super().__init__()
        self.n_items, self.item_dim, self.out_features = n_items, item_dim, out
        self.phi = nn.Sequential(nn.Linear(item_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.rho = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, out))

    def forward(self, x: Tensor) -> Tensor:
        n = x.shape[0]
        h = self.phi(x.reshape(n * self.n_items, self.item_dim)).reshape(n, self.n_items, -1)
        return self.rho(h.mean(1))


@dataclass
class TrainHistory:
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    epochs: int = 0


def _train(loss_fn: Callable[[np.ndarray], Tensor], params: list[Tensor], n: int, epochs: int, batch_size: int,
           lr: float, rng: np.random.Generator, val_fraction: float = 0.1, patience: int = 20,
           module: nn.Module | None = None) -> TrainHistory:
    """Minibatch Adam on loss_fn(indices), early stopping on a held-out fraction (best weights restored)."""
    perm = rng.permutation(n)
    n_val = max(1, int(val_fraction * n)) if n >= 10 else 0
    val, tr = perm[:n_val], perm[n_val:]
    opt = optim.Adam(params, lr=lr)
    hist, best, best_state, bad = TrainHistory(), np.inf, None, 0
    for epoch in range(epochs):
        order = rng.permutation(tr)
        total = 0.0
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(idx)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        hist.train_loss.append(total / len(tr))
        hist.epochs = epoch + 1
        if n_val:
            with no_grad():
                v = loss_fn(val).item()
            hist.val_loss.append(v)
            if v < best - 1e-4:
                best, bad = v, 0
                best_state = [p.detach().numpy().copy() for p in params]
            else:
                bad += 1
                if bad >= patience:
                    break
    if best_state is not None:
        with no_grad():
            for p, a in zip(params, best_state):
                p.copy_(from_numpy(a))
    return hist


def _flow(kind: str, features: int, context: int, transforms: int, hidden: tuple[int, ...]) -> nn.Module:
    from ..generative import MAF, RealNVP

    if kind == "maf":
        return MAF(features, context=context, transforms=transforms, hidden=hidden)
    if kind == "realnvp":
        if features < 2:
            raise ValueError("RealNVP needs at least 2 features; use flow='maf'")
        return RealNVP(features, context=context, transforms=transforms, hidden=hidden)
    raise ValueError(f"unknown flow {kind!r}: use 'maf' or 'realnvp'")


class NPE:
    """Neural posterior estimation with a conditional flow q(θ | s(x)).

    ``log_prior`` (optional, (n, dim) -> (n,)) is used at sampling time to reject samples outside
    the prior's support (the flow can leak mass outside a bounded prior, as sbi also handles).
    """

    def __init__(self, dim_theta: int, dim_x: int, flow: str = "maf", transforms: int = 5,
                 hidden: tuple[int, ...] = (50, 50), embedding: nn.Module | None = None,
                 log_prior: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.dim_theta, self.dim_x, self.log_prior = dim_theta, dim_x, log_prior
        self.embedding = embedding
        context = embedding.out_features if embedding is not None else dim_x
        self.flow = _flow(flow, dim_theta, context, transforms, hidden)
        self.theta_std: Standardizer | None = None
        self.x_std: Standardizer | None = None

    def parameters(self) -> list[Tensor]:
        ps = list(self.flow.parameters())
        return ps + (list(self.embedding.parameters()) if self.embedding is not None else [])

    def _context(self, xz: Tensor) -> Tensor:
        return self.embedding(xz) if self.embedding is not None else xz

    def train(self, theta: np.ndarray, x: np.ndarray, epochs: int = 200, batch_size: int = 256, lr: float = 1e-3,
              seed: int = 0, patience: int = 20) -> TrainHistory:
        """Maximise Σ log q(θ_n | x_n) on standardized data; returns losses per epoch."""
        theta, x = np.asarray(theta, np.float64), np.asarray(x, np.float64)
        if theta.shape != (len(theta), self.dim_theta) or x.shape != (len(theta), self.dim_x):
            raise ValueError(f"NPE.train: need theta (n, {self.dim_theta}) and x (n, {self.dim_x}), got {theta.shape}, {x.shape}")
        self.theta_std, self.x_std = Standardizer.fit(theta), Standardizer.fit(x)
        tz, xz = _f32(self.theta_std(theta)), _f32(self.x_std(x))

        def loss_fn(idx: np.ndarray) -> Tensor:
            i = from_numpy(idx.astype(np.int64))
            return -self.flow.log_prob(tz[i], self._context(xz[i])).mean()

        return _train(loss_fn, self.parameters(), len(theta), epochs, batch_size, lr, np.random.default_rng(seed),
                      patience=patience)

    def _xz(self, x_o: np.ndarray) -> Tensor:
        if self.x_std is None or self.theta_std is None:
            raise RuntimeError("NPE: call train() before sampling or evaluating")
        x_o = np.asarray(x_o, np.float64).reshape(1, self.dim_x)
        return _f32(self.x_std(x_o))

    def log_prob(self, theta: np.ndarray, x_o: np.ndarray) -> np.ndarray:
        """log q(θ | x_o) in the original units (the Jacobian of the standardization subtracted)."""
        xz = self._xz(x_o)
        theta = np.asarray(theta, np.float64).reshape(-1, self.dim_theta)
        assert self.theta_std is not None
        with no_grad():
            ctx = self._context(xz).expand(theta.shape[0], -1)
            lp = self.flow.log_prob(_f32(self.theta_std(theta)), ctx).numpy().astype(np.float64)
        return lp - np.log(self.theta_std.std).sum()

    def sample(self, x_o: np.ndarray, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """n draws from q(θ | x_o), rejecting any outside the prior's support. ``rng`` seeds gs's global RNG."""
        from .. import random as gs_random

        xz = self._xz(x_o)
        assert self.theta_std is not None
        if rng is not None:
            gs_random.manual_seed(int(rng.integers(2 ** 31)))
        out: list[np.ndarray] = []
        got = 0
        with no_grad():
            ctx = self._context(xz)
            for _ in range(100):
                z = self.flow.sample(n, ctx.expand(n, -1)).numpy().astype(np.float64)
                th = self.theta_std.inverse(z)
                if self.log_prior is not None:
                    th = th[np.isfinite(self.log_prior(th))]
                out.append(th)
                got += len(th)
                if got >= n:
                    break
        if got < n:
            raise RuntimeError(f"NPE.sample: fewer than {n} samples inside the prior support after 100 rounds")
        return np.concatenate(out)[:n]
