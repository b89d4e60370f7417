"""gs.autocast and gs.amp.GradScaler against PyTorch's (torch.autocast / torch.amp.GradScaler on the CPU)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn, optim
from gradstudent.autograd.grad_mode import state

F = nn.functional


def _linear_pair(seed: int = 0) -> tuple[nn.Linear, torch.nn.Linear]:
    gs.manual_seed(seed)
    lin = nn.Linear(6, 4)
    ref = torch.nn.Linear(6, 4)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(lin.weight.detach().numpy()))
        ref.bias.copy_(torch.from_numpy(lin.bias.detach().numpy()))
    return lin, ref


# ---------------------------------------------------------------- autocast
def test_op_lists_choose_the_dtypes() -> None:
    lin = nn.Linear(3, 5)
    x = gs.randn(4, 3)
    with gs.autocast("cpu", dtype=gs.float16):
        y = lin(x)
        assert y.dtype == gs.float16 and (x @ x.T).dtype == gs.float16 and gs.bmm(x[None], x.T[None]).dtype == gs.float16
        assert nn.Conv2d(1, 2, 3)(gs.randn(1, 1, 5, 5)).dtype == gs.float16
        for out in (y.softmax(1), y.log_softmax(1), y.sum(), y.exp(), F.cross_entropy(y, gs.tensor([0, 1, 2, 3])),
                    F.mse_loss(y, gs.zeros(4, 5, dtype=gs.float16)), F.layer_norm(y, (5,))):
            assert out.dtype == gs.float32
        assert y.tanh().dtype == gs.float16  # not listed: the input's dtype
        assert (x.double() @ x.double().T).dtype == gs.float64  # float64 is never cast
        assert gs.arange(6).reshape(2, 3).sum().dtype == gs.int64
    assert lin(x).dtype == gs.float32 and state.autocast is None


def test_linear_matches_explicit_casts_and_torch() -> None:
    lin, ref = _linear_pair()
    x = gs.randn(8, 6)
    with gs.autocast("cpu", dtype=gs.float16):
        y = lin(x)
    explicit = F.linear(x.half(), lin.weight.half(), lin.bias.half())
    np.testing.assert_array_equal(y.detach().numpy(), explicit.detach().numpy())  # the same as casting by hand
    with torch.autocast("cpu", dtype=torch.float16):
        y_ref = ref(torch.from_numpy(x.numpy()))
    assert y_ref.dtype == torch.float16
    np.testing.assert_allclose(y.detach().numpy().astype(np.float32), y_ref.float().detach().numpy(), rtol=2e-3, atol=2e-3)


def test_gradients_reach_float32_parameters_like_torch() -> None:
    lin, ref = _linear_pair(1)
    x, t = gs.randn(16, 6), gs.randn(16, 4)
    with gs.autocast("cpu", dtype=gs.float16):
        loss = F.mse_loss(lin(x), t)  # mse in float32 on both sides (in PyTorch's CPU list too)
    loss.backward()
    with torch.autocast("cpu", dtype=torch.float16):
        loss_ref = torch.nn.functional.mse_loss(ref(torch.from_numpy(x.numpy())), torch.from_numpy(t.numpy()))
    loss_ref.backward()
    assert loss.dtype == gs.float32 and loss_ref.dtype == torch.float32
    assert lin.weight.grad.dtype == gs.float32 and lin.bias.grad.dtype == gs.float32
    np.testing.assert_allclose(float(loss.item()), float(loss_ref.item()), rtol=2e-3)
    np.testing.assert_allclose(lin.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=5e-3, atol=5e-3)
    np.testing.assert_allclose(lin.bias.grad.numpy(), ref.bias.grad.numpy(), rtol=5e-3, atol=5e-3)


def test_parameter_cast_is_cached_and_backward_runs_without_autocast() -> None:
    lin = nn.Linear(4, 4)
    x = gs.randn(3, 4)
    with gs.profiler.profile() as prof:
        with gs.autocast("cpu", dtype=gs.float16):
            out = lin(lin(x))  # the weight and bias are used twice: cast once each
            loss = out.float().sum()
            loss.backward()  # inside the region: backward still adds no casts of its own
    ops = prof.ops()
    assert ops["cast"]["fwd_calls"] == 2 + 1 + 1  # weight, bias; x; .float()
    w_ref, b_ref = lin.weight.detach().half(), lin.bias.detach().half()
    h = F.linear(x.half(), w_ref, b_ref)
    assert lin.weight.grad.dtype == gs.float32
    expect = (gs.ones(3, 4, dtype=gs.float16).T @ h).numpy().astype(np.float32) + (
        (gs.ones(3, 4, dtype=gs.float16) @ w_ref).T @ x.half()).numpy().astype(np.float32)
    np.testing.assert_allclose(lin.weight.grad.numpy(), expect, rtol=1e-2, atol=1e-2)


def test_enabled_nesting_decorator_and_device_type() -> None:
    lin = nn.Linear(2, 2)
    x = gs.randn(3, 2)
    with gs.autocast("cpu", dtype=gs.float16):
        with gs.autocast("cpu", enabled=False):
            assert lin(x).dtype == gs.float32 and not gs.amp.is_autocast_enabled()
        assert lin(x).dtype == gs.float16 and gs.amp.is_autocast_enabled("cpu")
    with gs.autocast("cuda"):  # CPU tensors are left alone by a CUDA region (as in PyTorch)
        assert lin(x).dtype == gs.float32

    @gs.autocast("cpu", dtype=gs.float16)
    def f(t):
        return lin(t)

    assert f(x).dtype == gs.float16 and state.autocast is None
    with pytest.raises(ZeroDivisionError):
        with gs.autocast("cpu", dtype=gs.float16):
            raise ZeroDivisionError
    assert state.autocast is None


def test_unsupported_dtypes_and_devices_are_refused() -> None:
    with pytest.raises(TypeError, match="bfloat16"):
        gs.autocast("cpu")  # PyTorch's default for the CPU is bfloat16: not available
    with pytest.raises(TypeError, match="bfloat16"):
        gs.autocast("cuda", dtype=gs.bfloat16)
    with pytest.raises(TypeError, match="float16"):
        gs.autocast("cpu", dtype=gs.float64)
    with pytest.raises(ValueError, match="device_type"):
        gs.autocast("tpu")


# ---------------------------------------------------------------- GradScaler
def _overflow_run(framework: str, steps: int = 12) -> list[tuple[float, np.ndarray, bool]]:
    """loss = sum(float(w.half() * x.half())): each gradient passes through float16 as scale * x, which
    overflows for the larger scales; returns (scale after update, w, whether the step ran) per step."""
    x_np = np.array([0.7, 1.1, 1.9, -2.6], dtype=np.float32)
    w0 = np.array([0.5, -0.25, 1.0, 2.0], dtype=np.float32)
    lib = torch if framework == "torch" else gs
    w = (torch.tensor(w0, requires_grad=True) if framework == "torch" else gs.tensor(w0, requires_grad=True))
    opt = (torch.optim.SGD if framework == "torch" else optim.SGD)([w], lr=0.01)
    scaler = (torch.amp.GradScaler if framework == "torch" else gs.amp.GradScaler)("cpu", init_scale=2.0**16, growth_interval=3)
    x = lib.tensor(x_np)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss = (w.half() * x.half()).float().sum()
        scaler.scale(loss).backward()
        before = w.detach().numpy().copy()
        scaler.step(opt)
        scaler.update()
        after = w.detach().numpy().copy()
        out.append((scaler.get_scale(), after, not np.array_equal(before, after)))
    return out


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_grad_scaler_follows_torch_step_by_step() -> None:
    ours, ref = _overflow_run("gs"), _overflow_run("torch")
    assert [s for s, _, _ in ours] == [s for s, _, _ in ref]
    assert [ran for _, _, ran in ours] == [ran for _, _, ran in ref]
    assert not all(ran for _, _, ran in ours) and any(ran for _, _, ran in ours)  # overflows skipped, others stepped
    scales = [s for s, _, _ in ours]
    assert any(b < a for a, b in zip(scales, scales[1:])) and any(b > a for a, b in zip(scales, scales[1:]))  # backed off, grew
    for (_, w, _), (_, w_ref, _) in zip(ours, ref):
        np.testing.assert_allclose(w, w_ref, rtol=1e-6, atol=1e-7)


def test_unscale_then_clip_and_the_order_errors() -> None:
    w = gs.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    scaler = gs.amp.GradScaler("cpu", init_scale=1024.0)
    with pytest.raises(RuntimeError, match="scale"):
        scaler.step(opt)  # before any scale()
    scaler.scale((w * w).sum()).backward()
    np.testing.assert_allclose(w.grad.numpy(), 1024 * np.array([2.0, -4.0]))
    scaler.unscale_(opt)
    np.testing.assert_allclose(w.grad.numpy(), [2.0, -4.0])  # unscaled, ready for clip_grad_norm_
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)  # does not unscale a second time
    np.testing.assert_allclose(w.detach().numpy(), [0.8, -1.6], rtol=1e-6)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="after step"):
        scaler.unscale_(opt)
    scaler.update()
    assert scaler.get_scale() == 1024.0
    with pytest.raises(RuntimeError, match="no inf checks"):
        scaler.update()
    with pytest.raises(RuntimeError, match="Closure"):
        scaler.step(opt, closure=lambda: 0.0)


def test_state_dict_round_trip_disabled_and_cuda_without_gpu() -> None:
    a = gs.amp.GradScaler("cpu", init_scale=8.0, growth_interval=5)
    w = gs.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    a.scale(w.sum()).backward()
    a.step(opt)
    a.update()
    sd = a.state_dict()
    assert sd == {"scale": 8.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 5, "_growth_tracker": 1}
    b = gs.amp.GradScaler("cpu")
    b.load_state_dict(sd)
    assert b.state_dict() == sd and b.get_scale() == 8.0
    off = gs.amp.GradScaler("cpu", enabled=False)
    loss = w.sum()
    assert off.scale(loss) is loss and off.get_scale() == 1.0 and off.state_dict() == {}
    with pytest.raises(RuntimeError, match="empty"):
        b.load_state_dict({})
    if not gs.cuda.is_available():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert not gs.amp.GradScaler().is_enabled()  # PyTorch's default device is cuda: disabled with a warning
        assert any("CUDA is not available" in str(c.message) for c in caught)


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_float16_gradients_are_refused() -> None:
    w = gs.tensor([1.0, 2.0], dtype=gs.float16, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    scaler = gs.amp.GradScaler("cpu")
    scaler.scale(w.float().sum()).backward()
    with pytest.raises(ValueError, match="FP16 gradients"):
        scaler.step(opt)


def test_float16_mlp_training_converges_with_the_scaler() -> None:
    """Two moons, a 2-32-32-2 MLP, float16 matrix products: the loss falls like float32 training's."""
    from gradstudent.datasets import sample_2d

    rng = np.random.default_rng(0)
    x_np = sample_2d("two-moons", 256, seed=0).astype(np.float32)
    labels = (x_np[:, 1] < 0.25 - 0.5 * np.sin(x_np[:, 0] * 1.5)).astype(np.int64)
    x, y = gs.from_numpy(x_np), gs.from_numpy(labels)
    results = {}
    for amp in (False, True):
        gs.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 2))
        opt = optim.Adam(model.parameters(), lr=0.01)
        scaler = gs.amp.GradScaler("cpu", enabled=amp)
        losses = []
        for _ in range(150):
            idx = gs.from_numpy(rng.integers(0, 256, 64))
            opt.zero_grad()
            with gs.autocast("cpu", dtype=gs.float16, enabled=amp):
                loss = F.cross_entropy(model(x[idx]), y[idx])
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            losses.append(float(loss.item()))
        with gs.no_grad():
            acc = float((model(x).argmax(1) == y).float().mean().item())
        results[amp] = (np.mean(losses[:10]), np.mean(losses[-10:]), acc)
    first, last, acc = results[True]
    assert last < 0.5 * first and acc > 0.9, results
    assert abs(acc - results[False][2]) < 0.05, results
    assert all(p.dtype == gs.float32 for p in model.parameters())


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_scale_keeps_torch_dtypes_and_structure() -> None:
    ours, ref = gs.amp.GradScaler("cpu", init_scale=4.0), torch.amp.GradScaler("cpu", init_scale=4.0)
    h = gs.tensor([1.0, -2.0, 3.0], dtype=gs.float16)
    th = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float16)
    for a, b in ((ours.scale(h), ref.scale(th)), (ours.scale(h.sum()), ref.scale(th.sum()))):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    nested = ours.scale([h, (h, h)])
    assert isinstance(nested, list) and isinstance(nested[1], tuple) and float(nested[1][0][0].item()) == 4.0
