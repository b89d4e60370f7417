"""gs.profiler: op names, call counts, bytes and nesting of a small MLP step (timings are never asserted)."""

from __future__ import annotations

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import nn, optim
from gradstudent.autograd.grad_mode import state
from gradstudent.ops.linalg import MatMul


def _mlp_step(seed: int = 0):
    gs.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(seed)
    x = gs.from_numpy(rng.standard_normal((32, 4), dtype=np.float32))
    y = gs.from_numpy(rng.standard_normal((32, 1), dtype=np.float32))

    def step() -> float:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return float(loss.item())

    return model, step


def test_counts_names_and_bytes_of_an_mlp_step() -> None:
    _, step = _mlp_step()
    with gs.profiler.profile() as prof:
        for _ in range(3):
            step()
    ops = prof.ops()
    assert ops["linear"]["fwd_calls"] == 9 and ops["linear"]["bwd_calls"] == 9  # 3 layers x 3 steps
    assert ops["tanh"]["fwd_calls"] == 6 and ops["tanh"]["bwd_calls"] == 6
    # forward bytes: the outputs (32x16, 32x16, 32x1 float32) of each step
    assert ops["linear"]["fwd_bytes"] == 3 * 4 * (32 * 16 + 32 * 16 + 32 * 1)
    # backward bytes: the gradients returned, x's skipped for the first layer (x needs none)
    per_step = 4 * ((16 * 4 + 16) + (32 * 16 + 16 * 16 + 16) + (32 * 16 + 1 * 16 + 1))
    assert ops["linear"]["bwd_bytes"] == 3 * per_step
    for row in ops.values():
        assert row["fwd_ms"] >= 0 and row["bwd_ms"] >= 0
    in_ops = sum(r["fwd_ms"] + r["bwd_ms"] for r in ops.values())
    assert 0 < in_ops <= prof.wall_ns / 1e6  # top-level op times add up to less than the wall time
    table = prof.table()
    assert table.splitlines()[0].startswith("| op | fwd calls") and "| linear | 9 |" in table
    assert state.profiler is None


def test_key_averages_pytorch_shape() -> None:
    _, step = _mlp_step()
    with gs.profiler.profile() as prof:
        step()
    events = {e.key: e for e in prof.key_averages()}
    assert events["linear"].count == 3 and events["linear (backward)"].count == 3
    for e in events.values():
        assert 0 <= e.self_cpu_time_total <= e.cpu_time_total + 1e-9
        assert e.self_cpu_memory_usage <= e.cpu_memory_usage
    text = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=4)
    assert "Self CPU time total" in text and len([ln for ln in text.splitlines() if "(backward)" in ln or ln[:1].isalpha()]) >= 4
    with pytest.raises(ValueError, match="sort_by"):
        prof.key_averages().table(sort_by="cuda_time_total")


def test_view_allocates_nothing() -> None:
    x = gs.randn(8, 6)
    with gs.profiler.profile() as prof:
        x.reshape(6, 8)
        x.transpose(0, 1)
        x.exp()
    ops = prof.ops()
    assert ops["reshape"]["fwd_bytes"] == 0 and ops["exp"]["fwd_bytes"] == 8 * 6 * 4


def test_profiler_does_not_change_results() -> None:
    model_a, step_a = _mlp_step(seed=3)
    model_b, step_b = _mlp_step(seed=3)
    losses_a = [step_a() for _ in range(4)]
    with gs.profiler.profile():
        losses_b = [step_b() for _ in range(4)]
    assert losses_a == losses_b
    for pa, pb in zip(model_a.parameters(), model_b.parameters()):
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())


def test_reference_backward_ops_count_inside_the_backward() -> None:
    """With create_graph=True linear's reference backward runs matmuls: they are part of its backward time."""
    x = gs.randn(5, 3, requires_grad=True)
    lin = nn.Linear(3, 2)
    with gs.profiler.profile() as prof:
        (g,) = gs.autograd.grad(lin(x).tanh().sum(), [x], create_graph=True)
    ops, events = prof.ops(), {e.key: e for e in prof.key_averages()}
    assert ops["linear"]["bwd_calls"] == 1 and "matmul" not in ops  # nested: not a top-level row
    assert events["matmul"].count >= 1  # but recorded as its own event in key_averages
    assert events["linear (backward)"].cpu_time_total >= events["linear (backward)"].self_cpu_time_total
    assert g.shape == (5, 3)


def test_record_function_ranges_nest() -> None:
    x = gs.randn(16, 16)
    with gs.profiler.profile() as prof:
        with gs.profiler.record_function("outer"):
            with gs.profiler.record_function("inner"):
                x @ x
            x.exp()

    @gs.profiler.record_function("decorated")
    def f(t):
        return t.sin()

    with gs.profiler.profile() as prof2:
        f(x)
        f(x)
    ev = {e.key: e for e in prof.key_averages()}
    assert ev["outer"].count == 1 and ev["inner"].count == 1
    assert ev["outer"].cpu_time_total >= ev["inner"].cpu_time_total >= ev["matmul"].cpu_time_total
    assert ev["outer"].cpu_memory_usage == 16 * 16 * 4 * 2  # matmul's and exp's outputs, inside
    assert prof.ops()["matmul"]["fwd_calls"] == 1  # ops inside ranges still get their rows
    assert {e.key: e.count for e in prof2.key_averages()}["decorated"] == 2
    with gs.profiler.record_function("no profiler"):  # does nothing without a profiler
        x.exp()


def test_nested_profile_raises_and_exceptions_leave_a_clean_state() -> None:
    with gs.profiler.profile() as prof:
        with pytest.raises(RuntimeError, match="already recording"):
            with gs.profiler.profile():
                pass
    assert state.profiler is None
    a, b = gs.randn(2, 3), gs.randn(4, 5)
    with pytest.raises(ValueError, match="matmul"):
        with gs.profiler.profile() as prof:
            with gs.profiler.record_function("bad"):
                a @ b  # an op that raises inside the profiler
    assert state.profiler is None and prof._stack == []
    with gs.profiler.profile() as prof:  # usable again; an op raising in its forward is not counted
        with pytest.raises(ValueError, match="cannot be multiplied"):
            MatMul.apply(a, b)  # the op's forward itself raises
        a.exp()
    assert "matmul" not in prof.ops() and prof.ops()["exp"]["fwd_calls"] == 1
