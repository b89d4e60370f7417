"""Devices and the small PyTorch APIs that real programs call first."""

from __future__ import annotations


import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn


def test_device_object_like_torch() -> None:
    for spec in ("cpu", "cuda", "cuda:1", ("cuda", 0)):
        args = spec if isinstance(spec, tuple) else (spec,)
        ours, theirs = gs.device(*args), torch.device(*args)
        assert (ours.type, ours.index, str(ours), repr(ours)) == (theirs.type, theirs.index, str(theirs), repr(theirs))
    assert gs.device(gs.device("cpu")) == gs.device("cpu")
    with pytest.raises(RuntimeError, match="invalid device string"):
        gs.device("cuda:x")
    with pytest.raises(RuntimeError, match="device type at start of device string"):
        gs.device("tpu")


def test_device_accepted_everywhere() -> None:
    cpu = gs.device("cpu")
    factories = [
        lambda: gs.zeros(2, device=cpu), lambda: gs.ones(2, device=cpu), lambda: gs.empty(2, device=cpu),
        lambda: gs.full((2,), 1.0, device=cpu), lambda: gs.tensor([1.0], device=cpu), lambda: gs.as_tensor([1], device=cpu),
        lambda: gs.arange(3, device=cpu), lambda: gs.linspace(0, 1, 3, device=cpu), lambda: gs.eye(2, device=cpu),
        lambda: gs.rand(2, device=cpu), lambda: gs.randn(2, device=cpu), lambda: gs.randint(0, 3, (2,), device=cpu),
        lambda: gs.randperm(3, device=cpu), lambda: gs.normal(0.0, 1.0, (2,), device=cpu),
        lambda: gs.zeros_like(gs.ones(2), device=cpu), lambda: gs.ones_like(gs.ones(2), device=cpu),
        lambda: gs.empty_like(gs.ones(2), device=cpu), lambda: gs.full_like(gs.ones(2), 3.0, device=cpu),
        lambda: gs.rand_like(gs.ones(2), device=cpu), lambda: gs.randn_like(gs.ones(2), device=cpu),
    ]
    for make in factories:
        t = make()
        assert t.device == cpu and t.device.type == "cpu" and not t.is_cuda and t.get_device() == -1
    x = gs.randn(3, 2).to(cpu)
    model = nn.Linear(2, 4).to(cpu)
    assert model(x).device == cpu
    assert x.to(device=cpu, dtype=gs.float64).dtype == gs.float64
    assert model.cpu() is model


def test_cuda_and_backends_answer_as_a_cpu_build() -> None:
    assert gs.cuda.is_available() is torch.cuda.is_available() is False
    assert gs.cuda.device_count() == torch.cuda.device_count() == 0
    gs.cuda.manual_seed_all(0)
    gs.cuda.manual_seed(0)
    gs.cuda.synchronize()
    assert gs.accelerator.is_available() is torch.accelerator.is_available()
    assert gs.accelerator.current_accelerator() is None
    for name in ("is_available",):
        assert getattr(gs.backends.cudnn, name)() is getattr(torch.backends.cudnn, name)()
        assert getattr(gs.backends.mps, name)() is getattr(torch.backends.mps, name)()
    assert gs.backends.mps.is_built() is torch.backends.mps.is_built()
    for flag in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(gs.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag)
    assert gs.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    gs.backends.cudnn.benchmark = True  # settable, changes nothing
    gs.backends.cudnn.benchmark = False
    with pytest.raises(RuntimeError, match="no GPU is available"):
        gs.cuda.current_device()


def test_set_default_device() -> None:
    gs.set_default_device("cpu")
    assert gs.get_default_device() == gs.device("cpu") and gs.zeros(2).device == "cpu"
    gs.set_default_device(None)
    if not gs.cuda.is_available():
        with pytest.raises(RuntimeError, match="CuPy is not installed"):
            gs.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="no 'mps' backend"):
        gs.set_default_device("mps")
    assert gs.get_default_device() == "cpu"


def test_typed_constructors_like_torch() -> None:
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor", "ByteTensor"):
        ours, theirs = getattr(gs, name), getattr(torch, name)
        a, b = ours([1, 0, 2]), theirs([1, 0, 2])
        assert str(a.dtype) == str(b.dtype).removeprefix("torch.") and np.array_equal(a.numpy(), b.numpy())
        assert ours(2, 3).shape == tuple(theirs(2, 3).shape)
        assert isinstance(a, ours) and not isinstance(gs.ones(2, dtype=gs.float16), ours)
    with pytest.raises(TypeError):
        torch.LongTensor(torch.tensor([1.7, 2.2]))
    with pytest.raises(TypeError, match="LongTensor\\(\\): expected a tensor of dtype int64, got float32"):
        gs.LongTensor(gs.tensor([1.7, 2.2]))


def test_bfloat16_explains_itself() -> None:
    assert repr(gs.bfloat16) == "gradstudent.bfloat16"
    for use in (lambda: gs.zeros(2, dtype=gs.bfloat16), lambda: gs.ones(2).to(gs.bfloat16), lambda: np.dtype(gs.bfloat16)):
        with pytest.raises(TypeError, match="NumPy has no bfloat16 type"):
            use()


def test_stub_modules_explain_what_is_missing() -> None:
    model = nn.Linear(2, 2)
    with pytest.raises(NotImplementedError, match="ONNX export is not supported.*state_dict"):
        gs.onnx.export(model, gs.ones(1, 2), "model.onnx")
    assert gs.onnx.is_in_onnx_export() is False
    with pytest.raises(RuntimeError, match="Default process group has not been initialized"):
        nn.parallel.DistributedDataParallel(model)  # gradstudent.distributed's, once init_process_group() ran
    with pytest.raises(ValueError, match="gradstudent speaks MPI only"):
        gs.distributed.init_process_group("gloo")
    assert gs.distributed.is_initialized() is False
    from gradstudent.nn.parallel import DistributedDataParallel  # noqa: F401  (the import works)
