"""Mixed precision: ``gs.autocast`` and ``gs.amp.GradScaler``, PyTorch's names and semantics.

    model = Net().to("cuda")                                   # float32 parameters ("master weights")
    opt = gs.optim.SGD(model.parameters(), lr=0.1)
    scaler = gs.amp.GradScaler("cuda")
    for x, y in loader:
        opt.zero_grad()
        with gs.autocast("cuda", dtype=gs.float16):             # matrix products in float16
            loss = F.cross_entropy(model(x), y)                 # the loss in float32
        scaler.scale(loss).backward()                           # d(scale * loss): small gradients survive float16
        scaler.step(opt)                                        # unscale; skip the step if any gradient is inf/nan
        scaler.update()                                         # adapt the scale

**autocast.** Inside the region every op whose name is in :data:`LOWER_PRECISION_OPS` (matrix
products, linear, convolutions) casts its float32 inputs to float16 and returns float16; every op
in :data:`FLOAT32_OPS` (softmax, log_softmax, sums, norms, losses, exp/log/pow) casts float16
inputs up to float32. Other ops run in the dtype of their inputs; float64 and integer tensors
are never cast. These are PyTorch's CUDA lists, used for ``device_type="cpu"`` too (PyTorch's
CPU lists are shorter: there softmax and sum stay in float16). The casts are ordinary
differentiable ``cast`` ops, so gradients flow back to the float32 parameters in float32. A
parameter's float16 copy is made once per region (``cache_enabled``, as in PyTorch). Backward
runs without autocast, in the dtypes forward chose (the engine switches it off for ``vjp``).

**Why a loss scale.** float16's smallest normal number is 6e-5 (subnormals reach 6e-8); many
gradients are smaller and would become 0. Multiplying the loss by ``S`` (65536 to start) shifts
every gradient up by ``S``; ``step`` divides them by ``S`` again in float32 before the update.
If ``S`` was too large some gradient overflows to inf: the step is skipped and ``S`` halves
(``backoff_factor``); after ``growth_interval`` steps without overflow ``S`` doubles.

The hook: ``Function.apply`` checks one slot, ``grad_mode.state.autocast`` (per thread), and
hands listed ops' inputs to :meth:`autocast.cast_inputs`. bfloat16 is not available: NumPy and
CuPy have no bfloat16 arrays (``gs.bfloat16`` names it for PyTorch code, but cannot be used).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Iterable, TypeVar

import numpy as np

from .autograd.grad_mode import no_grad, state
from .backend import device_of, get_array_module
from .cuda import is_available as cuda_is_available
from .dtypes import bfloat16, float16, float32
from .ops.elementwise import Cast
from .tensor import Tensor

__all__ = ["autocast", "GradScaler", "is_autocast_enabled", "get_autocast_dtype", "LOWER_PRECISION_OPS", "FLOAT32_OPS"]

F = TypeVar("F", bound=Callable[..., Any])

#: ops run in the region's low precision (PyTorch's CUDA "lower_precision_fp" list, by gradstudent op name)
LOWER_PRECISION_OPS = frozenset({"matmul", "linear", "conv2d", "conv_transpose2d", "einsum"})
#: ops run in float32 (PyTorch's CUDA "fp32" and "fp32_set_opt_dtype" lists, by gradstudent op name)
FLOAT32_OPS = frozenset({
    "exp", "log", "log1p", "expm1", "rsqrt", "pow", "pow_scalar", "rpow_scalar", "softplus", "layer_norm", "norm",
    "logsumexp", "mse_mean", "bce_with_logits", "softmax", "log_softmax", "sum", "prod", "cumsum",
})
_DEVICE_TYPES = ("cuda", "cpu")


class autocast:
    """``with gs.autocast("cuda"):`` (or ``@gs.autocast("cuda")``): listed ops change precision.

    ``device_type``: ``"cuda"`` or ``"cpu"``; only tensors on that device are cast (as in
    PyTorch, ``autocast("cuda")`` leaves CPU tensors alone). ``dtype``: ``gs.float16``; the
    default is PyTorch's (float16 for cuda, bfloat16 for cpu, which NumPy lacks: pass
    ``dtype=gs.float16``). ``enabled=False`` switches autocast off inside an enclosing region.
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True, cache_enabled: bool | None = None) -> None:
        if device_type not in _DEVICE_TYPES:
            raise ValueError(f"gs.autocast: device_type must be 'cuda' or 'cpu', got {device_type!r}")
        if dtype is None:
            dtype = float16 if device_type == "cuda" else bfloat16
        if dtype is bfloat16 and enabled:
            raise TypeError(
                f"gs.autocast({device_type!r}): bfloat16 is not supported (NumPy/CuPy have no bfloat16 arrays; "
                f"PyTorch's default for 'cpu' is bfloat16). Pass dtype=gs.float16."
            )
        if dtype is not bfloat16 and np.dtype(dtype) != float16:
            raise TypeError(f"gs.autocast: dtype must be gs.float16, got {dtype!r}")
        self.device_type, self.fast_dtype = device_type, float16
        self.enabled, self.cache_enabled = bool(enabled), cache_enabled is not False
        self._cache: dict[int, tuple[Tensor, int, Tensor]] = {}  # id(param) -> (param, its version, float16 copy)
        self._prev: list[autocast | None] = []

    def __enter__(self) -> autocast:
        self._prev.append(state.autocast)
        state.autocast = self if self.enabled else None
        return self

    def __exit__(self, *exc: object) -> None:
        state.autocast = self._prev.pop()
        if not self._prev:
            self._cache.clear()  # PyTorch drops the cached casts when the outermost region ends

    def __call__(self, fn: F) -> F:
        args = (self.device_type, self.fast_dtype, self.enabled, self.cache_enabled)

        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            with autocast(*args):
                return fn(*a, **kw)

        return wrapper  # type: ignore[return-value]

    # ---- called by Function.apply ------------------------------------------------------
    def cast_inputs(self, op_name: str, inputs: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        """The inputs of op ``op_name`` in the precision the region prescribes for it."""
        if op_name in LOWER_PRECISION_OPS:
            return tuple([self._cast(t, float32, float16) for t in inputs])
        if op_name in FLOAT32_OPS:
            return tuple([self._cast(t, float16, float32) for t in inputs])
        return inputs

    def _cast(self, t: Tensor, source: np.dtype[Any], target: np.dtype[Any]) -> Tensor:
        """``t`` as ``target`` when it is a ``source`` tensor on this region's device, else ``t`` itself."""
        if t._data.dtype != source or device_of(t._data) != self.device_type:
            return t
        cacheable = self.cache_enabled and target == float16 and state.grad_enabled and t.requires_grad and t._ctx is None
        if not cacheable:
            return Cast.apply(t, dtype=target)
        entry = self._cache.get(id(t))
        if entry is not None and entry[0] is t and entry[1] == t._version and not (entry[2]._ctx is not None and entry[2]._ctx.freed):
            return entry[2]
        out = Cast.apply(t, dtype=target)
        self._cache[id(t)] = (t, t._version, out)
        return out


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """True inside an enabled ``gs.autocast`` region (for ``device_type``, when given)."""
    region = state.autocast
    return region is not None and (device_type is None or region.device_type == device_type)


def get_autocast_dtype(device_type: str) -> Any:
    """The low-precision dtype of the active region for ``device_type`` (PyTorch's default when none)."""
    region = state.autocast
    if region is not None and region.device_type == device_type:
        return region.fast_dtype
    return float16 if device_type == "cuda" else bfloat16


class GradScaler:
    """Loss scaling for float16 training (``torch.amp.GradScaler``): scale, unscale_, step, update.

    ``device``: where the scaled losses live (``"cuda"`` by default, as in PyTorch: without a
    GPU such a scaler warns and disables itself; use ``"cpu"`` there). The scale is a float32
    number; its first value ``init_scale`` is set at the first :meth:`scale`.
    """

    def __init__(
        self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
        growth_interval: int = 2000, enabled: bool = True,
    ) -> None:
        self._device, self._enabled = device, bool(enabled)
        if device == "cuda" and self._enabled:
            if not cuda_is_available():
                warnings.warn("gs.amp.GradScaler is enabled, but CUDA is not available. Disabling.", stacklevel=2)
                self._enabled = False
        if growth_factor <= 1.0 or backoff_factor >= 1.0:
            raise ValueError(f"GradScaler: growth_factor must be > 1 and backoff_factor < 1, got {growth_factor}, {backoff_factor}")
        self._init_scale = float(init_scale)
        self._scale: np.float32 | None = None  # set by the first scale()
        self._growth_factor, self._backoff_factor, self._growth_interval = float(growth_factor), float(backoff_factor), int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict[str, Any]] = {}  # id(optimizer) -> {"stage", "found_inf"}

    # ---- the training-step API ---------------------------------------------------------------
    def scale(self, outputs: Any) -> Any:
        """``outputs * scale`` for a tensor or a (nested) list/tuple of tensors; unchanged when disabled."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = np.float32(self._init_scale)
        if isinstance(outputs, Tensor):
            return outputs * Tensor(np.asarray(self._scale, dtype=np.float32)).to(outputs.device)
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        if isinstance(outputs, Iterable):
            return map(self.scale, outputs)
        raise ValueError("GradScaler.scale: outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer: Any) -> None:
        """Divide the optimizer's gradients by the scale, in place, and note whether any is inf/nan.

        Call it before anything that reads gradients (``clip_grad_norm_``); ``step`` then does not
        unscale again. Once per optimizer per :meth:`update`."""
        if not self._enabled:
            return
        scale = self._require_scale("unscale_")
        opt_state = self._state(optimizer)
        if opt_state["stage"] == "unscaled":
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if opt_state["stage"] == "stepped":
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = float(np.float32(1.0 / np.float64(scale)))  # the reciprocal in float64, as PyTorch
        found_inf, checked = False, False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad._data.dtype == float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    xp = get_array_module(p.grad._data)
                    found_inf = found_inf or not bool(xp.isfinite(p.grad._data).all())  # checked before dividing
                    p.grad.mul_(inv_scale)
                    checked = True
        opt_state.update(stage="unscaled", found_inf=found_inf, checked=checked)

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale (unless :meth:`unscale_` did) and run ``optimizer.step()`` unless a gradient is inf/nan."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._require_scale("step")
        opt_state = self._state(optimizer)
        if opt_state["stage"] == "stepped":
            raise RuntimeError("step() has already been called since the last update().")
        if opt_state["stage"] == "ready":
            self.unscale_(optimizer)
        if not opt_state["checked"]:
            raise RuntimeError("GradScaler.step: no inf checks were recorded for this optimizer (none of its parameters has a gradient).")
        result = None if opt_state["found_inf"] else optimizer.step(*args, **kwargs)
        opt_state["stage"] = "stepped"
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Adapt the scale: ``backoff_factor`` after an inf/nan, ``growth_factor`` after
        ``growth_interval`` clean steps in a row (or set ``new_scale``). Ends the iteration."""
        if not self._enabled:
            return
        scale = self._require_scale("update")
        if new_scale is not None:
            value = new_scale.item() if isinstance(new_scale, Tensor) else new_scale
            self._scale = np.float32(value)
        else:
            checked = [s for s in self._per_optimizer.values() if s["checked"]]
            if not checked:
                raise RuntimeError("GradScaler.update: no inf checks were recorded prior to update() (call step() or unscale_() first).")
            if any(s["found_inf"] for s in checked):
                self._scale, self._growth_tracker = np.float32(float(scale) * self._backoff_factor), 0
            elif self._growth_tracker + 1 == self._growth_interval:
                grown = np.float32(float(scale) * self._growth_factor)
                self._scale = grown if np.isfinite(grown) else scale  # never grow to inf
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
        self._per_optimizer = {}

    # ---- queries and settings ---------------------------------------------------------------
    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale)

    def is_enabled(self) -> bool:
        return self._enabled

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def state_dict(self) -> dict[str, Any]:
        """``scale``, the factors, ``growth_interval`` and ``_growth_tracker`` (empty when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor, "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.")
        missing = {"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"} - set(state_dict)
        if missing:
            raise KeyError(f"GradScaler.load_state_dict: missing {sorted(missing)}")
        self._init_scale = float(state_dict["scale"])
        self._scale = None if self._scale is None else np.float32(state_dict["scale"])
        self._growth_factor, self._backoff_factor = float(state_dict["growth_factor"]), float(state_dict["backoff_factor"])
        self._growth_interval, self._growth_tracker = int(state_dict["growth_interval"]), int(state_dict["_growth_tracker"])

    # ---- helpers -----------------------------------------------------------------------------
    def _require_scale(self, what: str) -> np.float32:
        if self._scale is None:
            raise RuntimeError(f"GradScaler.{what}: no scale yet. Call scaler.scale(loss) earlier in the iteration.")
        return self._scale

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": "ready", "found_inf": False, "checked": False})
