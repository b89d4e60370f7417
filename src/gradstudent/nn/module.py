"""``Module``: the base class of every layer and model.

Assigning a :class:`Parameter`, a :class:`Module` or (via ``register_buffer``)
a buffer tensor to an attribute registers it, so ``parameters()``,
``state_dict()``, ``train()``/``eval()`` and ``zero_grad()`` find it::

    class MLP(Module):
        def __init__(self):
            super().__init__()
            self.fc1 = Linear(2, 16)     # a submodule -> its parameters are ours
            self.fc2 = Linear(16, 1)

        def forward(self, x):
            return self.fc2(self.fc1(x).tanh())

Training mode is a per-module flag (``self.training``) set by ``train()`` and
``eval()`` on the whole tree, never a global switch.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Iterator

import numpy as np

from ..tensor import Tensor
from .parameter import Parameter


class Module:
    """Base class of layers and models: subclass it, assign parameters and submodules in
    ``__init__``, write ``forward``; call the module (``model(x)``) to run it.

    Attributes that are :class:`Parameter`, :class:`Module` or registered buffers are
    tracked in ``_parameters``, ``_modules`` and ``_buffers`` (in assignment order), which
    is what ``parameters()``, ``named_modules()``, ``state_dict()``/``load_state_dict()``,
    ``to()``, ``zero_grad()`` and ``train()``/``eval()`` walk. ``training`` is this
    module's mode flag (Dropout and BatchNorm read it).
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---- registration on attribute assignment -----------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() is called (call super().__init__() first)")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self.__dict__.pop(name, None)
            modules.pop(name, None)
            buffers.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            self.__dict__.pop(name, None)
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
        elif name in params or name in modules:
            if value is not None:
                kind = "parameter" if name in params else "module"
                raise TypeError(f"cannot assign {type(value).__name__} as {kind} {name!r} (a {kind.capitalize()} or None is expected)")
            (params if name in params else modules)[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} to buffer {name!r} (expected a Tensor or None)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # called only when normal lookup fails: look in the registries
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got {type(param).__name__}")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that is part of the state (saved in ``state_dict``) but not learned."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def register_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    add_module = register_module

    # ---- walking the tree ----------------------------------------------------------------
    def named_modules(self, prefix: str = "", memo: set[int] | None = None) -> Iterator[tuple[str, Module]]:
        """Every module of the tree once, depth first (self first), with its dotted name.

        Iterative (an explicit stack), so a very deep model does not hit Python's recursion limit.
        """
        memo = set() if memo is None else memo
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in memo:
                continue
            memo.add(id(m))
            yield name, m
            children = [(f"{name}.{n}" if name else n, c) for n, c in m._modules.items() if c is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        seen: set[int] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mod_name, m in mods:
            for name, p in m._parameters.items():
                if p is not None and id(p) not in seen:  # shared (tied) parameters appear once
                    seen.add(id(p))
                    yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mod_name, m in mods:
            for name, b in m._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        mod = self
        for part in target.split(".") if target else []:
            if part not in mod._modules:
                raise AttributeError(f"{type(mod).__name__} has no submodule {part!r}")
            mod = mod._modules[part]
        return mod

    # ---- state -----------------------------------------------------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by dotted name (``fc1.weight``), as in PyTorch."""
        out: OrderedDict[str, Tensor] = OrderedDict()
        for mod_name, m in self.named_modules(prefix.rstrip(".")):
            p = f"{mod_name}." if mod_name else ""
            for name, t in m._parameters.items():
                if t is not None:
                    out[p + name] = t if keep_vars else t.detach()
            for name, t in m._buffers.items():
                if t is not None and name not in m._non_persistent:
                    out[p + name] = t if keep_vars else t.detach()
        return out

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> tuple[list[str], list[str]]:
        """Copy values into the parameters and buffers; returns (missing_keys, unexpected_keys).

        Values may be gradstudent tensors, NumPy arrays or PyTorch tensors. Everything is
        checked first (shapes, types, values that would overflow the model's dtype); the
        model changes only when every check passed, so a failed load leaves it as it was.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict: expected a dict of tensors, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors, ready = [], []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value, problem = _checked_value(key, state_dict[key], target)
            if problem:
                errors.append(problem)
            else:
                ready.append((target, value))
        if strict and (missing or unexpected):
            errors += [f"  missing key: {k}" for k in missing] + [f"  unexpected key: {k}" for k in unexpected]
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n" + "\n".join(errors))
        from ..autograd.grad_mode import no_grad
        from ..creation import from_numpy

        with no_grad():
            for target, value in ready:
                target.copy_(from_numpy(value).to(target.device))
        return missing, unexpected

    # ---- modes and bulk operations ------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad = p.grad.detach()
                p.grad._data[...] = 0

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and on self, e.g. for initialisation."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def _cast(self, dtype: Any) -> Module:
        for t in list(self.parameters()) + list(self.buffers()):
            if t._data.dtype.kind == "f":
                t._data = t._data.astype(dtype)
                if t.grad is not None:
                    t.grad = Tensor._make(t.grad._data.astype(dtype))
        return self

    def float(self) -> Module:
        return self._cast(np.float32)

    def double(self) -> Module:
        return self._cast(np.float64)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)`` and/or ``to(device)``: converts float parameters and buffers in place
        (integer buffers only change device)."""
        device_args = [a for a in args if isinstance(a, str)]
        device_kwargs = {k: v for k, v in kwargs.items() if k == "device"}
        for t in list(self.parameters()) + list(self.buffers()):
            if t._data.dtype.kind == "f":
                t._data = Tensor._make(t._data).to(*args, **kwargs)._data
            else:
                t._data = Tensor._make(t._data).to(*device_args, **device_kwargs)._data
        return self

    def cpu(self) -> Module:
        """Move parameters and buffers to the CPU (``to("cpu")``)."""
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Module:
        """Move parameters and buffers to the GPU (``to("cuda")``; needs CuPy)."""
        return self.to("cuda")

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # ---- printing -----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {body}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}(" + (f"{extra}" if extra else "")
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))


