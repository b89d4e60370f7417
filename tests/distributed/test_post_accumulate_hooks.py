"""``Tensor.register_post_accumulate_grad_hook`` (what DistributedDataParallel builds on), against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs


def _trace(lib: object) -> list[tuple[str, list[float]]]:
    seen: list[tuple[str, list[float]]] = []
    a = lib.tensor([1.0, 2.0], requires_grad=True)  # type: ignore[attr-defined]
    b = lib.tensor([3.0], requires_grad=True)  # type: ignore[attr-defined]
    a.register_hook(lambda g: seen.append(("pre", g.tolist())) or g * 2)
    a.register_post_accumulate_grad_hook(lambda t: seen.append(("post a", t.grad.tolist())))
    b.register_post_accumulate_grad_hook(lambda t: seen.append(("post b", t.grad.tolist())))
    ((a * b).sum()).backward()
    ((a * b).sum()).backward()  # .grad accumulates; the post hook sees the sum
    return seen


def test_post_accumulate_hooks_match_torch() -> None:
    ours, theirs = _trace(gs), _trace(torch)
    assert sorted(ours) == sorted(theirs)
    assert ("post a", [12.0, 12.0]) in ours  # 2 * 3 twice, after the pre-hook doubled each


def test_post_accumulate_hook_may_change_grad_in_place_and_be_removed() -> None:
    w = gs.tensor([1.0, -1.0], requires_grad=True)
    handle = w.register_post_accumulate_grad_hook(lambda t: t.grad.mul_(0.5))
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, -1.0])
    handle.remove()
    w.grad = None
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2.0, -2.0])


def test_autograd_grad_does_not_run_post_accumulate_hooks() -> None:
    calls: list[int] = []
    w = gs.tensor([2.0], requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda t: calls.append(1))
    (g,) = gs.autograd.grad((w * w).sum(), [w])
    assert g.tolist() == [4.0] and calls == [] and w.grad is None


def test_post_accumulate_hook_refuses_non_leaves_and_no_grad() -> None:
    with pytest.raises(RuntimeError, match="doesn't require grad"):
        gs.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)
    x = gs.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="non-leaf tensors"):
        x.register_post_accumulate_grad_hook(lambda t: None)
