"""Sheet 8 — generative models: the VAE loss and an affine coupling layer.

Write them with gradstudent's Tensor operations.
"""

from __future__ import annotations

from typing import Callable

from gradstudent import Tensor


def vae_loss(x: Tensor, x_logits: Tensor, mu: Tensor, logvar: Tensor) -> tuple[Tensor, Tensor]:
    """The negative ELBO of a VAE with a Bernoulli decoder and a Gaussian encoder, averaged over the batch.

    x, x_logits: (N, D) (x in [0, 1]; the decoder's logits); mu, logvar: (N, Z).
    reconstruction = sum over D of binary cross-entropy(x_logits, x)  (use the stable
    form max(l, 0) - l x + log(1 + exp(-|l|)));
    kl = -1/2 sum over Z of (1 + logvar - mu^2 - exp(logvar)).
    Returns ``(reconstruction.mean(), kl.mean())``.
    """
    ### BEGIN SOLUTION
    bce = x_logits.clamp(min=0) - x_logits * x + (1 + (-x_logits.abs()).exp()).log()
    recon = bce.sum(dim=1)
    kl = -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(dim=1)
    return recon.mean(), kl.mean()
    ### END SOLUTION


class AffineCoupling:
    """RealNVP's coupling layer: y = mask x + (1 - mask) (x e^{s(mask x)} + t(mask x)).

    ``mask`` (D,) is 1 for the features that pass unchanged and condition the
    others; ``s`` and ``t`` are any functions (networks) of the masked input.
    """

    def __init__(self, mask: Tensor, s: Callable[[Tensor], Tensor], t: Callable[[Tensor], Tensor]) -> None:
        self.mask, self.s, self.t = mask, s, t

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Returns ``(y, log|det dy/dx|)``, the log-determinant per sample, shape (N,)."""
        ### BEGIN SOLUTION
        xm = x * self.mask
        s = self.s(xm) * (1 - self.mask)
        y = xm + (1 - self.mask) * (x * s.exp() + self.t(xm))
        return y, s.sum(dim=1)  # the Jacobian is triangular: its log-det is the sum of s
        ### END SOLUTION

    def inverse(self, y: Tensor) -> Tensor:
        """x from y (the masked part of y equals that of x, so s and t can be recomputed)."""
        ### BEGIN SOLUTION
        ym = y * self.mask
        s = self.s(ym) * (1 - self.mask)
        return ym + (1 - self.mask) * (y - self.t(ym)) * (-s).exp()
        ### END SOLUTION

