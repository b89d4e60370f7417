"""``Optimizer``: the base class of every optimizer (SGD, Adam, ...).

An optimizer holds

* ``param_groups``: a list of dicts, each ``{"params": [tensors], "lr": ..., <other hyper-parameters>}``.
  Groups let one model train parts of itself with different settings (e.g. a smaller
  ``lr`` for a pretrained backbone); a group's missing keys are filled from ``defaults``.
* ``state``: a dict ``{parameter: {"step": int, "exp_avg": Tensor, ...}}`` with whatever
  running averages the algorithm keeps for that parameter.

Subclasses implement ``step()``, which reads ``p.grad`` and updates ``p._data`` **in place**.
Like PyTorch, updates bypass autograd (no graph: a step is not part of any computation to
differentiate), but, as in PyTorch, they are in-place changes: every step bumps the version of
each parameter it updates, so a backward through a graph that saved the old values fails loudly
(``loss = (w * w).sum(); opt.step(); loss.backward()``) instead of giving a wrong gradient.

``state_dict()`` uses PyTorch's layout, so checkpoints can be compared with (and converted
from) PyTorch's::

    {"state": {0: {"step": 3, "exp_avg": Tensor, ...}, 1: {...}},       # keyed by parameter index
     "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), ..., "params": [0, 1]}]}

Parameters are numbered in the order they appear, group after group. State buffers are
gradstudent Tensors, as in PyTorch, so a state_dict holds the same kinds of values as a
model's (Tensors, ints, floats, tuples) and is saved the same way; the update code itself
works on their ``_data`` arrays. ``step`` counters are plain ints (PyTorch: float tensors).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any, Callable, Iterable

import numpy as np

from ..autograd import enable_grad
from ..backend import Array, get_array_module
from ..tensor import Tensor

_NUMERIC_KEYS = {"lr", "momentum", "dampening", "weight_decay", "eps", "alpha", "lr_decay", "initial_accumulator_value"}
ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


def _bumps_versions(step: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a subclass's ``step``: afterwards every parameter with a gradient counts as modified in place."""

    @functools.wraps(step)
    def wrapper(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        result = step(self, *args, **kwargs)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p._bump_version()
        return result

    return wrapper

def effective_grad(param: Array, grad: Array, weight_decay: float, maximize: bool) -> Array:
    """The gradient the update uses: ``g = ±grad + weight_decay * param``.

    ``maximize`` flips the sign (gradient *ascent*); ``weight_decay`` adds the gradient of the
    L2 penalty ``(weight_decay / 2) * ||param||^2``. Without either, ``grad`` itself is
    returned (read-only: ``p.grad`` is never modified); otherwise a new array.
    """
    if not weight_decay and not maximize:
        return grad
    xp = get_array_module(param)
    out = xp.empty_like(param)
    if not weight_decay:
        return xp.negative(grad, out=out)
    xp.multiply(param, weight_decay, out=out)
    if maximize:
        xp.subtract(out, grad, out=out)
    else:
        out += grad
    return out


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad`` and checkpoints.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs (``model.named_parameters()``),
            or of dicts (parameter groups: ``{"params": [...], "lr": 0.1}``).
        defaults: the hyper-parameters a group gets when it doesn't set them itself.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:  # each optimizer's own step bumps the versions of what it updated
            cls.step = _bumps_versions(cls.__dict__["step"])  # type: ignore[method-assign]

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self._validate_group(self.defaults, self.defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)  # keyed by identity (Tensor hashes by id)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{self._name}: params must be an iterable of Tensors or dicts, but got a single Tensor "
                f"(shape {tuple(params.shape)}); wrap it in a list: [p]"
            )
        self._reject_unordered(params)
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError(f"{self._name}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    # ---- hooks for subclasses ------------------------------------------------------------
    def _validate(self, group: dict[str, Any]) -> None:
        """Raise ``ValueError`` for a bad hyper-parameter (subclasses check theirs)."""

    def _validate_group(self, group: dict[str, Any], defaults: dict[str, Any]) -> None:
        """Types first (``lr="0.1"`` is a clear TypeError, not a failed comparison), then ``_validate``."""
        for key in _NUMERIC_KEYS & set(group):
            value = group[key]
            if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating | Tensor):
                raise TypeError(f"{self._name}: {key} must be a number, got {type(value).__name__} {value!r}")
        self._validate(group)

    def _check(self, ok: bool, what: str, value: Any, rule: str) -> None:
        """``ValueError("Adam: invalid learning rate -0.1 (must be >= 0)")`` unless ``ok``."""
        if not ok:
            raise ValueError(f"{self._name}: invalid {what} {value!r} ({rule})")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The fresh state of a parameter seen for the first time (subclasses fill it)."""
        return {}

    def _param_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """``self.state[p]``, filled by ``_init_state`` the first time ``p`` is updated."""
        state = self.state[p]
        if not state:
            state.update(self._init_state(p, group))
        return state

    def _reject_unordered(self, params: Any) -> None:
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: parameters must be given in an ordered collection (a list), not a set: "
                "their order numbers them in state_dict()"
            )

    # ---- parameter groups ----------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, e.g. a layer unfrozen during fine-tuning.

        Keys the group doesn't set are taken from ``defaults``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"{self._name}.add_param_group: expected a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        self._reject_unordered(params)
        params = [params] if isinstance(params, Tensor) else list(params)
        if params and isinstance(params[0], tuple):  # named parameters: [(name, tensor), ...]
            group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{self._name}: can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(
                    f"{self._name}: can't optimize a non-leaf Tensor (shape {tuple(p.shape)}): it is computed from "
                    "other tensors, so changing it would not change them. Optimize the leaves it was computed from."
                )
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{self._name}: a parameter group contains the same parameter twice")
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._validate_group(group, self.defaults)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError(f"{self._name}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    # ---- the training-loop API -----------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward (``backward()`` *accumulates* into ``.grad``).

        ``set_to_none=True`` (the default) drops them: less memory, and ``step()`` skips
        parameters whose ``grad`` is ``None``. ``False`` fills them with zeros instead.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad._ctx is not None:  # a gradient built with create_graph=True
                        p.grad = p.grad.detach()
                    p.grad._data[...] = 0

    def _begin_step(self, closure: Callable[[], Any] | None) -> Any:
        """Run ``closure`` (which recomputes the loss and calls backward) and return its loss."""
        self._opt_called = True  # lets a scheduler warn when it is stepped before the optimizer
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_grads()
        return loss

    def _check_grads(self) -> None:
        """Validate every gradient before any parameter changes, then bump the versions of the
        parameters about to be updated (as PyTorch: a graph that saved them before ``step()``
        then fails in backward with "modified by an inplace operation" instead of a wrong gradient).
        """
        updated = []
        for gi, group in enumerate(self.param_groups):
            for i, p in enumerate(group["params"]):
                if p.grad is None:
                    continue
                g = p.grad
                if tuple(g.shape) != tuple(p.shape):
                    raise RuntimeError(f"{self._name}.step: parameter {i} of group {gi} has shape {tuple(p.shape)} but its "
                                       f"gradient has shape {tuple(g.shape)}; no parameter was updated")
                if g.dtype.kind != "f" or p.dtype.kind != "f":
                    raise RuntimeError(f"{self._name}.step: parameter {i} of group {gi} (dtype {p.dtype}) has a gradient of "
                                       f"dtype {g.dtype}; both must be floating point; no parameter was updated")
                updated.append(p)
        for p in updated:
            p._bump_version()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given."""
        raise NotImplementedError

    # ---- checkpoints ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``, PyTorch's layout.

        Unlike PyTorch, tensors are *copies*: a kept state_dict is a snapshot that later
        steps don't change.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: {k: (v.clone().detach() if isinstance(v, Tensor) else v) for k, v in s.items()}
            for p, s in self.state.items()
            if id(p) in index
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by ``state_dict()`` (this optimizer's params are kept).

        Buffers are copied (the dict is not aliased) and cast to their parameter's dtype and
        device; ``step`` counters may be ints or one-element tensors (as PyTorch saves them).
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(f"{self._name}.load_state_dict: expected a dict with 'state' and 'param_groups' (from state_dict())")
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, list | tuple) or len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{self._name}.load_state_dict: the state_dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        id_to_param: dict[int, Tensor] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if not isinstance(saved, dict) or "params" not in saved or len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{self._name}.load_state_dict: parameter group {i} has {len(saved.get('params', [])) if isinstance(saved, dict) else '?'} "
                    f"parameters in the state_dict but {len(group['params'])} in this optimizer"
                )
            id_to_param.update(zip(saved["params"], group["params"]))
        new_groups = [
            {**{k: v for k, v in saved.items() if k != "params"}, "params": group["params"]}
            for group, saved in zip(self.param_groups, saved_groups)
        ]
        for group in new_groups:
            self._validate_group(group, self.defaults)
        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        if not isinstance(state_dict["state"], dict):
            raise ValueError(f"{self._name}.load_state_dict: 'state' must be a dict {{parameter index: {{...}}}}")
        for key, saved_state in state_dict["state"].items():
            if isinstance(key, bool) or not isinstance(key, int | str) or not str(key).isdigit() or not isinstance(saved_state, dict):
                raise ValueError(f"{self._name}.load_state_dict: state keys must be parameter indices with dict values, got {key!r}")
            p = id_to_param.get(int(key))
            if p is None:
                continue
            new_state[p] = {name: _restore(self._name, int(key), name, value, p) for name, value in saved_state.items()}
        self.param_groups, self.state = new_groups, new_state  # only now: a failed load changes nothing

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k not in ("params", "param_names")]
        return "\n".join(lines + [")"])


def _restore(opt: str, index: int, name: str, value: Any, p: Tensor) -> Any:
    """A copy of a saved state value, ready to be used with parameter ``p`` (shape checked)."""
    if name == "step":  # a counter: PyTorch saves it as a float tensor
        return int(value.item() if hasattr(value, "item") else value)
    if isinstance(value, Tensor) or hasattr(value, "__array__"):
        xp = get_array_module(p._data)
        array = value.detach().numpy() if isinstance(value, Tensor) else np.asarray(value)
        if tuple(array.shape) != tuple(p.shape):
            raise ValueError(f"{opt}.load_state_dict: state {name!r} of parameter {index} has shape {tuple(array.shape)}, "
                             f"the parameter has shape {tuple(p.shape)}")
        if array.dtype.kind == "f":
            array = array.astype(p.dtype, copy=False)
        return Tensor._make(xp.array(array))  # xp.array copies (and moves to p's device)
    return value
