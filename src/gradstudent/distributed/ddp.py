"""``DistributedDataParallel``: the same model on every rank, gradients averaged after backward.

Data parallelism: each of the ``W`` ranks holds a full copy of the model and computes the
loss on its own shard of the batch. If the shards are equal in size, the gradient of the
mean loss over the whole batch is the average of the ranks' gradients::

    grad L = grad (1/W) sum_r L_r = (1/W) sum_r grad L_r

so after ``loss.backward()`` every rank replaces its gradients by the average over ranks
(an ``Allreduce`` of the sum, divided by ``W``) and the optimizers, which start from the same
weights, take the same step everywhere. The weights stay identical without ever being sent
again. At construction the parameters and buffers are broadcast from rank 0, so every rank
starts from rank 0's weights whatever its own random initialisation was.

Sending thousands of small gradients costs one message latency each, so, as in torch and
Horovod, gradients travel in *buckets*: consecutive parameters (in reverse order, the order
backward tends to finish them) are packed into one flat buffer of about ``bucket_cap_mb``
megabytes, reduced with a single in-place ``MPI_Allreduce``, divided by ``W`` and copied back.
A bucket is sent as soon as all of its parameters' gradients are accumulated; each parameter
announces that with a *post-accumulate-grad hook* (``Tensor.register_post_accumulate_grad_hook``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from ..autograd.grad_mode import no_grad
from ..nn.module import Module
from ..nn.parameter import Parameter
from ..tensor import Tensor
from .process_group import (
    ReduceOp,
    all_reduce_array,
    broadcast_array,
    check_same_layout,
    get_world_size,
    is_initialized,
)


@dataclass
class _Bucket:
    """Parameters whose gradients travel together in one flat buffer of one dtype."""

    params: list[Parameter]
    buffer: np.ndarray
    offsets: list[int] = field(default_factory=list)
    ready: set[int] = field(default_factory=set)  # ids of the parameters whose gradient this backward has arrived


class DistributedDataParallel(Module):
    """Wrap ``module`` so that ``loss.backward()`` leaves every rank with the gradients averaged over ranks.

    ``model = DistributedDataParallel(module)`` after ``init_process_group()``; then train as
    usual (``model(x)``, ``loss.backward()``, ``optimizer.step()``). ``model.module`` is the
    wrapped module (save its ``state_dict()``). ``with model.no_sync():`` accumulates local
    gradients without communicating; the next backward outside it averages the accumulated sums.
    Every parameter that requires grad must receive a gradient in every backward (torch's
    ``find_unused_parameters=True`` is not supported): otherwise the next forward raises.
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group: Any = None, bucket_cap_mb: float = 25.0,
                 find_unused_parameters: bool = False, **unused: Any) -> None:
        super().__init__()
        if not is_initialized():
            raise RuntimeError("DistributedDataParallel: Default process group has not been initialized, "
                               "please make sure to call init_process_group.")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got {type(module).__name__}")
        if find_unused_parameters:
            raise ValueError("DistributedDataParallel: find_unused_parameters=True is not supported; every parameter "
                             "that requires grad must get a gradient in every backward (freeze the others)")
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.require_backward_grad_sync = True
        self._world = get_world_size()
        self._sync_state_from_rank0("DistributedDataParallel")
        self._trainable = [p for p in module.parameters() if p.requires_grad]
        self._buckets = _make_buckets(self._trainable, int(bucket_cap_mb * 2**20))
        self._handles = [p.register_post_accumulate_grad_hook(self._on_grad_ready) for p in self._trainable]
        self._bucket_of = {id(p): b for b in self._buckets for p in b.params}

    # ---- construction: one layout, rank 0's values ------------------------------------------
    def _sync_state_from_rank0(self, where: str) -> None:
        """Check that all ranks hold the same parameters and buffers, then copy rank 0's values everywhere."""
        tensors = [*self.module.parameters(), *self.module.buffers()]
        on_device = [t for t in tensors if not isinstance(t._data, np.ndarray)]
        if on_device:
            raise TypeError(f"{where}: the MPI collectives here work on CPU (NumPy) tensors; {len(on_device)} of the "
                            f"module's tensors are on {on_device[0].device}. Move the module to the CPU first.")
        check_same_layout(where, [tuple(t.shape) for t in tensors], [t._data.dtype for t in tensors])
        with no_grad():
            for t in tensors:
                _broadcast_in_place(t)

    # ---- forward ------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        pending = [b for b in self._buckets if b.ready]
        if pending:
            waiting = {id(p) for b in pending for p in b.params if id(p) not in b.ready}
            missing = [n for n, p in self.module.named_parameters() if id(p) in waiting]
            raise RuntimeError("DistributedDataParallel: the previous backward did not give every parameter a gradient, "
                               f"so its gradients were not averaged across ranks (no gradient for: {', '.join(missing[:8])}). "
                               "Every parameter that requires grad must be used in the loss, or frozen with requires_grad_(False).")
        if self.broadcast_buffers and any(True for _ in self.module.buffers()):
            with no_grad():
                for b in self.module.buffers():  # running statistics: rank 0's, as torch does each forward
                    _broadcast_in_place(b)
        return self.module(*args, **kwargs)

    # ---- backward: average each bucket once all of its gradients are in ------------------
    def _on_grad_ready(self, param: Tensor) -> None:
        bucket = self._bucket_of.get(id(param))
        if bucket is None:  # a copy of a parameter (copy.deepcopy copies its hooks): not ours to average
            return
        if param.grad is not None and param.grad.requires_grad:
            raise RuntimeError("DistributedDataParallel: backward(create_graph=True) is not supported: the averaged "
                               "gradients are written in place and carry no graph for a second derivative")
        bucket.ready.add(id(param))
        if len(bucket.ready) < len(bucket.params):
            return
        bucket.ready.clear()
        if self.require_backward_grad_sync:
            self._average(bucket)

    def _average(self, bucket: _Bucket) -> None:
        """Flatten the bucket's gradients, Allreduce (sum) in place, divide by W, copy back."""
        flat = bucket.buffer
        for p, start in zip(bucket.params, bucket.offsets):
            assert p.grad is not None  # its hook ran, so backward gave it one
            flat[start : start + p.numel()] = p.grad._data.reshape(-1)
        all_reduce_array(flat, ReduceOp.SUM)
        flat /= self._world
        for p, start in zip(bucket.params, bucket.offsets):
            assert p.grad is not None
            averaged = flat[start : start + p.numel()].reshape(p.grad.shape)
            if p.grad._data.flags.writeable:
                p.grad._data[...] = averaged
            else:  # a read-only gradient array: give the parameter its own
                p.grad = Tensor._make(averaged.copy())

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside: backward accumulates local gradients only (gradient accumulation without communication)."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def bucket_sizes(self) -> list[int]:
        """Bytes per bucket, in the order they are reduced."""
        return [b.buffer.nbytes for b in self._buckets]

    def gradient_bytes(self) -> int:
        """Bytes of gradient each rank sends into the Allreduce per step."""
        return sum(self.bucket_sizes())


def _broadcast_in_place(t: Tensor) -> None:
    data = np.ascontiguousarray(t._data)
    broadcast_array(data, 0)
    if data is not t._data:
        t._data[...] = data
    t._vbox[0] += 1


def _make_buckets(params: list[Parameter], cap_bytes: int) -> list[_Bucket]:
    """Reverse parameter order, cut into runs of one dtype and at most ``cap_bytes`` (at least one parameter each)."""
    buckets: list[_Bucket] = []
    run: list[Parameter] = []

    def close() -> None:
        if run:
            offsets = list(np.cumsum([0] + [p.numel() for p in run[:-1]]).tolist())
            buffer = np.empty(sum(p.numel() for p in run), dtype=run[0]._data.dtype)
            buckets.append(_Bucket(list(run), buffer, offsets))
            run.clear()

    size = 0
    for p in reversed(params):
        nbytes = p._data.nbytes
        if run and (p._data.dtype != run[0]._data.dtype or size + nbytes > cap_bytes):
            close()
            size = 0
        run.append(p)
        size += nbytes
    close()
    return buckets
