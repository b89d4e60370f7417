"""NLE and NRE: learn the likelihood (or a ratio to the evidence), then sample the posterior by MCMC.

Both give an unnormalized log posterior  log p(θ) + ℓ(θ; x_o)  with
  NLE: ℓ = log q(x_o | θ)       (a conditional flow over x with context θ)
  NRE: ℓ = logit d(θ, x_o)      (a classifier; its optimal logit is log p(x_o | θ) / p(x_o))
which is sampled with random-walk Metropolis–Hastings from ``gradstudent.sampling`` (no
gradient needed, robust to the -inf of a bounded prior), chains started at prior draws with
the highest ℓ.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..nn import functional as F
from ..tensor import Tensor
from .estimators import Standardizer, TrainHistory, _f32, _flow, _train

LogFn = Callable[[np.ndarray], np.ndarray]


def mcmc_posterior(log_prior: LogFn, log_lik: LogFn, sample_prior: Callable[[int, np.random.Generator], np.ndarray],
                   n: int, rng: np.random.Generator, chains: int = 20, n_warmup: int = 500, thin: int = 5,
                   step_size: float = 0.1) -> np.ndarray:
    """n draws of p(θ | x_o) ∝ exp(log_prior + log_lik) with gradstudent.sampling.metropolis_hastings."""
    import gradstudent as gs
    from gradstudent import sampling

    def log_prob(t: Tensor) -> Tensor:
        th = t.detach().numpy().astype(np.float64)
        lp = log_prior(th)
        ok = np.isfinite(lp)
        out = np.full(th.shape[0], -1e30)
        if ok.any():
            out[ok] = lp[ok] + log_lik(th[ok])
        return gs.from_numpy(out)

    cand = sample_prior(max(1000, 20 * chains), rng)
    score = log_lik(cand)
    start = cand[np.argsort(score)[-chains:]]
    gen = gs.Generator().manual_seed(int(rng.integers(2 ** 31)))
    per_chain = int(np.ceil(n / chains)) * thin
    res = sampling.metropolis_hastings(log_prob, gs.from_numpy(start), n_samples=per_chain, n_warmup=n_warmup,
                                       step_size=step_size, generator=gen)
    draws = np.asarray(res.samples)[:, ::thin].reshape(-1, start.shape[1])
    return draws[rng.permutation(len(draws))[:n]]


class NLE:
    """Neural likelihood estimation: a conditional flow q(x | θ) (x standardized), posterior by MCMC."""

    def __init__(self, dim_theta: int, dim_x: int, flow: str = "maf", transforms: int = 5,
                 hidden: tuple[int, ...] = (50, 50)) -> None:
        self.dim_theta, self.dim_x = dim_theta, dim_x
        self.flow = _flow(flow, dim_x, dim_theta, transforms, hidden)
        self.theta_std: Standardizer | None = None
        self.x_std: Standardizer | None = None

    def train(self, theta: np.ndarray, x: np.ndarray, epochs: int = 200, batch_size: int = 256, lr: float = 1e-3,
              seed: int = 0, patience: int = 20) -> TrainHistory:
        """Maximise Σ log q(x_n | θ_n)."""
        theta, x = np.asarray(theta, np.float64), np.asarray(x, np.float64)
        if theta.shape != (len(theta), self.dim_theta) or x.shape != (len(theta), self.dim_x):
            raise ValueError(f"NLE.train: need theta (n, {self.dim_theta}) and x (n, {self.dim_x}), got {theta.shape}, {x.shape}")
        self.theta_std, self.x_std = Standardizer.fit(theta), Standardizer.fit(x)
        tz, xz = _f32(self.theta_std(theta)), _f32(self.x_std(x))

        def loss_fn(idx: np.ndarray) -> Tensor:
            i = from_numpy(idx.astype(np.int64))
            return -self.flow.log_prob(xz[i], tz[i]).mean()

        return _train(loss_fn, list(self.flow.parameters()), len(theta), epochs, batch_size, lr,
                      np.random.default_rng(seed), patience=patience)

    def log_likelihood(self, theta: np.ndarray, x_o: np.ndarray) -> np.ndarray:
        """log q(x_o | θ) for each row of θ (up to the constant standardization Jacobian)."""
        if self.theta_std is None or self.x_std is None:
            raise RuntimeError("NLE: call train() first")
        theta = np.asarray(theta, np.float64).reshape(-1, self.dim_theta)
        xz = _f32(np.repeat(self.x_std(np.asarray(x_o, np.float64).reshape(1, -1)), theta.shape[0], 0))
        with no_grad():
            return self.flow.log_prob(xz, _f32(self.theta_std(theta))).numpy().astype(np.float64)

    def sample(self, x_o: np.ndarray, n: int, rng: np.random.Generator, log_prior: LogFn,
               sample_prior: Callable[[int, np.random.Generator], np.ndarray], **mcmc: float) -> np.ndarray:
        return mcmc_posterior(log_prior, lambda th: self.log_likelihood(th, x_o), sample_prior, n, rng, **mcmc)


class NRE:
    """Neural ratio estimation (NRE-A): classifier d(θ, x) = σ(f([θ, s(x)])) on joint vs shuffled pairs."""

    def __init__(self, dim_theta: int, dim_x: int, hidden: tuple[int, ...] = (64, 64),
                 embedding: nn.Module | None = None) -> None:
        self.dim_theta, self.dim_x, self.embedding = dim_theta, dim_x, embedding
        n_in = dim_theta + (embedding.out_features if embedding is not None else dim_x)
        layers: list[nn.Module] = []
        for h in hidden:
            layers += [nn.Linear(n_in, h), nn.ReLU()]
            n_in = h
        layers.append(nn.Linear(n_in, 1))
        self.classifier = nn.Sequential(*layers)
        self.theta_std: Standardizer | None = None
        self.x_std: Standardizer | None = None

    def parameters(self) -> list[Tensor]:
        ps = list(self.classifier.parameters())
        return ps + (list(self.embedding.parameters()) if self.embedding is not None else [])

    def _logit(self, tz: Tensor, xz: Tensor) -> Tensor:
        import gradstudent as gs

        s = self.embedding(xz) if self.embedding is not None else xz
        return self.classifier(gs.cat([tz, s], 1)).reshape(-1)

    def train(self, theta: np.ndarray, x: np.ndarray, epochs: int = 200, batch_size: int = 256, lr: float = 1e-3,
              seed: int = 0, patience: int = 20) -> TrainHistory:
        """Binary cross-entropy: (θ_n, x_n) labelled 1, (θ_π(n), x_n) labelled 0 (π a fresh shuffle per batch)."""
        import gradstudent as gs

        theta, x = np.asarray(theta, np.float64), np.asarray(x, np.float64)
        if theta.shape != (len(theta), self.dim_theta) or x.shape != (len(theta), self.dim_x):
            raise ValueError(f"NRE.train: need theta (n, {self.dim_theta}) and x (n, {self.dim_x}), got {theta.shape}, {x.shape}")
        self.theta_std, self.x_std = Standardizer.fit(theta), Standardizer.fit(x)
        tz, xz = _f32(self.theta_std(theta)), _f32(self.x_std(x))
        rng = np.random.default_rng(seed + 1)

        def loss_fn(idx: np.ndarray) -> Tensor:
            i = from_numpy(idx.astype(np.int64))
            j = from_numpy(rng.permutation(idx).astype(np.int64))
            logits = gs.cat([self._logit(tz[i], xz[i]), self._logit(tz[j], xz[i])])
            labels = _f32(np.concatenate([np.ones(len(idx)), np.zeros(len(idx))]))
            return F.binary_cross_entropy_with_logits(logits, labels)

        return _train(loss_fn, self.parameters(), len(theta), epochs, batch_size, lr, np.random.default_rng(seed),
                      patience=patience)

    def log_ratio(self, theta: np.ndarray, x_o: np.ndarray) -> np.ndarray:
        """The classifier's logit ≈ log p(x_o | θ) - log p(x_o)."""
        if self.theta_std is None or self.x_std is None:
            raise RuntimeError("NRE: call train() first")
        theta = np.asarray(theta, np.float64).reshape(-1, self.dim_theta)
        xz = _f32(np.repeat(self.x_std(np.asarray(x_o, np.float64).reshape(1, -1)), theta.shape[0], 0))
        with no_grad():
            return self._logit(_f32(self.theta_std(theta)), xz).numpy().astype(np.float64)

    def sample(self, x_o: np.ndarray, n: int, rng: np.random.Generator, log_prior: LogFn,
               sample_prior: Callable[[int, np.random.Generator], np.ndarray], **mcmc: float) -> np.ndarray:
        return mcmc_posterior(log_prior, lambda th: self.log_ratio(th, x_o), sample_prior, n, rng, **mcmc)


__all__ = ["mcmc_posterior", "NLE", "NRE"]
