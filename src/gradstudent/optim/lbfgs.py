"""L-BFGS: a quasi-Newton method that builds a curvature model from the last few steps.

The same algorithm, defaults and stopping rules as ``torch.optim.LBFGS`` (so iterates agree
step by step), optionally with the strong-Wolfe line search.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd import enable_grad, no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT


def _cubic_interpolate(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                       bounds: tuple[float, float] | None = None) -> float:
    """Minimiser of the cubic through (x1, f1, f1'=g1) and (x2, f2, f2'=g2), clipped to ``bounds``.

    With d1 = g1 + g2 - 3 (f1 - f2)/(x1 - x2) and d2 = sqrt(d1² - g1 g2), the minimiser is
    x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2) (Nocedal & Wright eq. 3.59). Without a real
    minimiser (d1² < g1 g2) the midpoint of the bounds.
    """
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0:
        d2 = float(np.sqrt(d2_square))
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return float(min(max(min_pos, lo), hi))
    return (lo + hi) / 2.0


ObjFn = Callable[[np.ndarray, float, np.ndarray], tuple[float, np.ndarray]]


def _strong_wolfe(obj: ObjFn, x: np.ndarray, t: float, d: np.ndarray, f: float, g: np.ndarray, gtd: float,
                  c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
                  max_ls: int = 25) -> tuple[float, np.ndarray, float, int]:
    """Line search for a step t along d meeting the strong Wolfe conditions.

        f(x + t d) <= f(x) + c1 t ∇f·d          (sufficient decrease)
        |∇f(x + t d)·d| <= c2 |∇f(x)·d|         (curvature)

    Phase 1 grows t (cubic extrapolation) until a bracket [t_lo, t_hi] holds a point meeting
    both; phase 2 ("zoom") shrinks the bracket by cubic interpolation. Returns (f, g, t, evals).
    """
    d_norm = float(np.abs(d).max())
    g = g.copy()
    f_new, g_new = obj(x, t, d)
    evals, gtd_new = 1, float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done, ls_iter = False, 0
    bracket: list[float] = []
    bf: list[float] = []
    bg: list[np.ndarray] = []
    bgtd: list[float] = []
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bf, bg, bgtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bf, bg, done = [t], [f_new], [g_new], True
            break
        if gtd_new >= 0:
            bracket, bf, bg, bgtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj(x, t, d)
        evals, gtd_new, ls_iter = evals + 1, float(g_new @ d), ls_iter + 1
    if ls_iter == max_ls:
        bracket, bf, bg = [0.0, t], [f, f_new], [g, g_new]
    return _zoom(obj, x, d, f, gtd, bracket, bf, bg, bgtd, done, ls_iter, evals, d_norm, c1, c2, tolerance_change, max_ls)


def _zoom(obj: ObjFn, x: np.ndarray, d: np.ndarray, f: float, gtd: float, bracket: list[float], bf: list[float],
          bg: list[np.ndarray], bgtd: list[float], done: bool, ls_iter: int, evals: int, d_norm: float,
          c1: float, c2: float, tolerance_change: float, max_ls: int) -> tuple[float, np.ndarray, float, int]:
    """Phase 2 of the strong-Wolfe search: shrink the bracket around an acceptable step."""
    insuf_progress = False
    low, high = (0, 1) if bf[0] <= bf[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1])
        # keep away from the bracket's ends: a point too close makes no progress
        hi, lo = max(bracket), min(bracket)
        eps = 0.1 * (hi - lo)
        if min(hi - t, t - lo) < eps:
            if insuf_progress or t >= hi or t <= lo:
                t = hi - eps if abs(t - hi) < abs(t - lo) else lo + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj(x, t, d)
        evals, gtd_new, ls_iter = evals + 1, float(g_new @ d), ls_iter + 1
        if f_new > f + c1 * t * gtd or f_new >= bf[low]:
            bracket[high], bf[high], bg[high], bgtd[high] = t, f_new, g_new.copy(), gtd_new
            low, high = (0, 1) if bf[0] <= bf[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bf[high], bg[high], bgtd[high] = bracket[low], bf[low], bg[low], bgtd[low]
            bracket[low], bf[low], bg[low], bgtd[low] = t, f_new, g_new.copy(), gtd_new
    return bf[low], bg[low], bracket[low], evals


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal & Wright, Algorithm 7.4/7.5), ``torch.optim.LBFGS``'s API.

    ``step(closure)`` runs up to ``max_iter`` iterations; ``closure()`` re-evaluates the loss and
    its gradients (zero_grad, forward, backward, return loss). With the last m = ``history_size``
    pairs s_k = x_{k+1} - x_k, y_k = g_{k+1} - g_k (kept only when y·s > 1e-10), the direction
    d = -H g comes from the two-loop recursion with H_0 = (s·y / y·y) I::

        q = -g;  for k = newest..oldest:  α_k = ρ_k s_k·q,  q -= α_k y_k     (ρ_k = 1 / y_k·s_k)
        r = H_0 q;  for k = oldest..newest:  β = ρ_k y_k·r,  r += (α_k - β) s_k;   d = r

    Step length: ``lr`` (the first iteration ever: min(1, 1/|g|_1) · lr), or the strong-Wolfe
    line search. Stops on |g|_∞ <= ``tolerance_grad``, a step or loss change below
    ``tolerance_change``, ``max_iter`` iterations or ``max_eval`` closure calls. All parameters
    form one flat vector; one parameter group only (as in PyTorch).
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: only 'strong_wolfe' is supported as line_search_fn, got {line_search_fn!r}")
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = list(self.param_groups[0]["params"])

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"], "must be >= 0")
        self._check(group["max_iter"] >= 1, "max_iter", group["max_iter"], "must be >= 1")
        self._check(group["history_size"] >= 1, "history_size", group["history_size"], "must be >= 1")

    def _gather_flat_grad(self) -> np.ndarray:
        """All gradients as one vector (zeros for a parameter without a gradient)."""
        parts = [np.zeros(p.numel(), p.detach().numpy().dtype) if p.grad is None else p.grad.detach().numpy().reshape(-1)
                 for p in self._params]
        return np.concatenate(parts)

    def _flat_params(self) -> np.ndarray:
        return np.concatenate([p.detach().numpy().reshape(-1) for p in self._params])

    def _set_flat(self, flat: np.ndarray) -> None:
        """Write a flat vector back into the parameters (in place, outside autograd)."""
        from .. import from_numpy

        offset = 0
        with no_grad():
            for p in self._params:
                n = p.numel()
                chunk = np.array(flat[offset:offset + n].reshape(p.shape), dtype=p.detach().numpy().dtype)  # np.ascontiguousarray would make a 0-d chunk 1-d
                p.copy_(from_numpy(chunk))
                offset += n

    def _evaluate(self, closure: Callable[[], Any]) -> float:
        with enable_grad():
            return float(closure())

    def _directional_evaluate(self, closure: Callable[[], Any], x: np.ndarray, t: float,
                              d: np.ndarray) -> tuple[float, np.ndarray]:
        """(loss, gradient) at x + t d, leaving the parameters at x."""
        self._set_flat(x + t * d)
        loss = self._evaluate(closure)
        g = self._gather_flat_grad().copy()
        self._set_flat(x)
        return loss, g

    def _direction(self, st: dict[str, Any], g: np.ndarray, history_size: int) -> np.ndarray:
        """Update the (s, y) memory with the last step and return d = -H g (two-loop recursion)."""
        y = g - st["prev_flat_grad"]
        s = st["d"] * st["t"]
        ys = float(y @ s)
        if ys > 1e-10:  # keep the pair only if the curvature is positive (H stays positive definite)
            if len(st["old_dirs"]) == history_size:
                st["old_dirs"].pop(0), st["old_stps"].pop(0), st["ro"].pop(0)
            st["old_dirs"].append(y), st["old_stps"].append(s), st["ro"].append(1.0 / ys)
            st["H_diag"] = ys / float(y @ y)
        n = len(st["old_dirs"])
        al = [0.0] * n
        q = -g
        for i in range(n - 1, -1, -1):
            al[i] = float(st["old_stps"][i] @ q) * st["ro"][i]
            q = q - al[i] * st["old_dirs"][i]
        r = q * st["H_diag"]
        for i in range(n):
            be_i = float(st["old_dirs"][i] @ r) * st["ro"][i]
            r = r + (al[i] - be_i) * st["old_stps"][i]
        return r

    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # noqa: C901  (PyTorch's loop, kept whole)
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss from the first closure call."""
        if closure is None:
            raise RuntimeError("LBFGS.step: a closure that re-evaluates the model and returns the loss is required")
        group = self.param_groups[0]
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        st = self.state[self._params[0]]
        st.setdefault("func_evals", 0)
        st.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        st["func_evals"] += 1
        g = self._gather_flat_grad().copy()
        if np.abs(g).max() <= tol_grad:
            return orig_loss
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            st["n_iter"] += 1
            if st["n_iter"] == 1:
                st.update(d=-g, old_dirs=[], old_stps=[], ro=[], H_diag=1.0)
            else:
                st["d"] = self._direction(st, g, group["history_size"])
            d = st["d"]
            st["prev_flat_grad"], st["prev_loss"] = g.copy(), loss
            t = min(1.0, 1.0 / float(np.abs(g).sum())) * lr if st["n_iter"] == 1 else lr
            st["t"] = t
            gtd = float(g @ d)
            if gtd > -tol_change:  # not a descent direction: stop
                break
            ls_evals = 0
            if group["line_search_fn"] == "strong_wolfe":
                x0 = self._flat_params().copy()
                obj: ObjFn = lambda x, tt, dd: self._directional_evaluate(closure, x, tt, dd)  # noqa: E731
                loss, g, t, ls_evals = _strong_wolfe(obj, x0, t, d, loss, g, gtd, max_ls=max_eval - current_evals)
                self._set_flat(x0 + t * d)
                opt_cond = np.abs(g).max() <= tol_grad
            else:
                self._set_flat(self._flat_params() + t * d)
                opt_cond = False
                if n_iter != max_iter:  # re-evaluate, unless this was the last iteration
                    loss = self._evaluate(closure)
                    g = self._gather_flat_grad().copy()
                    opt_cond = np.abs(g).max() <= tol_grad
                    ls_evals = 1
            st["t"] = t
            current_evals += ls_evals
            st["func_evals"] += ls_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tol_change or abs(loss - st["prev_loss"]) < tol_change:
                break
        return orig_loss


__all__ = ["LBFGS"]
