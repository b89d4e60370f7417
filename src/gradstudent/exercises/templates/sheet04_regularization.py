"""Sheet 4 — regularization and batch normalization.

Write them with gradstudent's Tensor operations (autograd does the backward).
"""

from __future__ import annotations

from gradstudent import Tensor


def batch_norm_train(x: Tensor, gamma: Tensor, beta: Tensor, eps: float = 1e-5) -> tuple[Tensor, Tensor, Tensor]:
    """Batch norm in training mode for x: (N, C): normalise each column with the batch's statistics.

    y = gamma (x - mean) / sqrt(var + eps) + beta, where var is the BIASED batch
    variance (divide by N). Returns ``(y, mean, var)``.
    """
    ### BEGIN SOLUTION
    mean = x.mean(dim=0)
    var = ((x - mean) ** 2).mean(dim=0)
    y = gamma * (x - mean) / (var + eps).sqrt() + beta
    return y, mean, var
    ### END SOLUTION


def update_running_stats(running_mean: Tensor, running_var: Tensor, mean: Tensor, var: Tensor, n: int, momentum: float = 0.1) -> tuple[Tensor, Tensor]:
    """PyTorch's running statistics: r <- (1 - momentum) r + momentum * batch statistic.

    The running variance uses the UNBIASED batch variance: var * n / (n - 1).
    Returns the new ``(running_mean, running_var)``.
    """
    ### BEGIN SOLUTION
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    return new_mean, new_var
    ### END SOLUTION


def inverted_dropout(x: Tensor, p: float, keep: Tensor) -> Tensor:
    """Dropout in training mode with a given mask: ``keep`` is 1 where a unit is kept, 0 where dropped.

    Kept units are scaled by 1 / (1 - p) so that the expected output equals x
    (nothing to do at test time).
    """
    ### BEGIN SOLUTION
    return x * keep / (1.0 - p)
    ### END SOLUTION


def l2_penalty(params: list[Tensor], weight_decay: float) -> Tensor:
    """weight_decay / 2 * sum over parameters of ||p||^2 (its gradient is weight_decay * p)."""
    ### BEGIN SOLUTION
    return 0.5 * weight_decay * sum((p * p).sum() for p in params)
    ### END SOLUTION

