"""``gs.profiler``: where does the time go in a training step?

    with gs.profiler.profile() as prof:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    print(prof.table())                                        # forward and backward side by side, per op
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))   # PyTorch's view

What is measured, per op name (``linear``, ``tanh``, ...):

* forward: calls and the time of the op's ``forward`` (the array computation), and the bytes of
  the arrays it returned (0 for a view, which shares its input's memory);
* backward: calls and the time of the op's vector-Jacobian product (``engine.vjp``: its
  ``backward_arrays`` fast path or its reference ``backward``), and the bytes of the gradients it
  returned. A reference backward runs Tensor ops; their time is part of the backward's.

The time outside every op (Python, graph bookkeeping, the optimizer's loop) is shown as the
difference between the profiled wall time and the time in ops: on a tiny model it is most of it.

How it hooks in: ``Function.apply`` and ``engine.vjp`` check one slot, ``grad_mode.state.profiler``
(per thread, ``None`` unless a profiler is recording), and hand the call to the profiler when it
is set. With no profiler that check is all they do (see docs/profiling.md for the measured cost).

Times are host (CPU) times. CuPy runs GPU work asynchronously, so for tensors on the GPU an op's
time is the time to *launch* it unless ``profile(synchronize=True)``, which waits for the GPU
after every op (slower, but each op's own time).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal, TypeVar

from .autograd.grad_mode import state
from .backend import backend_of
from .cuda import synchronize as cuda_synchronize

if TYPE_CHECKING:
    from .autograd.function import Function
    from .tensor import Tensor

__all__ = ["profile", "record_function", "EventList", "FunctionEventAvg"]

F = TypeVar("F", bound=Callable[..., Any])
Kind = Literal["forward", "backward", "range"]
_SORT_KEYS = ("self_cpu_time_total", "cpu_time_total", "cpu_time", "count", "cpu_memory_usage", "self_cpu_memory_usage")


@dataclass
class FunctionEventAvg:
    """Totals for one key (an op's forward ``"linear"``, its backward ``"linear (backward)"``, or a
    ``record_function`` range), with PyTorch's attribute names. Times in microseconds, memory in bytes.

    ``cpu_time_total`` includes the events nested inside (the ops a reference backward or a
    ``record_function`` range ran); ``self_cpu_time_total`` excludes them.
    """

    key: str
    count: int = 0
    self_cpu_time_total: float = 0.0
    cpu_time_total: float = 0.0
    self_cpu_memory_usage: int = 0
    cpu_memory_usage: int = 0

    @property
    def cpu_time(self) -> float:
        """Average inclusive time per call (µs)."""
        return self.cpu_time_total / self.count if self.count else 0.0


class EventList(list[FunctionEventAvg]):
    """``prof.key_averages()``: one :class:`FunctionEventAvg` per key, in order of first appearance."""

    def table(self, sort_by: str | None = None, row_limit: int = 100) -> str:
        """PyTorch's table: name, self and total CPU time (with % of all self time), calls, memory."""
        rows = list(self)
        if sort_by is not None:
            if sort_by not in _SORT_KEYS:
                raise ValueError(f"key_averages().table: sort_by={sort_by!r} is not one of {', '.join(_SORT_KEYS)}")
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        total = sum(e.self_cpu_time_total for e in self) or 1.0
        head = f"{'Name':<34}{'Self CPU %':>11}{'Self CPU':>12}{'CPU total':>12}{'CPU avg':>11}{'CPU Mem':>11}{'Self Mem':>11}{'# Calls':>9}"
        line = "-" * len(head)
        out = [line, head, line]
        for e in rows[:row_limit]:
            out.append(
                f"{e.key[:33]:<34}{100 * e.self_cpu_time_total / total:>10.2f}%{_us(e.self_cpu_time_total):>12}"
                f"{_us(e.cpu_time_total):>12}{_us(e.cpu_time):>11}{_bytes(e.cpu_memory_usage):>11}"
                f"{_bytes(e.self_cpu_memory_usage):>11}{e.count:>9}"
            )
        out += [line, f"Self CPU time total: {_us(total if self else 0.0)}"]
        return "\n".join(out)


@dataclass
class _Frame:
    """One open event: started at ``start`` (ns); ``child_ns`` and ``child_bytes`` of the events it contains."""

    key: str
    kind: Kind
    op: str
    start: int
    child_ns: int = 0
    child_bytes: int = 0


