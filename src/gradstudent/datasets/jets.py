"""A toy jet generator: QCD-like one-prong jets vs two-prong jets (a boosted W -> q q' decay).

A jet is a set of particles, each with transverse momentum pT and a direction (eta, phi) relative to
the jet axis. Both classes are built from "prongs" (hard partons) that each radiate soft collinear
particles (momentum fractions ~ z^-1-like, angles ~ exponential around the prong):

* background (QCD): one hard prong; with probability ``p_split`` a second prong (a gluon emission) with
  momentum fraction z ~ U(0.05, 0.3) at an angle DeltaR ~ U(0.05, 0.5), overlapping the signal;
* signal (W): two prongs sharing the momentum with z ~ U(0.2, 0.5), at the opening angle of a
  two-body decay of mass m: DeltaR ~= m / (pT sqrt(z (1 - z))), with m ~ N(80, 8) GeV.

Soft uniform "pile-up" particles are added to both. Returns padded arrays and a mask, four-momenta
(E, px, py, pz) for the physicist, and ``jet_images`` for the image baseline.
"""

from __future__ import annotations

import numpy as np

JET_RADIUS = 0.8


def _prong(rng: np.random.Generator, n: int, pt: float, eta: float, phi: float, width: float) -> np.ndarray:
    """n collinear particles sharing ``pt``: fractions from a Dirichlet (few hard, many soft)."""
    frac = rng.dirichlet(np.full(n, 0.6))
    r = rng.exponential(width, n) * np.sqrt(frac.max() / np.maximum(frac, 1e-3)) ** 0.5
    ang = rng.uniform(0, 2 * np.pi, n)
    return np.stack([pt * frac, eta + r * np.cos(ang), phi + r * np.sin(ang)], axis=1)


def _jet(rng: np.random.Generator, signal: bool, pt: float, p_split: float, pileup: int) -> np.ndarray:
    if signal:
        z = rng.uniform(0.2, 0.5)
        mass = rng.normal(80.0, 8.0)
        dr = min(mass / (pt * np.sqrt(z * (1 - z))), 0.7)
    elif rng.random() < p_split:
        z, dr = rng.uniform(0.05, 0.3), rng.uniform(0.05, 0.5)
    else:
        z, dr = 0.0, 0.0
    ang = rng.uniform(0, 2 * np.pi)
    d1 = np.array([np.cos(ang), np.sin(ang)]) * dr * z  # the axis is the pT-weighted centre
    d2 = -np.array([np.cos(ang), np.sin(ang)]) * dr * (1 - z)
    parts = [_prong(rng, int(rng.poisson(18)) + 2, pt * (1 - z), d1[0], d1[1], 0.03)]
    if z > 0:
        parts.append(_prong(rng, int(rng.poisson(12)) + 2, pt * z, d2[0], d2[1], 0.03))
    n_pu = int(rng.poisson(pileup))
    r, a = JET_RADIUS * np.sqrt(rng.random(n_pu)), rng.uniform(0, 2 * np.pi, n_pu)
    parts.append(np.stack([rng.exponential(1.0, n_pu), r * np.cos(a), r * np.sin(a)], axis=1))
    p = np.concatenate(parts)
    return p[(p[:, 1] ** 2 + p[:, 2] ** 2) < JET_RADIUS**2]


def make_jets(
    n: int = 2000, max_particles: int = 64, pt_range: tuple[float, float] = (800.0, 1200.0), p_split: float = 0.7,
    pileup: int = 10, seed: int = 0,
) -> dict[str, np.ndarray]:
    """``n`` jets, half signal. Returns

    * ``particles`` (n, P, 3) float32: (log pT, delta eta, delta phi), the P hardest, zero-padded;
    * ``mask`` (n, P) bool: real particles; ``p4`` (n, P, 4): (E, px, py, pz) of massless particles
      at the jet's (eta = 0, phi = 0) axis; ``y`` (n,) int64: 1 for two-prong (signal).
    """
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2).astype(np.int64)
    parts = np.zeros((n, max_particles, 3), dtype=np.float32)
    p4 = np.zeros((n, max_particles, 4), dtype=np.float32)
    mask = np.zeros((n, max_particles), dtype=bool)
    for k in range(n):  # a loop over jets (a few thousand), not over particles
        j = _jet(rng, bool(y[k]), rng.uniform(*pt_range), p_split, pileup)
        j = j[np.argsort(-j[:, 0])][:max_particles]
        m = j.shape[0]
        pt, eta, phi = j[:, 0], j[:, 1], j[:, 2]
        parts[k, :m] = np.stack([np.log(pt), eta, phi], axis=1)
        p4[k, :m] = np.stack([pt * np.cosh(eta), pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], axis=1)
        mask[k, :m] = True
    return {"particles": parts, "mask": mask, "p4": p4, "y": y}


def jet_images(particles: np.ndarray, mask: np.ndarray, pixels: int = 16) -> np.ndarray:
    """(n, 1, pixels, pixels) float32 images: each pixel sums the pT of the particles in it (divided by the jet pT)."""
    n, P, _ = particles.shape
    pt = np.where(mask, np.exp(particles[..., 0]), 0.0)
    pt = pt / np.maximum(pt.sum(1, keepdims=True), 1e-9)
    edges = np.linspace(-JET_RADIUS, JET_RADIUS, pixels + 1)
    ix = np.clip(np.searchsorted(edges, particles[..., 1]) - 1, 0, pixels - 1)
    iy = np.clip(np.searchsorted(edges, particles[..., 2]) - 1, 0, pixels - 1)
    flat = (np.arange(n)[:, None] * pixels * pixels + ix * pixels + iy).reshape(-1)
    img = np.bincount(flat, weights=pt.reshape(-1), minlength=n * pixels * pixels)
    return img.reshape(n, 1, pixels, pixels).astype(np.float32)


def jet_mass(p4: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Invariant mass of each jet, m^2 = E^2 - |p|^2 of the summed four-momenta."""
    tot = np.where(mask[..., None], p4, 0.0).astype(np.float64).sum(1)
    return np.sqrt(np.maximum(tot[:, 0] ** 2 - (tot[:, 1:] ** 2).sum(1), 0.0))
