"""Autoregressive models of Ising configurations: q(s) = Π_i q(s_i | s_<i), exact density and exact sampling.

The L×L spins are read in raster order as s_1 … s_D (D = L²). A MADE (masked MLP, see
:mod:`gradstudent.generative.flows_autoregressive`) maps s to one logit per site, ℓ_i(s_<i), that
sees only the earlier spins, and

    q(s_i = +1 | s_<i) = σ(ℓ_i),   so   log q(s_i | s_<i) = log σ(s_i ℓ_i)   (s_i = ±1),
    log q(s) = Σ_i log σ(s_i ℓ_i).

One network pass gives log q(s) for a batch; sampling fixes one spin at a time (D passes), and the
samples are exact draws from q (no Markov chain, no autocorrelation). With ``z2=True`` the model
is symmetrised under the global flip s → -s, which the Boltzmann distribution respects:

    q_sym(s) = (q(s) + q(-s)) / 2,   sampled by drawing from q and flipping the whole lattice with probability 1/2.

Two ways to fit q to p(s) = e^{-βE(s)} / Z:
  * maximum likelihood on Monte Carlo samples: minimise -E_p[log q(s)] = KL(p‖q) + const;
  * variationally (Wu, Wang & Zhang, PRL 122, 080602, 2019, "VAN"): minimise the variational free
    energy βF_q = E_q[βE(s) + log q(s)] = βF + KL(q‖p) ≥ βF with the score-function gradient
    ∇ βF_q = E_q[(βE + log q - b) ∇ log q]  (b = a batch-mean baseline) — no Monte Carlo data at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import nn
from ..autograd import no_grad
from ..creation import from_numpy
from ..generative.flows_autoregressive import MADE, MaskedLinear
from ..nn import functional as F
from ..ops.reduce import logsumexp
from ..ops.shape import stack
from ..tensor import Tensor

__all__ = ["AutoregressiveIsing", "variational_loss"]


class AutoregressiveIsing(nn.Module):
    """q(s) over L×L spins ±1: ``log_prob(s)`` for s of shape (N, L, L), ``sample(n, rng)`` → int8 (n, L, L)."""

    def __init__(self, L: int, hidden: Sequence[int] = (256, 256), z2: bool = True) -> None:
        super().__init__()
        if L < 2:
            raise ValueError(f"AutoregressiveIsing: L must be >= 2, got {L}")
        self.L, self.D, self.z2 = int(L), int(L) * int(L), bool(z2)
        self.made = MADE(self.D, tuple(hidden), context=0, outputs_per_feature=1)
        # direct connections ℓ_i += Σ_{j<i} W_ij s_j (MADE paper, §3.3): the fully visible logistic model,
        # which already holds the nearest-neighbour coupling to the spins above and to the left
        self.direct = MaskedLinear(self.D, self.D, np.tril(np.ones((self.D, self.D), np.float32), -1))
        nn.init.zeros_(self.direct.weight)
        if self.direct.bias is not None:
            nn.init.zeros_(self.direct.bias)

    def _flat(self, s: Tensor) -> Tensor:
        if s.ndim != 3 or tuple(s.shape[1:]) != (self.L, self.L):
            raise ValueError(f"AutoregressiveIsing: spins must have shape (N, {self.L}, {self.L}), got {tuple(s.shape)}")
        return s.reshape(s.shape[0], self.D).to(self.made.output.weight.dtype)

    def logits(self, x: Tensor) -> Tensor:
        """ℓ_i(s_<i) for flattened spins x (N, D): (N, D); ℓ_i ignores x_i, …, x_D."""
        return self.made(x)[:, 0, :] + self.direct(x)

    def _log_q(self, x: Tensor) -> Tensor:
        return F.logsigmoid(x * self.logits(x)).sum(1)         # Σ_i log σ(s_i ℓ_i)

    def log_prob(self, s: Tensor) -> Tensor:
        """log q(s), shape (N,); with z2, log((q(s) + q(-s)) / 2) by a stable log-sum-exp."""
        x = self._flat(s)
        lq = self._log_q(x)
        if not self.z2:
            return lq
        return logsumexp(stack([lq, self._log_q(-x)], 1), dim=1) - float(np.log(2.0))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n exact draws from q as int8 spins (n, L, L): D passes, pass i fixes spin i (no gradient)."""
        if n < 1:
            raise ValueError(f"AutoregressiveIsing.sample: n must be >= 1, got {n}")
        dtype = self.made.output.weight.detach().numpy().dtype
        x = np.zeros((n, self.D), dtype)                       # unset spins: their value is never read (masks)
        with no_grad():
            for i in range(self.D):
                logit = self.logits(from_numpy(x)).numpy()[:, i].astype(np.float64)
                p_up = 0.5 * (1.0 + np.tanh(0.5 * logit))      # σ(ℓ) without overflow
                x[:, i] = np.where(rng.random(n) < p_up, 1.0, -1.0)
        if self.z2:
            x *= np.where(rng.random(n) < 0.5, -1.0, 1.0).astype(dtype)[:, None]
        return x.astype(np.int8).reshape(n, self.L, self.L)


def variational_loss(model: AutoregressiveIsing, spins: np.ndarray, beta: float, J: float = 1.0) -> tuple[Tensor, np.ndarray]:
    """REINFORCE surrogate for βF_q on samples s ~ q: mean((f - mean f) log q(s)), f = βE(s) + log q(s).

    Its gradient is the score-function estimate of ∇ E_q[f] (the term E_q[∇ log q] vanishes, and
    subtracting the batch mean of f lowers the variance). Returns (surrogate loss, f per sample);
    mean(f) / β estimates F_q, an upper bound on the free energy F.
    """
    from .ising import energy

    log_q = model.log_prob(from_numpy(spins.astype(np.float32)))
    f = beta * energy(spins, J) + log_q.detach().numpy().astype(np.float64)
    adv = from_numpy((f - f.mean()).astype(np.float32))
    return (adv * log_q).mean(), f
