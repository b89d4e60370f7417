"""In-place ops of ``Tensor`` (``add_``, ``zero_``, ``copy_``, ``x += y``, ``x[i] = v``...).

PyTorch's semantics:

* They change the tensor's own memory (the same object, the same storage; views
  see the change) and bump its version counter, so a backward that still needs
  the old values notices and says so (naming the op and the versions).
* ``x += y``, ``-=``, ``*=``, ``/=``, ``**=``, ``//=``, ``%=`` are in place too:
  ``with no_grad(): w -= lr * w.grad`` updates the parameter ``w``. (``@=`` is not
  in place in PyTorch either: it rebinds the name to ``w @ m``.)
* On a leaf that requires grad they are refused outside ``no_grad()`` ("a leaf
  Variable that requires grad is being used in an in-place operation."); under
  ``no_grad()`` they are how optimizers and ``nn.init`` work.
* On a tensor that is part of a graph, or with an operand that requires grad,
  they are recorded: the tensor's history is rebased onto the op
  (:mod:`gradstudent.ops.inplace`). Without a graph they run directly on arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from ._axes import along_axis_index, normalize_dims
from .autograd.function import TENSOR_METHODS as _OPS
from .autograd.grad_mode import state
from .backend import get_array_module
from .random import default_generator

if TYPE_CHECKING:
    from .tensor import Tensor

# The recorded path (``rebase``, ``setitem``: ops/inplace.py) and the ops it uses sit above this
# module; they are reached through the registration table ``_OPS`` (see docs/engine.md, "Layers").

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."


def _array(value: Any) -> Any:
    return value._data if isinstance(value, InplaceOps) else value  # InplaceOps: a Tensor (its base class)


def recording(t: Tensor, operands: Sequence[Any]) -> bool:
    """Whether an in-place op on ``t`` with these operands must be recorded in the graph."""
    if not state.grad_enabled:
        return False
    if t.requires_grad or any(isinstance(o, InplaceOps) and o.requires_grad for o in operands):
        return True
    view = t._view
    while view is not None:  # a view (even one made under no_grad) of a tensor in a graph
        if view[0].requires_grad:
            return True
        view = view[0]._view
    return False


def check_leaf(t: Tensor, op: str) -> None:
    """A leaf that requires grad may change in place only under ``no_grad()`` (as in PyTorch)."""
    if t.requires_grad and t._ctx is None and state.grad_enabled:
        raise RuntimeError(
            f"{op}: {LEAF_MESSAGE} (shape {tuple(t.shape)}). Wrap the update in `with gradstudent.no_grad():` "
            f"as optimizers do, or use the out-of-place {op.rstrip('_')}."
        )


class InplaceOps:
    __slots__ = ()
    _data: Any
    requires_grad: bool
    _ctx: Any
    _vbox: list[int]

    # ---- the two paths -------------------------------------------------------------
    def _run(
        self, op: str, operands: tuple[Any, ...], on_arrays: Callable[[], None], compute: Callable[[Tensor], Tensor],
        copy_old: bool,
    ) -> Tensor:
        """Run ``op`` directly on the arrays when no graph is recorded, else through ``ops.inplace.rebase``."""
        me: Tensor = self  # type: ignore[assignment]
        if not recording(me, operands):
            check_leaf(me, op)
            self._check_dtype(op, operands)
            on_arrays()
            self._vbox[0] += 1
            return me
        return _OPS["_rebase"](me, op, compute, copy_old)

    def _check_dtype(self, op: str, operands: tuple[Any, ...]) -> None:
        """An integer/bool tensor cannot take a floating-point result (as in torch)."""
        if self._data.dtype.kind == "f":
            return
        for o in operands:
            kind = getattr(_array(o), "dtype", None)
            kind = kind.kind if kind is not None else ("f" if isinstance(o, float) else "i")
            if kind == "f":
                raise RuntimeError(f"{op}: result type Float can't be cast to the desired output type {self._data.dtype}")

    def _store(self, op: str, value: Any) -> None:
        """``data[...] = value`` with torch's shape rule (the result must keep this tensor's shape)."""
        shape = getattr(value, "shape", ())
        if shape != self._data.shape:
            try:
                full = get_array_module(self._data).broadcast_shapes(shape, self._data.shape)
            except ValueError:
                full = None
            if full != self._data.shape:
                raise RuntimeError(
                    f"{op}: output with shape {tuple(self._data.shape)} doesn't match the broadcast shape "
                    f"{tuple(full) if full is not None else tuple(shape)}"
                )
        self._data[...] = value

    def _apply_ufunc(self, op: str, ufunc: str, operand: Any) -> None:
        """``ufunc(data, operand, out=data)``: no temporary; a broadcast that would grow ``data`` is refused."""
        xp = get_array_module(self._data)
        try:
            getattr(xp, ufunc)(self._data, operand, out=self._data)
        except ValueError:
            self._store(op, getattr(xp, ufunc)(self._data, operand))  # raises torch's shape error

    # ---- arithmetic ----------------------------------------------------------------
    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self += alpha * other"""
        o = _array(other)
        return self._run(
            "add_", (other,), lambda: self._apply_ufunc("add_", "add", o if alpha == 1 else o * alpha),
            lambda old: old + (other if alpha == 1 else other * alpha), copy_old=False,
        )

    def sub_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self -= alpha * other"""
        o = _array(other)
        return self._run(
            "sub_", (other,), lambda: self._apply_ufunc("sub_", "subtract", o if alpha == 1 else o * alpha),
            lambda old: old - (other if alpha == 1 else other * alpha), copy_old=False,
        )

    def mul_(self, other: Any) -> Tensor:
        """self *= other"""
        o = _array(other)
        return self._run("mul_", (other,), lambda: self._apply_ufunc("mul_", "multiply", o), lambda old: old * other, True)

    def div_(self, other: Any) -> Tensor:
        """self /= other"""
        o = _array(other)
        return self._run("div_", (other,), lambda: self._apply_ufunc("div_", "true_divide", o), lambda old: old / other, True)

    def pow_(self, exponent: Any) -> Tensor:
        """self = self ** exponent"""
        e = _array(exponent)
        return self._run("pow_", (exponent,), lambda: self._store("pow_", self._data**e), lambda old: old**exponent, True)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """self = min(max(self, min), max)"""
        if min is None and max is None:
            raise ValueError("clamp_: at least one of min and max must be given")
        xp = get_array_module(self._data)
        return self._run(
            "clamp_", (), lambda: xp.clip(self._data, min, max, out=self._data), lambda old: old.clamp(min, max), True
        )

    clip_ = clamp_

    def relu_(self) -> Tensor:
        xp = get_array_module(self._data)
        return self._run("relu_", (), lambda: xp.maximum(self._data, 0, out=self._data), lambda old: old.relu(), True)

    def sigmoid_(self) -> Tensor:
        def on_arrays() -> None:
            xp = get_array_module(self._data)
            self._data[...] = 1 / (1 + xp.exp(-self._data))

        return self._run("sigmoid_", (), on_arrays, lambda old: old.sigmoid(), True)

    def tanh_(self) -> Tensor:
        xp = get_array_module(self._data)
        return self._run("tanh_", (), lambda: xp.tanh(self._data, out=self._data), lambda old: old.tanh(), True)

    def neg_(self) -> Tensor:
        return self._run("neg_", (), lambda: self._store("neg_", -self._data), lambda old: -old, False)

    def exp_(self) -> Tensor:
        xp = get_array_module(self._data)
        return self._run("exp_", (), lambda: xp.exp(self._data, out=self._data), lambda old: old.exp(), True)

    def _not_differentiable(self, op: str, other: Any, ufunc: str) -> Tensor:
        me: Tensor = self  # type: ignore[assignment]
        if recording(me, (other,)):
            raise RuntimeError(f"{op}: the derivative of {op.rstrip('_')} is not implemented (the tensor is part of a graph)")
        check_leaf(me, op)
        self._check_dtype(op, (other,))
        self._store(op, getattr(get_array_module(self._data), ufunc)(self._data, _array(other)))
        self._vbox[0] += 1
        return me

    def floor_divide_(self, other: Any) -> Tensor:
        return self._not_differentiable("floor_divide_", other, "floor_divide")

    def remainder_(self, other: Any) -> Tensor:
        return self._not_differentiable("remainder_", other, "remainder")

    def __iadd__(self, other: Any) -> Tensor: return self.add_(other)
    def __isub__(self, other: Any) -> Tensor: return self.sub_(other)
    def __imul__(self, other: Any) -> Tensor: return self.mul_(other)
    def __itruediv__(self, other: Any) -> Tensor: return self.div_(other)
    def __ipow__(self, other: Any) -> Tensor: return self.pow_(other)
    def __ifloordiv__(self, other: Any) -> Tensor: return self.floor_divide_(other)
    def __imod__(self, other: Any) -> Tensor: return self.remainder_(other)

    def _logical_(self, op: str, other: Any, ufunc: str) -> Tensor:
        if self._data.dtype.kind not in "biu":
            raise RuntimeError(f"{op}: only bool and integer tensors support bitwise in-place ops, not {self._data.dtype}")
        xp = get_array_module(self._data)
        name = ufunc if self._data.dtype.kind != "b" else ufunc.replace("bitwise", "logical")
        return self._not_differentiable(op, other, name) if hasattr(xp, name) else self  # type: ignore[return-value]

    def __iand__(self, other: Any) -> Tensor: return self._logical_("bitwise_and_", other, "bitwise_and")
    def __ior__(self, other: Any) -> Tensor: return self._logical_("bitwise_or_", other, "bitwise_or")
    def __ixor__(self, other: Any) -> Tensor: return self._logical_("bitwise_xor_", other, "bitwise_xor")

    # ---- writes (one IndexPut node in a graph) ------------------------------------------
    def zero_(self) -> Tensor:
        """Set every element to 0."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` (a number or a 0-d tensor)."""
        if getattr(value, "ndim", 0) != 0:
            raise RuntimeError(f"fill_: only supports a 0-dimensional value tensor, got shape {tuple(value.shape)}")
        return self._write("fill_", Ellipsis, value)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast to this shape, converted to this dtype) into this tensor."""
        shape = tuple(getattr(src, "shape", ()))
        try:
            full = get_array_module(self._data).broadcast_shapes(shape, self._data.shape)
        except ValueError:
            full = None
        if full != self._data.shape:
            raise ValueError(f"copy_: source of shape {shape} cannot be copied into shape {tuple(self._data.shape)}")
        return self._write("copy_", Ellipsis, src)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """Set the elements where ``mask`` (bool, broadcast to this shape) is True to ``value``."""
        m = _array(mask)
        if getattr(m, "dtype", None) is None or m.dtype.kind != "b":
            raise TypeError(f"masked_fill_: mask must be a bool tensor, got {getattr(m, 'dtype', type(m).__name__)}")
        if getattr(value, "ndim", 0) != 0:
            raise RuntimeError(f"masked_fill_: only supports a 0-dimensional value tensor, got shape {tuple(value.shape)}")
        xp = get_array_module(self._data)
        try:
            m = xp.broadcast_to(m, self._data.shape)
        except ValueError:
            raise RuntimeError(f"masked_fill_: mask of shape {tuple(m.shape)} does not broadcast to {tuple(self._data.shape)}") from None
        return self._write("masked_fill_", m, value)

    def index_copy_(self, dim: int, index: Any, source: Any) -> Tensor:
        """self[..., index[k], ...] = source[..., k, ...] along ``dim``."""
        d, idx = self._dim_index("index_copy_", dim, index)
        return self._write("index_copy_", (slice(None),) * d + (idx,), source)

    def scatter_(self, dim: int, index: Any, src: Any = None, value: Any = None) -> Tensor:
        """self[i, index[i, j]] = src[i, j] (for dim=1); ``value`` instead of ``src`` writes one number."""
        src = value if src is None else src
        d, idx = self._dim_index("scatter_", dim, index, along=True)
        xp = get_array_module(self._data)
        full = along_axis_index(xp, idx, d)
        if getattr(src, "ndim", 0):
            src = src[tuple(slice(0, n) for n in idx.shape)]  # src may be larger than index (as in torch)
        return self._write("scatter_", full, src)

    def index_add_(self, dim: int, index: Any, source: Any, alpha: float = 1.0) -> Tensor:
        """self[..., index[k], ...] += alpha * source[..., k, ...] along ``dim`` (repeats add up)."""
        d, idx = self._dim_index("index_add_", dim, index)
        xp = get_array_module(self._data)
        where = (slice(None),) * d + (idx,)

        def on_arrays() -> None:
            s = _array(source)
            xp.add.at(self._data, where, s if alpha == 1 else s * alpha)  # repeated indices add up

        def compute(old: Tensor) -> Tensor:
            added = source * alpha if alpha != 1 else source
            return old + _OPS["_index_put_add"](added, index=where, shape=tuple(self._data.shape))

        return self._run("index_add_", (source,), on_arrays, compute, False)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        """self[i, index[i, j]] += src[i, j] (for dim=1)."""
        d, idx = self._dim_index("scatter_add_", dim, index, along=True)
        xp = get_array_module(self._data)

        def on_arrays() -> None:
            s = _array(src)
            xp.add.at(self._data, along_axis_index(xp, idx, d), s[tuple(slice(0, n) for n in idx.shape)])

        return self._run("scatter_add_", (src,), on_arrays, lambda old: old.scatter_add(d, index, src), False)

    def _dim_index(self, op: str, dim: int, index: Any, along: bool = False) -> tuple[int, Any]:
        (d,) = normalize_dims(dim, self._data.ndim, op)
        idx = _array(index)
        if getattr(idx, "dtype", None) is None or idx.dtype.kind not in "iu":
            raise TypeError(f"{op}: index must be an integer tensor")
        size = self._data.shape[d] if self._data.ndim else 1
        if idx.size and (int(idx.max()) >= size or int(idx.min()) < -size):
            raise IndexError(f"{op}: index out of range: values span [{int(idx.min())}, {int(idx.max())}] but the size is {size}")
        if along and idx.ndim != self._data.ndim:
            raise RuntimeError(f"{op}: index has {idx.ndim} dims but self has {self._data.ndim}")
        if not along and idx.ndim > 1:
            raise IndexError(f"{op}: index must be 1-D, got shape {tuple(idx.shape)}")
        return d, idx

    def _write(self, op: str, index: Any, value: Any) -> Tensor:
        """``self[index] = value``, recorded as one IndexPut node when a graph is being built."""
        me: Tensor = self  # type: ignore[assignment]
        _OPS["_setitem"](me, index, value, op=op)
        return me

    # ---- random fills (never recorded: the values do not depend on anything) -----------
    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        values = (generator or default_generator()).uniform(a, b, self._data.shape, self._data.dtype, self._data)
        return self._write("uniform_", Ellipsis, get_array_module(self._data).asarray(values))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        values = (generator or default_generator()).normal(mean, std, self._data.shape, self._data.dtype, self._data)
        return self._write("normal_", Ellipsis, get_array_module(self._data).asarray(values))

