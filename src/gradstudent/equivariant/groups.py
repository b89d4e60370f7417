"""Symmetry groups and how they act on data, plus ``check_equivariance``.

A model f is *equivariant* to a group G when transforming the input transforms the output the same
way, f(g . x) = g . f(x) for every g in G, and *invariant* when f(g . x) = f(x). How g acts depends
on what the data is, so every group here knows several **kinds** of data:

* ``"invariant"``: left unchanged (labels, energies, node features of an EGNN);
* ``"points"``: coordinates (..., d) -> rotated/reflected (and translated, for E(n)) coordinates;
* ``"image"``: arrays (..., H, W) on a square grid -> rotated/flipped by multiples of 90 degrees (C4, D4);
* ``"group_image"``: (..., |G|, H, W) feature maps of a group convolution: the grid is rotated AND the
  group axis permuted, (g . F)[h] = g . F[g^-1 h] (the regular representation);
* ``"nodes"``: arrays whose first axis lists nodes -> permuted (graphs; ``"edge_index"`` relabelled);
* ``"fixed"``: passed through unchanged (an ``edge_index`` under E(n), masks, ...).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..creation import from_numpy
from ..tensor import Tensor


def _arr(x: Any) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)


def _like(a: np.ndarray, ref: Any) -> Any:
    return from_numpy(np.ascontiguousarray(a)) if isinstance(ref, Tensor) else a


class Group:
    """A group whose elements can be listed (finite) or sampled (continuous)."""

    name = "group"

    def elements(self) -> list[Any]:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> list[Any]:
        """``n`` elements: all of them for a finite group (n ignored), random ones otherwise."""
        return self.elements()

    def act(self, g: Any, x: Any, kind: str) -> Any:
        if kind in ("invariant", "fixed"):
            return x
        raise ValueError(f"{self.name}: cannot act on data of kind {kind!r}")


class PlanarGroup(Group):
    """C_n (rotations by 2 pi k / n) or D_n (with reflections) acting on 2-D points; C4/D4 also on images."""

    def __init__(self, n: int, reflections: bool) -> None:
        self.n, self.reflections = n, reflections
        self.name = f"{'D' if reflections else 'C'}{n}"
        self._elements = [(r, m) for m in ((0, 1) if reflections else (0,)) for r in range(n)]
        if n == 4:
            self._build_table()

    def elements(self) -> list[tuple[int, int]]:
        return list(self._elements)

    def matrix(self, g: tuple[int, int]) -> np.ndarray:
        """The 2x2 orthogonal matrix: rotation by 2 pi r / n after a reflection x -> -x when m = 1."""
        r, m = g
        t = 2 * np.pi * r / self.n
        rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        return rot @ np.diag([-1.0, 1.0]) if m else rot

    def transform_image(self, g: tuple[int, int], x: Any) -> Any:
        """Rotate (..., H, W) by r quarter turns after a left-right flip if m (C4/D4 only); Tensor in, Tensor out."""
        if self.n != 4:
            raise ValueError(f"{self.name}: images need n = 4 (the square grid's rotations)")
        r, m = g
        if m:
            x = x.flip(-1) if isinstance(x, Tensor) else x[..., ::-1]
        for _ in range(r):  # one quarter turn counter-clockwise: transpose, then flip rows
            x = x.transpose(-1, -2).flip(-2) if isinstance(x, Tensor) else np.swapaxes(x, -1, -2)[..., ::-1, :]
        return x

    def _build_table(self) -> None:
        """Multiplication table (g h)[k] found by acting on a random image (no case analysis to get wrong)."""
        probe = np.random.default_rng(0).standard_normal((5, 5))
        images = [self.transform_image(g, probe) for g in self._elements]
        k = len(self._elements)
        self.table = np.zeros((k, k), dtype=np.int64)
        for a, g in enumerate(self._elements):
            for b in range(k):
                gh = self.transform_image(g, images[b])
                self.table[a, b] = next(c for c in range(k) if np.allclose(images[c], gh))
        self.inverse = np.array([int(np.nonzero(self.table[a] == 0)[0][0]) for a in range(k)])

    def act(self, g: tuple[int, int], x: Any, kind: str) -> Any:
        if kind == "points":
            return _like(_arr(x) @ self.matrix(g).T, x)
        if kind == "image":
            return self.transform_image(g, x)
        if kind == "group_image":  # (g . F)[h] = g . F[g^-1 h]
            a = self._elements.index(g)
            perm = self.table[self.inverse[a]]  # h -> g^-1 h
            y = x[..., perm.tolist(), :, :] if not isinstance(x, Tensor) else x.index_select(-3, from_numpy(perm))
            return self.transform_image(g, y)
        return super().act(g, x, kind)


def C(n: int) -> PlanarGroup:
    """The cyclic group C_n of rotations by multiples of 2 pi / n."""
    return PlanarGroup(n, reflections=False)


def D(n: int) -> PlanarGroup:
    """The dihedral group D_n: C_n plus reflections (2n elements)."""
    return PlanarGroup(n, reflections=True)


class OrthogonalGroup(Group):
    """SO(d) (``special=True``) or O(d), and with ``translations=True`` the Euclidean group E(d)/SE(d).

    Elements (Q, t) act on points as x -> x Q^T + t; sampled at random (Haar measure via QR).
    """

    def __init__(self, dim: int = 2, special: bool = False, translations: bool = False) -> None:
        self.dim, self.special, self.translations = dim, special, translations
        base = ("SO" if special else "O") if not translations else ("SE" if special else "E")
        self.name = f"{base}({dim})"

    def sample(self, rng: np.random.Generator, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for _ in range(n):
            q, r = np.linalg.qr(rng.standard_normal((self.dim, self.dim)))
            q = q * np.sign(np.diag(r))
            if self.special and np.linalg.det(q) < 0:
                q[:, 0] = -q[:, 0]
            t = rng.standard_normal(self.dim) if self.translations else np.zeros(self.dim)
            out.append((q, t))
        return out

    def elements(self) -> list[Any]:
        raise TypeError(f"{self.name} is continuous: use sample(rng, n)")

    def act(self, g: tuple[np.ndarray, np.ndarray], x: Any, kind: str) -> Any:
        q, t = g
        if kind == "points":
            return _like(_arr(x) @ q.T + t, x)
        if kind == "vectors":  # velocities, forces: rotate, never translate
            return _like(_arr(x) @ q.T, x)
        return super().act(g, x, kind)


SO2 = lambda: OrthogonalGroup(2, special=True)  # noqa: E731
O2 = lambda: OrthogonalGroup(2)  # noqa: E731


def E(n: int) -> OrthogonalGroup:
    """The Euclidean group E(n): rotations, reflections and translations of point clouds."""
    return OrthogonalGroup(n, translations=True)


class PermutationGroup(Group):
    """S_N acting on the nodes of a graph: node arrays are reordered, an edge_index relabelled."""

    def __init__(self, n: int) -> None:
        self.n, self.name = n, f"S{n}"

    def sample(self, rng: np.random.Generator, n: int) -> list[np.ndarray]:
        return [rng.permutation(self.n) for _ in range(n)]

    def act(self, g: np.ndarray, x: Any, kind: str) -> Any:
        if kind == "nodes":  # new node k is old node g[k]
            return _like(_arr(x)[g], x)
        if kind == "edge_index":
            inv = np.argsort(g)
            return _like(inv[_arr(x)], x)
        return super().act(g, x, kind)


def check_equivariance(
    model: Callable[..., Any], group: Group, inputs: Sequence[Any], input_kinds: Sequence[str], output_kinds: str | Sequence[str],
    n_samples: int = 8, seed: int = 0,
) -> dict[str, float]:
    """The largest deviation max_g |f(g . x) - g . f(x)| over group elements (all of a finite group,
    ``n_samples`` random ones of a continuous group), absolute and relative to max |f(x)|."""
    rng = np.random.default_rng(seed)
    single = isinstance(output_kinds, str)
    out_kinds = [output_kinds] if single else list(output_kinds)
    base = model(*inputs)
    base = [base] if single else list(base)
    worst = 0.0
    for g in group.sample(rng, n_samples):
        moved = model(*[group.act(g, x, k) for x, k in zip(inputs, input_kinds)])
        moved = [moved] if single else list(moved)
        for got, ref, kind in zip(moved, base, out_kinds):
            worst = max(worst, float(np.abs(_arr(got) - _arr(group.act(g, ref, kind))).max(initial=0.0)))
    scale = max(float(np.abs(_arr(b)).max(initial=0.0)) for b in base)
    return {"max_abs_error": worst, "max_rel_error": worst / max(scale, 1e-300), "output_scale": scale}
