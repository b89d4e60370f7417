"""Benchmark tasks of sbibm (Lueckmann et al., 2021) with locally computed reference posteriors.

Each task has a prior, a simulator x ~ p(x | θ) and ``reference_posterior(x_o, n)``:

* ``GaussianLinear`` (dim 10): θ ~ N(0, 0.1 I), x | θ ~ N(θ, 0.1 I). Conjugate, so the posterior
  is exactly N(x/2, 0.05 I).
* ``TwoMoons`` (dim 2): θ ~ U(-1, 1)², a ~ U(-π/2, π/2), r ~ N(0.1, 0.01²),
  x = (r cos a + 0.25, r sin a) + (-|θ₁ + θ₂|/√2, (-θ₁ + θ₂)/√2). Exact sampling by inverting the
  simulator: draw the noise point p = (r cos a + 0.25, r sin a), solve for the two θ that map to
  x (a linear map with constant Jacobian, so both branches are equally likely), keep θ inside the
  prior box (rejection).
* ``SLCP`` (dim 5, x in R⁸): θ ~ U(-3, 3)⁵, m = (θ₁, θ₂), s = (θ₃², θ₄²), ρ = tanh θ₅, x = four draws
  from N(m, [[s₁², ρs₁s₂], [ρs₁s₂, s₂²]]). The likelihood is explicit; the reference posterior comes
  from random-walk MCMC (``gradstudent.sampling``) on it, symmetrised over the exact sign
  symmetries θ₃ → -θ₃, θ₄ → -θ₄ (so all four modes carry their exact weight).

Arrays are NumPy float64; ``rng`` is a ``np.random.Generator``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Task:
    """A prior on the box or Gaussian, a simulator, and a reference posterior sampler."""

    name: str
    dim_theta: int
    dim_x: int

    def sample_prior(self, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def simulate(self, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def reference_posterior(self, x_o: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _check_theta(self, theta: np.ndarray) -> np.ndarray:
        theta = np.asarray(theta, np.float64)
        if theta.ndim != 2 or theta.shape[1] != self.dim_theta:
            raise ValueError(f"{self.name}: theta must have shape (n, {self.dim_theta}), got {theta.shape}")
        return theta

    def _check_x(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float64).reshape(-1)
        if x.size != self.dim_x:
            raise ValueError(f"{self.name}: an observation must have {self.dim_x} entries, got shape {x.shape}")
        return x


class GaussianLinear(Task):
    """θ ~ N(0, σ₀² I), x ~ N(θ, σ² I) with σ₀² = σ² = 0.1 (sbibm's gaussian_linear, dim 10)."""

    def __init__(self, dim: int = 10, prior_var: float = 0.1, noise_var: float = 0.1) -> None:
        super().__init__("gaussian_linear", dim, dim)
        self.prior_var, self.noise_var = prior_var, noise_var

    def sample_prior(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(0.0, np.sqrt(self.prior_var), (n, self.dim_theta))

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        theta = self._check_theta(theta)
        return -0.5 * (theta ** 2).sum(1) / self.prior_var - 0.5 * self.dim_theta * np.log(2 * np.pi * self.prior_var)

    def simulate(self, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        theta = self._check_theta(theta)
        return theta + rng.normal(0.0, np.sqrt(self.noise_var), theta.shape)

    def posterior_params(self, x_o: np.ndarray) -> tuple[np.ndarray, float]:
        """Mean and (isotropic) variance: 1/v = 1/σ₀² + 1/σ², μ = v x / σ²."""
        x_o = self._check_x(x_o)
        var = 1.0 / (1.0 / self.prior_var + 1.0 / self.noise_var)
        return var * x_o / self.noise_var, var

    def reference_posterior(self, x_o: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        mu, var = self.posterior_params(x_o)
        return mu + np.sqrt(var) * rng.normal(size=(n, self.dim_theta))


class TwoMoons(Task):
    """sbibm's two_moons: a crescent-shaped, bimodal posterior."""

    def __init__(self) -> None:
        super().__init__("two_moons", 2, 2)

    def sample_prior(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(-1.0, 1.0, (n, 2))

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        theta = self._check_theta(theta)
        inside = np.all(np.abs(theta) <= 1.0, axis=1)
        return np.where(inside, -np.log(4.0), -np.inf)

    @staticmethod
    def _noise_point(n: int, rng: np.random.Generator) -> np.ndarray:
        a = rng.uniform(-np.pi / 2, np.pi / 2, n)
        r = rng.normal(0.1, 0.01, n)
        return np.stack([r * np.cos(a) + 0.25, r * np.sin(a)], 1)

    def simulate(self, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        theta = self._check_theta(theta)
        p = self._noise_point(theta.shape[0], rng)
        shift = np.stack([-np.abs(theta[:, 0] + theta[:, 1]) / np.sqrt(2), (-theta[:, 0] + theta[:, 1]) / np.sqrt(2)], 1)
        return p + shift

    def reference_posterior(self, x_o: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """Exact samples: invert x = p + shift(θ) for random noise points p, reject θ outside the prior."""
        x_o = self._check_x(x_o)
        out: list[np.ndarray] = []
        total = 0
        for _ in range(1000):
            p = self._noise_point(4 * n, rng)
            abs_sum = np.sqrt(2) * (p[:, 0] - x_o[0])          # |θ₁ + θ₂| must be >= 0
            diff = np.sqrt(2) * (x_o[1] - p[:, 1])             # θ₂ - θ₁
            sign = rng.choice([-1.0, 1.0], size=p.shape[0])   # the two branches of |θ₁ + θ₂|
            s = sign * abs_sum
            theta = np.stack([(s - diff) / 2, (s + diff) / 2], 1)
            ok = (abs_sum >= 0) & np.all(np.abs(theta) <= 1.0, axis=1)
            out.append(theta[ok])
            total += int(ok.sum())
            if total >= n:
                break
        if total < n:
            raise RuntimeError(f"two_moons.reference_posterior: x_o={x_o} has (almost) no posterior mass in the prior box")
        return np.concatenate(out)[:n]


class SLCP(Task):
    """sbibm's slcp: simple likelihood, complex posterior (four symmetric modes)."""

    def __init__(self) -> None:
        super().__init__("slcp", 5, 8)

    def sample_prior(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(-3.0, 3.0, (n, 5))

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        theta = self._check_theta(theta)
        return np.where(np.all(np.abs(theta) <= 3.0, axis=1), -5 * np.log(6.0), -np.inf)

    @staticmethod
    def _moments(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = theta[:, :2]
        s1, s2, rho = theta[:, 2] ** 2, theta[:, 3] ** 2, np.tanh(theta[:, 4])
        cov = np.stack([np.stack([s1 ** 2, rho * s1 * s2], -1), np.stack([rho * s1 * s2, s2 ** 2], -1)], -2)
        return m, cov

    def simulate(self, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        theta = self._check_theta(theta)
        m, cov = self._moments(theta)
        chol = np.linalg.cholesky(cov + 1e-12 * np.eye(2))
        z = rng.normal(size=(theta.shape[0], 4, 2))
        return (m[:, None, :] + np.einsum("nij,nkj->nki", chol, z)).reshape(-1, 8)

    def log_likelihood(self, theta: np.ndarray, x_o: np.ndarray) -> np.ndarray:
        """Σ over the 4 draws of log N(x_k; m, Σ) for each θ; shape (n,)."""
        theta, x = self._check_theta(theta), self._check_x(x_o).reshape(4, 2)
        m, cov = self._moments(theta)
        det = cov[:, 0, 0] * cov[:, 1, 1] - cov[:, 0, 1] ** 2 + 1e-300
        d = x[None, :, :] - m[:, None, :]                                  # (n, 4, 2)
        inv = np.stack([np.stack([cov[:, 1, 1], -cov[:, 0, 1]], -1), np.stack([-cov[:, 1, 0], cov[:, 0, 0]], -1)], -2)
        inv = inv / det[:, None, None]
        quad = np.einsum("nki,nij,nkj->nk", d, inv, d).sum(1)
        return -0.5 * quad - 2.0 * np.log(det) - 4 * np.log(2 * np.pi)

    def reference_posterior(self, x_o: np.ndarray, n: int, rng: np.random.Generator, chains: int = 32,
                            n_warmup: int = 2000) -> np.ndarray:
        """Random-walk MCMC on log prior + log likelihood, started at the best of many prior draws."""
        import gradstudent as gs
        from gradstudent import sampling

        x_o = self._check_x(x_o)

        def log_prob(t: gs.Tensor) -> gs.Tensor:
            th = t.detach().numpy()
            lp = self.log_prior(th) + self.log_likelihood(th, x_o)
            return gs.from_numpy(np.where(np.isfinite(lp), lp, -1e30))

        cand = self.sample_prior(20000, rng)
        lp = self.log_likelihood(cand, x_o)
        start = cand[np.argsort(lp)[-chains:]]
        gen = gs.Generator().manual_seed(int(rng.integers(2 ** 31)))
        per_chain = int(np.ceil(n / chains))
        res = sampling.metropolis_hastings(log_prob, gs.from_numpy(start), n_samples=per_chain * 2, n_warmup=n_warmup,
                                           step_size=0.05, generator=gen)
        draws = np.asarray(res.samples)[:, ::2].reshape(-1, 5)
        signs = rng.choice([-1.0, 1.0], size=(draws.shape[0], 2))     # exact symmetries θ₃ → -θ₃, θ₄ → -θ₄
        draws[:, 2:4] *= signs
        return draws[rng.permutation(draws.shape[0])[:n]]


TASKS: dict[str, type[Task]] = {"gaussian_linear": GaussianLinear, "two_moons": TwoMoons, "slcp": SLCP}


def get_task(name: str) -> Task:
    """A task by its sbibm name."""
    if name not in TASKS:
        raise ValueError(f"get_task: unknown task {name!r}; choose one of {sorted(TASKS)}")
    return TASKS[name]()


__all__ = ["Task", "GaussianLinear", "TwoMoons", "SLCP", "TASKS", "get_task"]
