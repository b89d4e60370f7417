"""``Function``: one differentiable operation, forward and backward side by side.

A Function subclass writes

* ``forward(self, *arrays, **options) -> array``: plain array code (NumPy/CuPy);
* ``backward(self, grad) -> grad per input``: the chain rule, written with
  *Tensor* operations. Because the chain rule is itself made of differentiable
  ops, ``backward(create_graph=True)`` records it and gives second derivatives
  (Hessian-vector products, gradient penalties, PDE residuals) for free.

Gradients returned by ``backward`` may have the *broadcast* shape of the
output; the engine reduces them to each input's shape in one central place
(:func:`gradstudent.autograd.engine.unbroadcast`).

During backward, ``self.inputs`` are the input tensors. ``saved_inputs()`` and
``saved_output()`` hand them back after checking that nobody modified them in
place since forward (each tensor carries a version counter).
"""

from __future__ import annotations

import traceback
import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from .grad_mode import state

if TYPE_CHECKING:
    from ..tensor import Tensor

#: The Tensor class; ``tensor.py`` fills this in once the class exists (it imports this module).
_Tensor: Any = None

#: ``ops/inplace.py`` fills this in: brings a view's history up to date after an in-place op
#: changed the tensor it views (PyTorch regenerates a view's grad_fn the same way).
_refresh_view: Any = None

#: Every registered Function class, by name. Tests enumerate this table.
OPS: dict[str, type[Function]] = {}


def register(name: str):
    """Class decorator: record a Function under ``name`` in :data:`OPS`."""

    def deco(cls: type[Function]) -> type[Function]:
        if name in OPS:
            raise ValueError(f"op {name!r} registered twice")
        cls.op_name = name
        OPS[name] = cls
        return cls

    return deco


class Function:
    """Base class of all differentiable operations (a node of the graph)."""

    op_name: ClassVar[str] = "function"
    #: set True in a subclass whose backward calls ``saved_output()``
    saves_output: ClassVar[bool] = False
    #: set False for ops whose result is never differentiable (argmax, comparisons)
    differentiable: ClassVar[bool] = True

    inputs: tuple[Tensor, ...]
    versions: tuple[int, ...]
    #: the graph's edges, fixed when the node is made: each input's producing node (None for a
    #: leaf) and whether it required grad. An in-place op may later rebase an input tensor onto
    #: a new node (``y.mul_(2)``); the gradient for the value this node saw still goes to the old one.
    parents: tuple[Function | None, ...]
    input_requires_grad: tuple[bool, ...]

    # ---- to be written by each op -------------------------------------------------
    def forward(self, *arrays: Any, **options: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad: Tensor) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.backward is not defined: op is not differentiable")

    # ---- running an op -------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run forward on the inputs' arrays and, if needed, record this node."""
        if state.grad_enabled and _refresh_view is not None:
            for t in inputs:
                if t._view is not None:  # a view whose base was changed in place gets its new history
                    _refresh_view(t)
        fn = cls()
        out = fn.forward(*[t.data for t in inputs], **options)
        record = False
        if state.grad_enabled and cls.differentiable:
            for t in inputs:
                if t.requires_grad:
                    record = True
                    break
        result = _Tensor._make(out, record)
        base = getattr(out, "base", None)
        if base is not None:  # a view of an input's memory shares its version counter (see Tensor._version)
            for t in inputs:
                if t.data is base or getattr(t.data, "base", None) is base:
                    result._vbox = t._vbox
                    result._view = (t, fn, state.grad_enabled)  # what it views and how (see ops/inplace.py)
                    break
        if record:
            fn.inputs = inputs
            fn.versions = tuple([t._version for t in inputs])
            fn.parents = tuple([t._ctx for t in inputs])
            fn.input_requires_grad = tuple([t.requires_grad for t in inputs])
            result._ctx = fn
            if cls.saves_output:
                fn._output_ref = weakref.ref(result)
                fn._output_version = result._version
            if state.anomaly:
                fn._trace = traceback.format_stack()[:-2]
        if state.anomaly:
            _check_finite(result.data, f"{cls.op_name} (forward)")
        return result

    # ---- helpers for backward -----------------------------------------------------
    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """Which inputs need a gradient (skip the work for the others)."""
        return self.input_requires_grad

    def saved_inputs(self) -> tuple[Tensor, ...]:
        """The input tensors, verified unmodified since forward."""
        self._check_alive()
        for i, (t, v) in enumerate(zip(self.inputs, self.versions)):
            if t._version != v:
                raise RuntimeError(
                    f"{self.op_name}: input {i} (shape {tuple(t.shape)}) was modified in place after "
                    f"it was used in forward (version {v} -> {t._version}), so the gradient would be "
                    f"wrong. Clone it before modifying it (x = x.clone()) or avoid the in-place op."
                )
        return self.inputs

    def saved_output(self) -> Tensor:
        """The output tensor, verified unmodified since forward."""
        self._check_alive()
        out = self._output_ref()
        if out is None:  # cannot happen while a graph reaches this node; guard anyway
            raise RuntimeError(f"{self.op_name}: the output saved for backward no longer exists")
        if out._version != self._output_version:
            raise RuntimeError(
                f"{self.op_name}: its output (shape {tuple(out.shape)}) was modified in place after "
                f"forward (version {self._output_version} -> {out._version}); the gradient needs the original. "
                f"Use an out-of-place op instead."
            )
        return out

    def _check_alive(self) -> None:
        if self.versions is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (at op {self.op_name}): its saved "
                f"values were freed after the first backward. Pass retain_graph=True to the first "
                f"backward() if you need to call it twice."
            )

    def release(self) -> None:
        """Free what forward saved (called after a backward without retain_graph)."""
        keep = {"inputs": self.inputs, "parents": self.parents, "input_requires_grad": self.input_requires_grad}
        self.__dict__.clear()
        self.__dict__.update(keep)
        self.versions = None  # type: ignore[assignment]

    @property
    def freed(self) -> bool:
        return self.versions is None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"


def _check_finite(array: Any, where: str) -> None:
    from ..backend import get_array_module

    xp = get_array_module(array)
    if array.dtype.kind == "f" and not bool(xp.isfinite(array).all()):
        raise FloatingPointError(f"detect_anomaly: {where} produced NaN or inf")
