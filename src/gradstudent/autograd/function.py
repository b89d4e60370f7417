"""``Function``: one differentiable operation, forward and backward side by side.

A Function subclass writes

* ``forward(self, *arrays, **options) -> array``: plain array code (NumPy/CuPy);
* ``backward(self, grad) -> grad per input``: the chain rule, written with
  *Tensor* operations. Because the chain rule is itself made of differentiable
  ops, ``backward(create_graph=True)`` records it and gives second derivatives
  (Hessian-vector products, gradient penalties, PDE residuals) for free.
  This is the *reference* backward: the one the lecture shows.

Two optional additions, for speed, never instead of the above:

* ``backward_arrays(self, grad_array) -> array or tuple (array or None per input)``:
  the same chain rule on plain arrays. The *engine* calls it instead of ``backward``
  when no graph of the backward is being built (``create_graph=False``, the usual
  training step); ``backward`` still serves ``create_graph=True``. An op never
  asks for itself which mode is on. ``tests/test_fused_kernels.py`` checks that the
  two agree for every registered op that has one, and the op-table oracle checks both
  against PyTorch.
* ``reference``: for a *fused forward* (several ops' work in one array routine), a
  staticmethod ``reference(*inputs, **options) -> Tensor`` computing the same thing
  from ordinary Tensor ops, so a student can read (and tests can compare) what the
  fused kernel does. :meth:`Function.backward_through_reference` differentiates it, a
  ready-made reference ``backward`` for such ops.

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
from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar

from .engine import check_finite, root_gradient, run_backward
from .grad_mode import enable_grad, state

if TYPE_CHECKING:
    from ..tensor import Tensor

# This module never names the Tensor class (it sits below it): results are made by the
# inputs' ``_make`` (always a plain Tensor, also for a Parameter input).

#: Every registered Function class, by name. Tests enumerate this table.
OPS: dict[str, type[Function]] = {}


#: How ``Tensor`` reaches the ops (the layer above it): method name -> callable taking the tensor
#: first. Filled by :func:`register` (``method=``) and :func:`tensor_method` as the op modules load
#: (``import gradstudent`` loads them all). The typed methods of ``Tensor`` look their op up here
#: (``TensorOps``); names without a typed method are served by ``TensorOps.__getattr__``.
TENSOR_METHODS: dict[str, Callable[..., Any]] = {}
#: Top-level ``gradstudent`` functions declared by a registration (``function=``), served by the
#: package's ``__getattr__`` when not imported explicitly.
FUNCTIONS: dict[str, Callable[..., Any]] = {}


def register(name: str, *, method: str | None = None, function: str | None = None) -> Callable[[type[Function]], type[Function]]:
    """Class decorator: record a Function under ``name`` in :data:`OPS`.

    ``method="cube"`` also provides ``x.cube(*args, **options)`` and ``function="cube"``
    ``gradstudent.cube(x, *args, **options)``, both ``Op.apply``: a new op is declared in
    one place (its module), plus its test row. Ops whose public function does more than
    ``apply`` (argument checks, scalars) decorate that function with :func:`tensor_method` instead.
    """

    def deco(cls: type[Function]) -> type[Function]:
        if name in OPS:
            raise ValueError(f"op {name!r} registered twice")
        for table, key in ((TENSOR_METHODS, method), (FUNCTIONS, function)):
            if key is not None and key in table:
                raise ValueError(f"op {name!r}: {key!r} is already provided by another op")
        cls.op_name = name
        OPS[name] = cls
        if method is not None:
            TENSOR_METHODS[method] = cls.apply
        if function is not None:
            FUNCTIONS[function] = cls.apply
        return cls

    return deco


F = TypeVar("F", bound=Callable[..., Any])


def tensor_method(method: str, *, function: str | None = None) -> Callable[[F], F]:
    """Decorator for an op's public function: it is also ``Tensor.<method>`` (and ``gradstudent.<function>``).

    For ops whose public function does more than ``Op.apply`` (argument checks, Python
    numbers, choosing between Functions): ``@tensor_method("add")`` on ``def add(a, b)``
    makes ``x.add(y)``, ``x + y`` (whose typed method looks ``"add"`` up) use it.
    """

    def deco(fn: F) -> F:
        for table, key in ((TENSOR_METHODS, method), (FUNCTIONS, function)):
            if key is not None and key in table:
                raise ValueError(f"{fn.__name__}: {key!r} is already provided by another op")
        TENSOR_METHODS[method] = fn
        if function is not None:
            FUNCTIONS[function] = fn
        return fn

    return deco


class Function:
    """Base class of all differentiable operations; an instance is one node of the graph.

    Subclass it, write ``forward`` (arrays in, array out) and ``backward`` (the chain
    rule in Tensor ops), register it with ``@register("name")`` and call it with
    ``MyOp.apply(*tensors, **options)``. ``apply`` runs ``forward`` and, when an input
    requires grad (and grad mode is on), records the node: its ``inputs``, their
    version counters (``saved_inputs()`` checks them) and the graph edges
    (``parents``). Optional fast paths: ``backward_arrays`` and ``reference`` (see the
    module docstring). After a backward without ``retain_graph`` the engine calls
    :meth:`release`, which drops everything the node saved.
    """

    op_name: ClassVar[str] = "function"
    #: set True in a subclass whose backward calls ``saved_output()``
    saves_output: ClassVar[bool] = False
    #: set False for ops whose result is never differentiable (argmax, comparisons)
    differentiable: ClassVar[bool] = True
    #: True when the class (or a base other than Function) defines ``backward_arrays``
    has_fast_backward: ClassVar[bool] = False
    #: optional: the fused forward written with Tensor ops, ``reference(*inputs, **options)``
    reference: ClassVar[Callable[..., Any] | None] = None

    inputs: tuple[Tensor, ...]
    versions: tuple[int, ...]
    #: the graph's edges, fixed when the node is made: each input's producing node (None for a
    #: leaf) and whether it required grad. An in-place op may later rebase an input tensor onto
    #: a new node (``y.mul_(2)``); the gradient for the value this node saw still goes to the old one.
    parents: tuple[Function | None, ...]
    input_requires_grad: tuple[bool, ...]
    options: dict[str, Any]  # the forward's options (kept only for ops with a ``reference``)
    _output_ref: Callable[[], Tensor | None]  # weak reference to the output (``saves_output``)
    _output_version: int
    _trace: list[str]  # where the op was created (anomaly mode)
    inplace: bool  # set on a node recorded by an in-place op (ops/inplace.py)

    # ---- to be written by each op -------------------------------------------------
    def forward(self, *arrays: Any, **options: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad: Tensor) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.backward is not defined: op is not differentiable")

    # backward_arrays(self, grad: Array) -> Array | tuple[Array | None, ...]   (optional, see above)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.has_fast_backward = callable(getattr(cls, "backward_arrays", None))

    # ---- running an op -------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run forward on the inputs' arrays and, if needed, record this node."""
        if not inputs:
            raise TypeError(f"{cls.op_name}.apply: an op needs at least one input tensor")
        if state.autocast is not None:  # gs.autocast: the inputs of listed ops change precision (amp.py)
            inputs = state.autocast.cast_inputs(cls.op_name, inputs)
        if state.grad_enabled:
            for t in inputs:
                if t._view is not None:  # a view whose base was changed in place gets its new history
                    t._refresh_view()
        fn = cls()
        arrays = [t._data for t in inputs]
        out = fn.forward(*arrays, **options) if state.profiler is None else state.profiler.forward(fn, arrays, options)
        record = False
        if state.grad_enabled and cls.differentiable:
            for t in inputs:
                if t.requires_grad:
                    record = True
                    break
        result = inputs[0]._make(out, record)  # a plain Tensor (``_make`` is a staticmethod of Tensor)
        base = getattr(out, "base", None)
        if base is not None:  # a view of an input's memory shares its version counter (see Tensor._version)
            for t in inputs:
                if t._data is base or getattr(t._data, "base", None) is base:
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
            if cls.reference is not None:
                fn.options = options  # for backward_through_reference
            if state.anomaly:
                fn._trace = traceback.format_stack()[:-2]
        if state.anomaly:
            check_finite(result._data, f"{cls.op_name} (forward)")
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

    def saved_arrays(self) -> tuple[Any, ...]:
        """The input arrays (for ``backward_arrays``), verified unmodified since forward."""
        return tuple([t._data for t in self.saved_inputs()])

    def backward_through_reference(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        """A reference ``backward`` for a fused op: differentiate ``reference(*inputs, **options)``.

        The reference is rebuilt from the saved inputs with grad mode on, and its
        vector-Jacobian product is taken with ``create_graph=True``, so the result is
        differentiable again (second derivatives of fused ops come from here).
        """
        reference = type(self).reference
        assert reference is not None, f"{self.op_name}: no reference composite to differentiate"
        inputs = self.saved_inputs()
        needs = self.needs_input_grad
        with enable_grad():
            out = reference(*inputs, **self.options)
            if not out.requires_grad:
                raise RuntimeError(f"{self.op_name}: the reference's output does not require grad")
            wanted = [t for t, n in zip(inputs, needs) if n]
            seed = root_gradient(out, grad, f"{self.op_name} (reference backward)")
            grads = run_backward([out], [seed], True, True, targets=wanted, allow_unused=True)  # autograd.grad
            assert grads is not None
            found = iter(grads)
        result: list[Tensor | None] = []
        for t, n in zip(inputs, needs):
            g = next(found) if n else None
            result.append(g if g is not None or not n else t * 0.0)  # an input the output does not use
        return tuple(result)

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
        """Free what forward saved (called after a backward without retain_graph).

        The arrays forward kept on ``self`` go at once, while the backward runs; the
        input tensors (whose arrays are the activations of earlier layers) go in
        :meth:`release_inputs`, once the whole backward has run. Only the graph's edges
        stay, so a second backward still finds this node and reports it as freed. A
        loop that keeps its losses (``losses.append(loss)``) then keeps one small node
        per loss, not the whole step's activations (as in PyTorch).
        """
        keep = {"inputs": self.inputs, "parents": self.parents, "input_requires_grad": self.input_requires_grad}
        self.__dict__.clear()
        self.__dict__.update(keep)
        self.versions = None  # type: ignore[assignment]

    def release_inputs(self) -> None:
        """Drop the references to the input tensors (after :meth:`release`, once backward is over:
        a node that saved its output finds it alive only while its consumers hold it as an input)."""
        self.inputs = ()

    @property
    def freed(self) -> bool:
        return self.versions is None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"

