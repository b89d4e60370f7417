"""``Tensor``: an n-dimensional array that remembers how it was computed.

A tensor holds

* ``_data``: the array (NumPy, or CuPy on a GPU); ``data`` is the same memory as a
  tensor outside the graph, as in PyTorch;
* ``requires_grad``: whether gradients should flow into it;
* ``grad``: the accumulated gradient after ``backward()`` (leaves only);
* ``_ctx``: the :class:`~gradstudent.autograd.function.Function` that produced
  it (``None`` for leaves: tensors you create, such as parameters).

The graph is nothing more than these ``_ctx`` pointers: there is no global tape.
Operations (``+``, ``sum``, ``reshape``, ...) are methods inherited from
:class:`~gradstudent.tensor_ops.TensorOps`; this file is the core.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterator, overload

import numpy as np

from . import dtypes
from ._axes import normalize_dim
from ._tensor_data import check_tensor_data
from .autograd.engine import PostAccumulateGradHook, root_gradient, run_backward
from .autograd.function import TENSOR_METHODS as _OPS
from .backend import Array, device_of, get_array_module, move_to
from .devices import device_named
from .tensor_api import TensorAPI, dtype_from_type_name
from .tensor_inplace import InplaceOps
from .tensor_ops import TensorOps

if TYPE_CHECKING:
    from .autograd.function import Function


class Tensor(TensorOps, InplaceOps, TensorAPI):
    """An n-dimensional array of numbers that remembers how it was computed (PyTorch's ``Tensor``).

    Make one with ``gs.tensor([[1.0, 2.0]])``, ``gs.randn(3, 4, requires_grad=True)``,
    ``gs.from_numpy(a)`` (shares memory), or as the result of an op on tensors.

    What it holds:

    * ``_data``: the array (NumPy/CuPy), shape ``shape``, dtype ``dtype`` (float32 by
      default). ``data`` is PyTorch's: the same memory as a tensor cut from the graph;
      from outside the library read values with ``numpy()``, ``item()``, ``tolist()``;
    * ``requires_grad``: whether gradients flow into it; ``grad``: the gradient
      accumulated by ``backward()`` (on leaves: the tensors you created);
    * ``grad_fn``: the op that produced it (``None`` for leaves). Following these
      links backwards from a loss is the whole graph.
    * ``_version``: how often its memory was changed in place (``x += 1``,
      ``x[0] = 2``, ``x.mul_(3)``); backward uses it to refuse values that were
      changed after an op saved them.

    Methods come from three mixins: ops (``+``, ``sum``, ``reshape``...:
    :mod:`~gradstudent.tensor_ops`), in-place ops (:mod:`~gradstudent.tensor_inplace`)
    and PyTorch conveniences (:mod:`~gradstudent.tensor_api`).
    """

    __slots__ = ("_data", "grad", "requires_grad", "_ctx", "_vbox", "_view", "_hooks", "_name", "__weakref__")

    _data: Array
    grad: Tensor | None
    requires_grad: bool
    _ctx: Function | None
    _vbox: list[int]  # the version counter, shared with views of the same memory
    _view: tuple[Tensor, Function, bool] | None  # (viewed tensor, view op, made with grad mode on)
    _hooks: list[Callable[[Tensor], Tensor | None] | PostAccumulateGradHook] | None  # gradient hooks, then post-accumulate hooks
    _name: str | None

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            data = data._data
        else:
            check_tensor_data(data)  # strings, ragged lists, complex, objects: a clear error
        dtype = dtypes.infer_dtype(data) if dtype is None else np.dtype(dtype)
        xp = get_array_module(data)
        self._set_fields(xp.array(data, dtype=dtype), False)  # always a copy, like torch.tensor
        if requires_grad:
            self.requires_grad_(True)

    def _set_fields(self, data: Array, requires_grad: bool) -> None:
        """Fill every slot of a fresh tensor: a leaf with no gradient and version 0."""
        if isinstance(data, np.generic):  # NumPy gives scalars for 0-d results; a tensor holds a real 0-d array
            data = np.asarray(data)  # (so that in-place updates, e.g. by optimizers, reach it)
        self._data = data
        self.grad = None
        self.requires_grad = requires_grad
        self._ctx = None
        self._vbox = [0]
        self._view = None  # (viewed tensor, view op) when an op made this a view of another tensor's memory
        self._hooks = None
        self._name = None

    @staticmethod
    def _make(data: Array, requires_grad: bool = False) -> Tensor:
        """Wrap an array without copying (the fast path every op result takes).

        Always a plain ``Tensor``, also when called on a subclass or an instance
        (``parameter._make(a)``): the autograd core, which never names this class,
        makes results with ``inputs[0]._make(array)``.
        """
        t = object.__new__(Tensor)
        t._set_fields(data, requires_grad)
        return t

    # ---- .data: the values as a tensor outside the graph (PyTorch's semantics) ----------------
    @property
    def data(self) -> Tensor:
        """The same memory as a new tensor that is cut from the graph (``requires_grad=False``).

        As in PyTorch: ``p.data.add_(1)`` changes ``p``; unlike ``detach()``, changes made
        through ``.data`` are *not* seen by autograd (its version counter is its own), so
        prefer ``detach()`` or ``with no_grad():``. The array itself is ``_data`` (inside
        the library); from outside use ``numpy()``, ``item()`` or ``tolist()``.
        """
        return Tensor._make(self._data, False)

    @data.setter
    def data(self, value: Tensor) -> None:
        """``p.data = other``: this tensor now uses ``other``'s memory (shape and dtype too), as in PyTorch."""
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__}")
        self._data = value._data

    # ---- attributes ------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @overload
    def size(self, dim: None = None) -> tuple[int, ...]: ...
    @overload
    def size(self, dim: int) -> int: ...
    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape (a tuple), or the length of axis ``dim``."""
        if dim is None:
            return self._data.shape
        return self._data.shape[normalize_dim(dim, self._data.ndim, "size")] if self._data.ndim else 1

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    @property
    def device(self) -> str:
        """A :class:`gradstudent.device` (a ``str`` subclass: ``"cpu"`` or ``"cuda"``)."""
        return device_named(device_of(self._data))

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self) -> Function | None:
        return self._ctx

    @property
    def is_floating_point_(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    # ---- autograd ----------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad_: only floating-point tensors can require gradients (this one is {self.dtype})"
            )
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor; use .detach() instead")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and the version counter, like PyTorch)."""
        t = Tensor._make(self._data, False)
        t._vbox = self._vbox
        return t

    def detach_(self) -> Tensor:
        self._ctx = None
        self.requires_grad = False
        return self

    def backward(self, gradient: Tensor | None = None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

        ``gradient`` is the vector in the vector-Jacobian product; it may be left out
        only for a single-element tensor (a scalar loss), where it is 1.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad and has no grad_fn. Did you create the "
                "inputs with requires_grad=True, and compute it outside no_grad()?"
            )
        if self._view is not None:
            self._refresh_view()
        if gradient is not None and not isinstance(gradient, Tensor):
            gradient = Tensor(gradient, dtype=self.dtype)
        root_grad = root_gradient(self, gradient, "backward")
        run_backward([self], [root_grad], retain_graph or create_graph, create_graph)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it.

        Returns a handle: ``handle.remove()`` takes the hook off again.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't require grad")
        if self._ctx is not None:
            hooks = self._ctx.__dict__.setdefault("hooks", [])
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """Call ``hook(self)`` after ``backward`` has accumulated this leaf's gradient into ``.grad``.

        As in torch: leaf tensors only, the hook returns nothing (it may change ``.grad`` in
        place), and ``autograd.grad`` does not run it. Returns a removable handle.
        """
        if not self.requires_grad:
            raise RuntimeError("register_post_accumulate_grad_hook: cannot register a hook on a tensor that doesn't require grad")
        if self._ctx is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: post accumulate grad hooks cannot be registered on "
                               "non-leaf tensors (they have no .grad to accumulate into)")
        if self._hooks is None:
            self._hooks = []
        entry = PostAccumulateGradHook(hook)
        self._hooks.append(entry)
        return RemovableHandle(self._hooks, entry)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._ctx is None:
            return
        ref = weakref.ref(self)

        def store(g: Tensor) -> None:
            t = ref()
            if t is not None:
                t.grad = g.detach() if t.grad is None else t.grad + g.detach()

        self.register_hook(store)

    @property
    def _version(self) -> int:
        """How often this tensor's memory was modified in place (checked by backward).

        The counter lives in a one-element list that views of the same memory
        (``x[0]``, ``x.T``, ``x.detach()``) share, as in torch: changing a view in
        place is seen by every op that saved the original.
        """
        return self._vbox[0]

    @_version.setter
    def _version(self, value: int) -> None:
        self._vbox[0] = value

    def _bump_version(self) -> None:
        """Record an in-place modification (checked by backward)."""
        self._vbox[0] += 1

    # ---- conversion --------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("numpy(): can't call numpy() on a tensor that requires grad; use .detach().numpy()")
        return move_to(self._data, "cpu")

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted, this one has shape {self.shape}")
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return move_to(self._data, "cpu").tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = move_to(self._data, "cpu")
        return a if dtype is None else a.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"bool(): the truth value of a tensor with shape {self.shape} is ambiguous")
        return bool(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def to(self, *args: Any, dtype: Any = None, device: str | None = None, copy: bool = False) -> Tensor:
        """``to(dtype)``, ``to("cpu")`` / ``to("cuda")``, or ``to(other_tensor)``."""
        for a in args:
            if isinstance(a, Tensor):
                dtype, device = a.dtype, a.device
            elif isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda"):
                device = a
            else:
                dtype = a
        if isinstance(dtype, str):
            try:
                np.dtype(dtype)
            except TypeError:
                raise RuntimeError(f"to(): unknown device {dtype!r}: expected 'cpu' or 'cuda' (or 'cuda:N'), or a dtype") from None
        out = self
        if dtype is not None and np.dtype(dtype) != self.dtype:
            out = out.type(dtype)
        if device is not None and str(device).split(":")[0] != self.device:
            out = _OPS["_to_device"](out, device=device)
        return out.clone() if copy and out is self else out

    @overload
    def type(self, dtype: None = None) -> str: ...
    @overload
    def type(self, dtype: np.dtype | type | str) -> Tensor: ...
    def type(self, dtype: np.dtype | type | str | None = None) -> Tensor | str:
        """A copy converted to ``dtype`` (``self`` when it already has it); without
        ``dtype``, PyTorch's type name (``"torch.FloatTensor"``).

        Between floating types the conversion is differentiable (the gradient is
        converted back). To an integer or bool dtype the result is a constant that
        does not require grad, as in torch: integers have no gradients.
        """
        if dtype is None:
            return self.type_name()
        dtype = dtype_from_type_name(dtype) if isinstance(dtype, str) and "Tensor" in dtype else np.dtype(dtype)
        if dtype == self._data.dtype:
            return self
        if self.requires_grad and dtype.kind == "f":
            return _OPS["_cast"](self, dtype=dtype)
        return Tensor._make(self._data.astype(dtype))

    def float(self) -> Tensor:
        return self.type(dtypes.float32)

    def double(self) -> Tensor:
        return self.type(dtypes.float64)

    def half(self) -> Tensor:
        return self.type(dtypes.float16)

    def long(self) -> Tensor:
        return self.type(dtypes.int64)

    def int(self) -> Tensor:
        return self.type(dtypes.int32)

    def bool(self) -> Tensor:
        return self.type(dtypes.bool_)

    def clone(self) -> Tensor:
        return _OPS["clone"](self)

    def _refresh_view(self) -> None:
        """Bring this view's history up to date after the tensor it views changed in place (ops/inplace.py)."""
        _OPS["_refresh_view"](self)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def __repr__(self) -> str:
        body = np.array2string(
            np.asarray(move_to(self._data, "cpu")), separator=", ", precision=4, threshold=200, prefix="tensor("
        )
        extras = []
        if self._data.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self._data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"


class RemovableHandle:
    """Returned by ``register_hook``: ``handle.remove()`` unregisters the hook (as in torch)."""

    def __init__(self, hooks: list[Any], hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    __call__ = remove  # calling the handle also removes the hook

