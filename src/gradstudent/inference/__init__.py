"""Simulation-based inference: sbibm tasks, NPE / NLE / NRE, embedding networks, calibration checks.

    task = inference.get_task("two_moons")
    theta = task.sample_prior(10_000, rng); x = task.simulate(theta, rng)
    npe = inference.NPE(task.dim_theta, task.dim_x, log_prior=task.log_prior)
    npe.train(theta, x)
    samples = npe.sample(x_o, 1000, rng)
    inference.c2st_score(samples, task.reference_posterior(x_o, 1000, rng))
"""

from . import diagnostics, estimators, likelihood, tasks
from .diagnostics import c2st_score, coverage_figure, expected_coverage, sbc_histogram_figure, sbc_ranks, sbc_uniformity_pvalues
from .estimators import NPE, DeepSetEmbedding, MLPEmbedding, Standardizer
from .likelihood import NLE, NRE, mcmc_posterior
from .tasks import SLCP, GaussianLinear, Task, TwoMoons, get_task

__all__ = ["diagnostics", "estimators", "likelihood", "tasks", "Task", "GaussianLinear", "TwoMoons", "SLCP",
           "get_task", "NPE", "NLE", "NRE", "MLPEmbedding", "DeepSetEmbedding", "Standardizer", "mcmc_posterior",
           "sbc_ranks", "sbc_uniformity_pvalues", "sbc_histogram_figure", "expected_coverage", "coverage_figure",
           "c2st_score"]
