"""PyTorch-style custom autograd functions: ``gs.autograd.Function``.

This is the API of ``torch.autograd.Function``: static methods that take a
context object ``ctx``::

    class Exp(gs.autograd.Function):
        @staticmethod
        def forward(ctx, x):                 # runs with gradient recording off
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_y):           # one gradient per forward input
            (y,) = ctx.saved_tensors
            return grad_y * y                # dL/dx = dL/dy · e^x

    z = Exp.apply(x)

(``forward(*args)`` plus ``setup_context(ctx, inputs, output)`` works too.)
``backward`` is written with Tensor ops, so it is recorded under
``create_graph=True`` and second derivatives work when it is itself
differentiable. Internally each differentiable output becomes one node of
gradstudent's graph (a :class:`gradstudent.autograd.function.Function`, the
array-level base class that the built-in ops use); with several outputs,
each node calls ``backward`` with zeros for the other outputs' gradients,
which gives the same sum because a backward is linear in its gradients.

Subclasses written in gradstudent's own op style (instance methods
``forward(self, *arrays)`` / ``backward(self, grad)``) keep working: this
class is also that base class, and dispatches on the style of ``forward``.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from ..backend import move_to
from ..creation import zeros_like
from ..tensor import Tensor
from .function import Function as _ArrayFunction
from .grad_mode import no_grad, state

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The ``ctx`` handed to ``forward`` and ``backward``: what forward saves for backward."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._saved: tuple[Any, ...] = ()
        self._saved_versions: tuple[int | None, ...] = ()
        self._non_differentiable: set[int] = set()
        self._freed = False

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (or None) for backward; they are checked for in-place changes."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save tensors or None, but argument {i} is {type(t).__name__}")
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else t._version for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to ``save_for_backward``, verified unmodified since."""
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they "
                "have already been freed). Pass retain_graph=True to the first backward() if you need it twice."
            )
        for i, (t, v) in enumerate(zip(self._saved, self._saved_versions)):
            if t is not None and t._version != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: saved tensor {i} (shape {tuple(t.shape)}) is at version {t._version}; expected "
                    f"version {v} instead."
                )
        return self._saved

    def _link_outputs(self, raw: tuple[Any, ...], wrapped: list[Any]) -> None:
        """A saved *output* is replaced by the output the graph knows (as PyTorch does),
        so a backward written with it is differentiable again (second derivatives)."""
        by_id = {id(r): w for r, w in zip(raw, wrapped)}
        self._saved = tuple(by_id.get(id(t), t) for t in self._saved)
        self._saved_versions = tuple(None if t is None else t._version for t in self._saved)

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Outputs that get no gradient (indices, masks): returned with ``requires_grad=False``."""
        self._non_differentiable |= {id(t) for t in outputs}

    def mark_dirty(self, *tensors: Any) -> None:
        """Accepted for compatibility; gradstudent's custom functions should not modify inputs in place."""

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)


class _CustomNode(_ArrayFunction):
    """One differentiable output of a custom function, as a node of gradstudent's graph."""

    op_name = "custom_function"

    def forward(self, *arrays: Any, output: Any, call: "_Call", index: int) -> Any:  # type: ignore[override]
        self.call, self.index = call, index
        array = output.detach().numpy()  # computed under no_grad (or an input returned as is)
        return array if output.device == "cpu" else move_to(array, output.device)

    def backward(self, grad: Any) -> tuple[Any, ...]:  # type: ignore[override]
        return self.call.backward(self.index, grad)

    def release(self) -> None:
        call = self.call
        call.live_nodes -= 1
        if call.live_nodes == 0:  # the last output's node: nothing can reach ctx any more
            call.ctx._freed = True
        super().release()


class _Call:
    """One ``apply``: the ctx, the argument layout, and the outputs' shapes."""

    def __init__(self, cls: type, ctx: FunctionCtx, args: tuple[Any, ...], outputs: tuple[Any, ...]) -> None:
        self.cls, self.ctx = cls, ctx
        self.tensor_positions = [i for i, a in enumerate(args) if _is_tensor(a)]
        self.outputs = outputs
        self.live_nodes = 0  # nodes still holding this call (one per differentiable output)

    def backward(self, index: int, grad: Any) -> tuple[Any, ...]:
        grads = []
        for k, out in enumerate(self.outputs):
            if k == index:
                grads.append(grad)
            elif _is_tensor(out) and out.dtype.kind == "f" and self.ctx.materialize_grads:
                grads.append(zeros_like(out))
            else:
                grads.append(None)
        result = self.cls.backward(self.ctx, *grads)  # type: ignore[attr-defined]
        result = result if isinstance(result, tuple) else (result,)
        n_args = len(self.ctx.needs_input_grad)
        if len(result) < n_args or any(g is not None for g in result[n_args:]):
            raise RuntimeError(
                f"function {self.cls.__name__}Backward returned an incorrect number of gradients "
                f"(expected {n_args}, got {len(result)})"
            )
        return tuple(result[i] for i in self.tensor_positions)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def _is_static(cls: type, name: str) -> bool:
    return isinstance(inspect.getattr_static(cls, name, None), staticmethod)


class Function(_ArrayFunction):
    """Base class for custom differentiable functions, PyTorch's ``torch.autograd.Function``.

    Write ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` as static
    methods and call ``MyFunction.apply(*args)`` (never ``forward`` directly).
    ``backward`` returns one gradient (or None) per argument of ``forward``.
    """

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Any, ...], output: Any) -> None:
        """Override (with a ctx-free ``forward``) to fill ``ctx`` from the inputs and output."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if not _is_static(cls, "forward"):  # gradstudent's array-level op style
            return super().apply(*args, **kwargs)
        needs = tuple(_is_tensor(a) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        uses_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            if uses_setup:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)  # type: ignore[arg-type]  # static in subclasses
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if not (state.grad_enabled and any(needs)):
            return outputs
        call = _Call(cls, ctx, args, outs)
        tensor_args = [a for a in args if _is_tensor(a)]
        wrapped = []
        for k, out in enumerate(outs):
            if not _is_tensor(out) or id(out) in ctx._non_differentiable or out.dtype.kind != "f":
                wrapped.append(out)
            else:
                wrapped.append(_CustomNode.apply(*tensor_args, output=out, call=call, index=k))
                call.live_nodes += 1
        ctx._link_outputs(outs, wrapped)
        return wrapped[0] if single else tuple(wrapped)


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for a ``backward`` that is not itself differentiable: it runs
    without recording, so asking for a second derivative through it gives none."""

    def wrapper(ctx: FunctionCtx, *grads: Any) -> Any:
        with no_grad():
            return backward(ctx, *grads)

    wrapper.__name__ = getattr(backward, "__name__", "backward")
    wrapper.__doc__ = backward.__doc__
    return wrapper
