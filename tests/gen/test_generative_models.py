"""Autoencoders, VAE, GANs, EBMs and distributions: against torch with copied weights, against
closed forms (linear AE = PCA subspace, linear-Gaussian VAE's exact log-likelihood)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn, optim
from gradstudent.generative import autoencoder as ae
from gradstudent.generative import distributions as D
from gradstudent.generative import ebm, gan
from gradstudent.generative.vae import VAE, ConditionalVAE


def t(a: gs.Tensor) -> torch.Tensor:
    return torch.from_numpy(np.array(a.detach().numpy()))


# ---- distributions ------------------------------------------------------------------------
def test_normal_and_bernoulli_match_torch_distributions():
    rng = np.random.default_rng(0)
    loc, scale, x = rng.normal(size=(3, 4)), rng.uniform(0.2, 2, size=(3, 4)), rng.normal(size=(3, 4))
    ours = D.Normal(gs.tensor(loc), gs.tensor(scale))
    theirs = torch.distributions.Normal(torch.tensor(loc), torch.tensor(scale))
    np.testing.assert_allclose(ours.log_prob(gs.tensor(x)).numpy(), theirs.log_prob(torch.tensor(x)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.entropy().numpy(), theirs.entropy().numpy(), rtol=1e-12)
    q2 = D.Normal(gs.tensor(x), gs.tensor(scale[::-1].copy()))
    kl_torch = torch.distributions.kl_divergence(theirs, torch.distributions.Normal(torch.tensor(x), torch.tensor(scale[::-1].copy())))
    np.testing.assert_allclose(D.kl_normal_normal(ours, q2).numpy(), kl_torch.numpy(), rtol=1e-10)
    logvar = np.log(scale**2)
    kl_std = torch.distributions.kl_divergence(theirs, torch.distributions.Normal(0.0, 1.0))
    np.testing.assert_allclose(D.kl_standard_normal(gs.tensor(loc), gs.tensor(logvar)).numpy(), kl_std.numpy(), rtol=1e-10)

    logits = np.array([-40.0, -3.0, 0.0, 2.5, 40.0])
    for xb in (np.array([0.0, 1.0, 1.0, 0.0, 1.0]), np.array([0.2, 0.7, 0.5, 0.0, 1.0])):
        tb = torch.distributions.Bernoulli(logits=torch.tensor(logits), validate_args=False)
        np.testing.assert_allclose(D.Bernoulli(logits=gs.tensor(logits)).log_prob(gs.tensor(xb)).numpy(), tb.log_prob(torch.tensor(xb)).numpy(), rtol=1e-10, atol=1e-12)
    probs = np.array([0.1, 0.5, 0.9])
    tb = torch.distributions.Bernoulli(probs=torch.tensor(probs))
    ob = D.Bernoulli(probs=gs.tensor(probs))
    np.testing.assert_allclose(ob.log_prob(gs.tensor([1.0, 0.0, 1.0])).numpy(), tb.log_prob(torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)).numpy(), rtol=1e-10)
    np.testing.assert_allclose(ob.entropy().numpy(), tb.entropy().numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="Normal: scale must be positive"):
        D.Normal(gs.zeros(2), gs.tensor([1.0, 0.0]))


def test_normal_rsample_is_differentiable_and_has_the_right_moments():
    gs.manual_seed(0)
    mu, sigma = gs.tensor([1.0, -2.0], requires_grad=True), gs.tensor([0.5, 2.0], requires_grad=True)
    z = D.Normal(mu, sigma).rsample((20000,))
    np.testing.assert_allclose(z.detach().numpy().mean(0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(z.detach().numpy().std(0), [0.5, 2.0], rtol=0.03)
    z.sum().backward()
    np.testing.assert_allclose(mu.grad.numpy(), [20000.0, 20000.0])


# ---- autoencoders ------------------------------------------------------------------------
def test_linear_autoencoder_spans_the_pca_subspace():
    from scipy.linalg import subspace_angles

    from gradstudent.classical import PCA

    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(10, 10)))[0]
    X = (rng.normal(size=(400, 10)) * np.array([3.0, 2.5, 2.0, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1])) @ basis.T + 1.0
    gs.manual_seed(0)
    model = ae.DenseAutoencoder(10, 3, linear=True)
    opt = optim.Adam(model.parameters(), lr=0.02)
    xt = gs.from_numpy(X.astype(np.float32))
    for _ in range(600):
        opt.zero_grad()
        loss = ae.reconstruction_loss(model(xt)[0], xt)
        loss.backward()
        opt.step()
    pca = PCA(3).fit(X)
    decoder_w = model.decoder[0].weight.detach().numpy().astype(np.float64)  # (10, 3): columns span the code's image
    angles = subspace_angles(decoder_w, pca.components_.T)
    assert np.max(angles) < 0.02  # radians
    pca_err = ((pca.inverse_transform(pca.transform(X)) - X) ** 2).sum(1).mean()
    assert loss.item() == pytest.approx(pca_err, rel=0.01)


def test_conv_autoencoder_shapes_and_sparsity_penalties():
    gs.manual_seed(0)
    x = gs.rand(6, 1, 8, 8)
    x_hat, z = ae.ConvAutoencoder(latent=5, output_activation=nn.Sigmoid())(x)
    assert x_hat.shape == (6, 1, 8, 8) and z.shape == (6, 5)
    codes = gs.tensor([[0.1, 0.9, 0.02], [0.3, 0.5, 0.04]], dtype=gs.float64, requires_grad=True)
    rho, rho_hat = 0.05, np.array([0.2, 0.7, 0.03])
    expected = (rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))).sum()
    assert ae.kl_sparsity_penalty(codes, rho).item() == pytest.approx(expected, rel=1e-12)
    assert ae.l1_sparsity_penalty(codes).item() == pytest.approx(np.abs(codes.detach().numpy()).sum() / 2)
    assert gs.autograd.gradcheck(lambda c: ae.kl_sparsity_penalty(c, rho), (codes,))
    noisy = ae.corrupt(x, noise_std=0.0, drop_prob=0.5)
    assert 0.3 < float((noisy.numpy() == 0).mean()) < 0.7
    with pytest.raises(ValueError, match="reconstruction_loss"):
        ae.reconstruction_loss(x, x.reshape(6, 64))


# ---- VAE ------------------------------------------------------------------------------------
def _linear_gaussian_vae(exact_encoder: bool) -> tuple[VAE, np.ndarray, np.ndarray, float]:
    """x = W z + b + σ ε with orthogonal W columns: p(x) = N(b, W Wᵀ + σ² I), posterior diagonal."""
    rng = np.random.default_rng(1)
    vae = VAE(4, latent=2, hidden=(), decoder="gaussian")
    W = np.linalg.qr(rng.normal(size=(4, 2)))[0] * np.array([2.0, 0.7])
    b, sigma = rng.normal(size=4), 0.5
    dec = vae.decoder.net[0]
    with gs.no_grad():
        dec.weight.copy_(gs.from_numpy(W.astype(np.float32)))
        dec.bias.copy_(gs.from_numpy(b.astype(np.float32)))
        vae.decoder.log_scale.fill_(float(np.log(sigma)))
        post_var = 1.0 / (1.0 + (W**2).sum(0) / sigma**2)  # diag of (I + Wᵀ W / σ²)⁻¹
        A = post_var[:, None] * W.T / sigma**2
        if exact_encoder:
            vae.encoder.mu.weight.copy_(gs.from_numpy(A.astype(np.float32)))
            vae.encoder.mu.bias.copy_(gs.from_numpy((-A @ b).astype(np.float32)))
            vae.encoder.logvar.weight.zero_()
            vae.encoder.logvar.bias.copy_(gs.from_numpy(np.log(post_var).astype(np.float32)))
    X = rng.normal(size=(8, 2)) @ W.T + b + sigma * rng.normal(size=(8, 4))
    cov = W @ W.T + sigma**2 * np.eye(4)
    diff = X - b
    logp = -0.5 * np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff) - 0.5 * np.linalg.slogdet(2 * np.pi * cov)[1]
    return vae, X.astype(np.float32), logp, sigma


def test_vae_with_the_exact_posterior_has_elbo_equal_to_log_likelihood():
    """With q = the true posterior every importance weight equals p(x): IWAE_K = log p(x) for any
    draw, and the ELBO (one draw, closed-form KL) equals log p(x) in expectation."""
    gs.manual_seed(0)
    vae, X, logp, _ = _linear_gaussian_vae(exact_encoder=True)
    x = gs.from_numpy(X)
    elbo = np.mean([vae.elbo(x).elbo.detach().numpy() for _ in range(400)], axis=0)
    np.testing.assert_allclose(elbo, logp, atol=0.12)
    np.testing.assert_allclose(vae.iwae_log_likelihood(x, k=10, chunk=3).numpy(), logp, rtol=1e-4, atol=1e-4)


def test_iwae_bound_tightens_with_k_towards_log_likelihood():
    gs.manual_seed(0)
    vae, X, logp, _ = _linear_gaussian_vae(exact_encoder=False)  # a poor, random encoder
    x = gs.from_numpy(X)
    l1 = np.mean([vae.iwae_log_likelihood(x, k=1).numpy() for _ in range(200)], axis=0)
    l1000 = vae.iwae_log_likelihood(x, k=1000).numpy()
    assert np.all(l1 < l1000) and np.mean(l1000) < np.mean(logp) + 0.05
    assert np.mean(logp - l1000) < 0.25 * np.mean(logp - l1)


def test_vae_loss_is_minus_mean_elbo_and_beta_weights_the_kl():
    gs.manual_seed(3)
    vae = VAE(6, latent=2, hidden=(8,))
    x = gs.rand(5, 6)
    gs.manual_seed(4)
    terms = vae.elbo(x)
    gs.manual_seed(4)
    loss = vae.loss(x, beta=4.0)
    expected = -(terms.reconstruction - 4.0 * terms.kl).mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    assert np.all(terms.kl.detach().numpy() >= 0)
    cvae = ConditionalVAE(6, 3, latent=2, hidden=(8,))
    assert cvae.sample(4, gs.eye(3)[[0, 1, 2, 0]]).shape == (4, 6)
    with pytest.raises(ValueError, match=r"context must have shape \(5, 3\)"):
        cvae.loss(x)
    with pytest.raises(ValueError, match="takes no context"):
        vae.loss(x, gs.zeros(5, 3))


# ---- GANs -----------------------------------------------------------------------------------
def test_gan_losses_match_torch():
    rng = np.random.default_rng(0)
    lr, lf = rng.normal(size=7) * 3, rng.normal(size=7) * 3
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    tr, tf = torch.tensor(lr), torch.tensor(lf)
    expected_d = bce(tr, torch.ones(7, dtype=torch.float64)) + bce(tf, torch.zeros(7, dtype=torch.float64))
    assert gan.discriminator_loss(gs.tensor(lr), gs.tensor(lf)).item() == pytest.approx(expected_d.item(), rel=1e-12)
    assert gan.generator_loss(gs.tensor(lf)).item() == pytest.approx(bce(tf, torch.ones(7, dtype=torch.float64)).item(), rel=1e-12)
    minimax = torch.log1p(-torch.sigmoid(tf)).mean()
    assert gan.generator_loss(gs.tensor(lf), non_saturating=False).item() == pytest.approx(minimax.item(), rel=1e-10)


def _copy_to_torch(ours: nn.Module, theirs: torch.nn.Module) -> None:
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()})


def test_wgan_gradient_penalty_second_order_gradient_matches_torch():
    gs.manual_seed(0)
    critic = gan.DCGANDiscriminator(width=4)
    tcritic = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 4, 2, 1), torch.nn.LeakyReLU(0.2), torch.nn.Conv2d(4, 8, 4, 2, 1), torch.nn.LeakyReLU(0.2),
        torch.nn.Flatten(), torch.nn.Linear(32, 1),
    )
    _copy_to_torch(critic.net, tcritic)
    real, fake = gs.rand(5, 1, 8, 8), gs.rand(5, 1, 8, 8)
    gs.manual_seed(7)
    loss = gan.critic_loss(critic, real, fake, gp_weight=10.0)
    loss.backward()
    gs.manual_seed(7)
    eps = t(gs.rand(5, 1, 1, 1))  # the same draw gradient_penalty made
    tr, tf = t(real), t(fake)
    x_hat = (eps * tr + (1 - eps) * tf).requires_grad_()
    (g,) = torch.autograd.grad(tcritic(x_hat).sum(), x_hat, create_graph=True)
    gp = (((g.reshape(5, -1).square().sum(1) + 1e-12).sqrt() - 1) ** 2).mean()
    tloss = tcritic(tf).mean() - tcritic(tr).mean() + 10.0 * gp
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-5)
    ours = dict(critic.net.named_parameters())
    for name, p in tcritic.named_parameters():
        np.testing.assert_allclose(ours[name].grad.numpy(), p.grad.numpy(), rtol=2e-4, atol=2e-5, err_msg=name)


def test_dcgan_generator_matches_torch_with_copied_weights():
    gs.manual_seed(1)
    gen = gan.DCGANGenerator(latent=6, width=3)
    tgen = torch.nn.Sequential(
        torch.nn.ConvTranspose2d(6, 12, 2, 1, 0, bias=False), torch.nn.BatchNorm2d(12), torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(12, 6, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(6), torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(6, 1, 4, 2, 1), torch.nn.Sigmoid(),
    )
    _copy_to_torch(gen.net, tgen)
    z = gs.randn(4, 6)
    out, tout = gen(z), tgen(t(z).reshape(4, 6, 1, 1))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(gen.net[0].weight.grad.numpy(), tgen[0].weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match=r"DCGANGenerator: z must have shape \(N, 6\)"):
        gen(gs.randn(4, 5))


# ---- energy-based models ------------------------------------------------------------------
class _Quadratic(nn.Module):
    def forward(self, x: gs.Tensor) -> gs.Tensor:
        return 0.5 * (x * x).sum(1)


def test_langevin_dynamics_samples_the_boltzmann_density():
    gs.manual_seed(0)
    x = ebm.langevin_dynamics(_Quadratic(), gs.randn(4000, 2) * 3, steps=300, step_size=0.05)
    assert not x.requires_grad
    np.testing.assert_allclose(x.numpy().mean(0), 0.0, atol=0.06)
    np.testing.assert_allclose(x.numpy().var(0), 1.0 / (1 - 0.05 / 2), rtol=0.07)  # ULA's exact O(h) bias


def test_contrastive_divergence_loss_and_persistent_chains():
    gs.manual_seed(0)
    energy = ebm.EnergyMLP(2, hidden=(8,))
    pos, neg = gs.randn(6, 2), gs.randn(6, 2)
    e_pos, e_neg = energy(pos).detach().numpy(), energy(neg).detach().numpy()
    expected = e_pos.mean() - e_neg.mean() + 0.1 * ((e_pos**2).mean() + (e_neg**2).mean())
    assert ebm.contrastive_divergence_loss(energy, pos, neg, alpha=0.1).item() == pytest.approx(expected, rel=1e-5)
    chains = ebm.PersistentChains(50, 2, reinit=0.0)
    before = chains.buffer.numpy().copy()
    x = chains.sample(energy, 10, steps=2)
    assert x.shape == (10, 2) and (chains.buffer.numpy() != before).any(axis=1).sum() <= 10
    state = chains.state_dict()
    other = ebm.PersistentChains(50, 2)
    other.load_state_dict(state)
    np.testing.assert_array_equal(other.buffer.numpy(), chains.buffer.numpy())
