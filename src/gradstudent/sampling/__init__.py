"""Markov chain Monte Carlo: samplers for an unnormalized log-density and their diagnostics.

    import gradstudent as gs
    from gradstudent import sampling

    def log_prob(x):                       # (chains, dim) -> (chains,)
        return -0.5 * (x ** 2).sum(1)

    result = sampling.hmc(log_prob, gs.randn(4, 2, dtype=gs.float64), n_samples=1000)
    result.samples.shape                   # (4, 1000, 2): chains, draws, dim
    result.acceptance_rate, result.ess, result.rhat

Samplers: :func:`metropolis_hastings` (random walk), :func:`langevin` (unadjusted),
:func:`mala` and :func:`hmc`; gradients by autodiff. Diagnostics:
:func:`effective_sample_size`, :func:`split_rhat`, :func:`autocorrelation`.
"""

from .diagnostics import autocorrelation, autocovariance, effective_sample_size, split_rhat
from .samplers import hmc, langevin, leapfrog, mala, metropolis_hastings
from .target import DualAveraging, MCMCResult

__all__ = [
    "metropolis_hastings", "langevin", "mala", "hmc", "leapfrog", "MCMCResult", "DualAveraging",
    "autocorrelation", "autocovariance", "effective_sample_size", "split_rhat",
]