def _to_numpy(value: Any) -> np.ndarray | None:
    """The array of a tensor-like value (gradstudent/PyTorch tensor, NumPy array), else None."""
    if isinstance(value, Tensor):
        return np.asarray(value.detach().numpy())
    if isinstance(value, np.ndarray | np.generic):
        return np.asarray(value)
    if hasattr(value, "detach") and hasattr(value, "cpu") and hasattr(value, "numpy"):  # a torch.Tensor, without importing torch
        value = value.detach().cpu()
        if str(getattr(value, "dtype", "")) == "torch.bfloat16":
            value = value.float()
        return value.numpy()
    return None


def _checked_value(key: str, value: Any, target: Tensor) -> tuple[np.ndarray, str]:
    """(value as an array of ``target``'s dtype, "") or (_, the error line for ``key``)."""
    array = _to_numpy(value)
    if array is None:
        return np.empty(0), f"  {key}: expected a Tensor or array in the checkpoint, got {type(value).__name__}"
    if tuple(array.shape) != tuple(target.shape):
        return array, f"  {key}: checkpoint has shape {tuple(array.shape)}, the model has {tuple(target.shape)}"
    dtype = target.dtype
    if array.dtype.kind not in "biuf":
        return array, f"  {key}: checkpoint has dtype {array.dtype}, which cannot be loaded into {dtype}"
    with np.errstate(all="ignore"):
        cast = array.astype(dtype)
    if array.dtype.kind == "f" and dtype.kind == "f":
        bad = np.isfinite(array) & ~np.isfinite(cast)
    elif dtype.kind in "iu" and array.size:
        info = np.iinfo(dtype)
        bad = ~np.isfinite(array) | (array < info.min) | (array > info.max) if array.dtype.kind == "f" else \
            (array.astype(object) < info.min) | (array.astype(object) > info.max)
    else:
        bad = np.zeros(array.shape, bool)
    if np.any(bad):
        first = array[np.asarray(bad)].ravel()[0]
        return array, f"  {key}: value {first!r} does not fit in the model's dtype {dtype} (it would become {cast[np.asarray(bad)].ravel()[0]!r})"
    return cast, ""