@dataclass
class _OpRow:
    """One op's line of :meth:`profile.table` (top-level calls only, times inclusive)."""

    fwd_calls: int = 0
    fwd_ns: int = 0
    fwd_bytes: int = 0
    bwd_calls: int = 0
    bwd_ns: int = 0
    bwd_bytes: int = 0


class profile:
    """Context manager that records every op's forward and backward (see the module docstring).

    ``profile(activities=..., record_shapes=..., profile_memory=..., with_stack=...)`` accept
    PyTorch's arguments so that PyTorch code runs; memory is always recorded, shapes and stacks
    never. ``synchronize=True`` waits for the GPU after each op (see the module docstring).
    One profiler records at a time per thread: entering a second one inside raises (nest
    :class:`record_function` ranges instead).
    """

    def __init__(
        self, activities: Any = None, *, record_shapes: bool = False, profile_memory: bool = True,
        with_stack: bool = False, synchronize: bool = False,
    ) -> None:
        self.synchronize = synchronize
        self._stats: dict[str, FunctionEventAvg] = {}
        self._ops: dict[str, _OpRow] = {}
        self._stack: list[_Frame] = []
        self._start = 0
        self.wall_ns = 0  #: wall-clock time between entering and leaving the ``with`` block

    # ---- the context -----------------------------------------------------------------
    def __enter__(self) -> profile:
        if state.profiler is not None:
            which = "this profiler is" if state.profiler is self else "another profiler is"
            raise RuntimeError(f"gs.profiler.profile: {which} already recording in this thread; "
                               f"use record_function('name') to mark a part of the profiled code")
        self._start = time.perf_counter_ns()
        state.profiler = self
        return self

    def __exit__(self, *exc: object) -> None:
        state.profiler = None
        self.wall_ns += time.perf_counter_ns() - self._start
        self._stack.clear()  # an exception may have left events open; they are not counted

    # ---- called by Function.apply, engine.vjp and record_function --------------------------
    def forward(self, fn: Function, arrays: list[Any], options: dict[str, Any]) -> Any:
        """Run ``fn.forward(*arrays, **options)`` as one timed event; count the bytes it allocated."""
        self._open(fn.op_name, "forward", fn.op_name)
        try:
            out = fn.forward(*arrays, **options)
            if self.synchronize:
                _sync(out)
        except BaseException:
            self._stack.pop()
            raise
        self._close(_allocated_bytes(out, arrays))
        return out

    def backward(self, node: Function, chain_rule: Callable[[], tuple[Tensor | None, ...]]) -> tuple[Tensor | None, ...]:
        """Run one op's vector-Jacobian product as one timed event; count the gradients' bytes."""
        self._open(f"{node.op_name} (backward)", "backward", node.op_name)
        try:
            grads = chain_rule()
            if self.synchronize:
                _sync(*[g._data for g in grads if g is not None])
        except BaseException:
            self._stack.pop()
            raise
        self._close(sum(int(g._data.nbytes) for g in grads if g is not None))
        return grads

    def _open(self, key: str, kind: Kind, op: str) -> None:
        self._stack.append(_Frame(key, kind, op, time.perf_counter_ns()))

    def _close(self, nbytes: int) -> None:
        """End the innermost event: add it to its key's totals, its op's row and its parent's children."""
        frame = self._stack.pop()
        total_ns = time.perf_counter_ns() - frame.start
        stats = self._stats.get(frame.key)
        if stats is None:
            stats = self._stats[frame.key] = FunctionEventAvg(frame.key)
        stats.count += 1
        stats.cpu_time_total += total_ns / 1000
        stats.self_cpu_time_total += (total_ns - frame.child_ns) / 1000
        stats.self_cpu_memory_usage += nbytes
        stats.cpu_memory_usage += nbytes + frame.child_bytes
        if self._stack:
            parent = self._stack[-1]
            parent.child_ns += total_ns
            parent.child_bytes += nbytes + frame.child_bytes
        if frame.kind != "range" and not any(f.kind != "range" for f in self._stack):  # not inside another op
            row = self._ops.get(frame.op)
            if row is None:
                row = self._ops[frame.op] = _OpRow()
            if frame.kind == "forward":
                row.fwd_calls, row.fwd_ns, row.fwd_bytes = row.fwd_calls + 1, row.fwd_ns + total_ns, row.fwd_bytes + nbytes
            else:
                row.bwd_calls, row.bwd_ns, row.bwd_bytes = row.bwd_calls + 1, row.bwd_ns + total_ns, row.bwd_bytes + nbytes

    # ---- results ------------------------------------------------------------------------
    def key_averages(self) -> EventList:
        """PyTorch's summary: one entry per key (``"linear"``, ``"linear (backward)"``, ranges)."""
        return EventList(FunctionEventAvg(**vars(e)) for e in self._stats.values())

    def ops(self) -> dict[str, dict[str, float]]:
        """Per op name: ``fwd_calls``, ``fwd_ms``, ``fwd_bytes``, ``bwd_calls``, ``bwd_ms``, ``bwd_bytes``.

        Only calls not nested inside another op count (a reference backward's own ops are part of
        its time), so the times add up to the time spent in ops, each nanosecond once."""
        return {
            op: {"fwd_calls": r.fwd_calls, "fwd_ms": r.fwd_ns / 1e6, "fwd_bytes": r.fwd_bytes,
                 "bwd_calls": r.bwd_calls, "bwd_ms": r.bwd_ns / 1e6, "bwd_bytes": r.bwd_bytes}
            for op, r in self._ops.items()
        }

    def table(self, row_limit: int = 20) -> str:
        """Forward and backward of each op side by side, sorted by their summed time."""
        ops = sorted(self.ops().items(), key=lambda kv: kv[1]["fwd_ms"] + kv[1]["bwd_ms"], reverse=True)
        in_ops = sum(r["fwd_ms"] + r["bwd_ms"] for _, r in ops)
        wall = self.wall_ns / 1e6
        lines = [
            "| op | fwd calls | fwd ms | bwd calls | bwd ms | % of time in ops | fwd MB | bwd MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for op, r in ops[:row_limit]:
            share = 100 * (r["fwd_ms"] + r["bwd_ms"]) / in_ops if in_ops else 0.0
            lines.append(
                f"| {op} | {r['fwd_calls']} | {r['fwd_ms']:.3f} | {r['bwd_calls']} | {r['bwd_ms']:.3f} | {share:.1f} | "
                f"{r['fwd_bytes'] / 2**20:.2f} | {r['bwd_bytes'] / 2**20:.2f} |"
            )
        if len(ops) > row_limit:
            lines.append(f"| ({len(ops) - row_limit} more ops) | | | | | | | |")
        outside = max(wall - in_ops, 0.0)
        lines.append(f"\nwall time {wall:.3f} ms: {in_ops:.3f} ms in ops, {outside:.3f} ms outside them "
                     f"(Python, graph bookkeeping, optimizer loops)")
        return "\n".join(lines)


class record_function:
    """Mark a named range of code: ``with record_function("data"): ...`` or ``@record_function("step")``.

    Its time (including the ops inside) appears under its name in ``key_averages()``. Does
    nothing when no profiler is recording.
    """

    def __init__(self, name: str) -> None:
        self.name = str(name)
        self._profiler: profile | None = None

    def __enter__(self) -> record_function:
        self._profiler = state.profiler
        if self._profiler is not None:
            self._profiler._open(self.name, "range", self.name)
        return self

    def __exit__(self, *exc: object) -> None:
        prof, self._profiler = self._profiler, None
        if prof is not None and state.profiler is prof and prof._stack:  # still recording (not left inside the range)
            prof._close(0)

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _allocated_bytes(out: Any, arrays: list[Any]) -> int:
    """Bytes of a forward result, 0 when it is a view of an input's memory (nothing was allocated)."""
    base = getattr(out, "base", None)
    if base is not None:
        for a in arrays:
            if a is base or getattr(a, "base", None) is base:
                return 0
    return int(getattr(out, "nbytes", 0))


def _sync(*arrays: Any) -> None:
    if arrays and backend_of(*arrays).name == "cuda":
        cuda_synchronize()


def _us(us: float) -> str:
    return f"{us / 1000:.3f}ms" if us >= 1000 else f"{us:.3f}us"


def _bytes(n: int) -> str:
    for unit, size in (("MB", 2**20), ("KB", 2**10)):
        if abs(n) >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n} B"
