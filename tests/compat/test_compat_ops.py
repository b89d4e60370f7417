"""The ops, layers and optimizer added for PyTorch compatibility, against PyTorch.

tril/triu are differentiable ops: rows here go through the oracle
(forward, gradients, second derivatives, finite differences), and
``tests/test_ops_table.py`` lists them in ``COVERED_ELSEWHERE``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn
from gradstudent.nn import functional as F
from oracle import OpCase

CASES = [
    OpCase("tril", lambda L, a: L.tril(a), [(3, 3)]),
    OpCase("tril", lambda L, a: a.tril(1), [(2, 3, 4)], tag="k=1,batched"),
    OpCase("tril", lambda L, a: L.tril(a, -1), [(4, 2)], tag="k=-1"),
    OpCase("triu", lambda L, a: L.triu(a), [(3, 3)]),
    OpCase("triu", lambda L, a: a.triu(-1), [(2, 3, 4)], tag="k=-1,batched"),
    OpCase("triu", lambda L, a: L.triu(a, 2), [(3, 5)], tag="k=2"),
    OpCase("pixel_shuffle", lambda L, a: L.nn.functional.pixel_shuffle(a, 2), [(2, 8, 3, 2)]),
    OpCase("pixel_shuffle", lambda L, a: L.nn.functional.pixel_shuffle(a, 3), [(9, 2, 2)], tag="unbatched"),
    OpCase("pixel_unshuffle", lambda L, a: L.nn.functional.pixel_unshuffle(a, 2), [(2, 1, 4, 6)]),
]


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_op(case: OpCase) -> None:
    case.run()


def test_tril_needs_two_dims() -> None:
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        gs.tril(gs.ones(3))


def test_pixel_shuffle_modules_and_errors() -> None:
    x = np.random.default_rng(0).standard_normal((1, 8, 2, 3)).astype(np.float32)
    y = nn.PixelShuffle(2)(gs.from_numpy(x))
    assert np.array_equal(y.numpy(), torch.nn.PixelShuffle(2)(torch.from_numpy(x)).numpy())
    assert np.array_equal(nn.PixelUnshuffle(2)(y).numpy(), x)
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(gs.ones(1, 3, 2, 2), 2)


def test_adadelta_matches_torch() -> None:
    rng = np.random.default_rng(0)
    w0, x, y = rng.standard_normal((3, 4)), rng.standard_normal((8, 4)), rng.standard_normal((8, 3))
    results = []
    for L, opt_cls in ((gs, gs.optim.Adadelta), (torch, torch.optim.Adadelta)):
        w = L.tensor(w0, requires_grad=True)
        for kwargs in ({}, {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}):
            opt = opt_cls([w], **kwargs)
            for _ in range(5):
                opt.zero_grad()
                ((L.tensor(x) @ w.T - L.tensor(y)) ** 2).mean().backward()
                opt.step()
        results.append(w.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="Adadelta: invalid rho value"):
        gs.optim.Adadelta([gs.zeros(2, requires_grad=True)], rho=1.5)


def test_adadelta_maximize_and_state_dict() -> None:
    w = gs.tensor([1.0, -2.0], requires_grad=True)
    opt = gs.optim.Adadelta([w], maximize=True)
    (w * w).sum().backward()
    opt.step()
    assert (np.abs(w.detach().numpy()) > [1.0, 2.0]).all()  # ascent grows |w|
    assert set(opt.state_dict()["state"][0]) == {"step", "square_avg", "acc_delta"}


def _dropout2d_warnings(x_shape: tuple[int, ...], L) -> tuple[list[str], np.ndarray]:
    x = L.ones(*x_shape)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = L.nn.functional.dropout2d(x, 0.5, True)
    return [str(w.message) for w in caught], out.numpy()


@pytest.mark.parametrize("shape", [(40, 6), (20, 3, 5), (2, 3, 4, 4), (2, 3, 2, 2, 2)])
def test_dropout2d_follows_torch_for_every_rank(shape: tuple[int, ...]) -> None:
    gs_messages, out = _dropout2d_warnings(shape, gs)
    torch_messages, _ = _dropout2d_warnings(shape, torch)
    assert gs_messages == torch_messages
    # one draw per (first dim, second dim) entry, the rest of the dims share it
    per_channel = out.reshape(shape[0], shape[1], -1)
    assert np.all(per_channel == per_channel[..., :1])
    assert set(np.unique(out)) <= {0.0, 2.0}


def test_dropout2d_rejects_1d_and_module_on_2d() -> None:
    with pytest.raises(RuntimeError, match="requires at least 2 dimensions"):
        F.dropout2d(gs.ones(5), 0.5)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        assert nn.Dropout2d(0.5)(gs.ones(4, 6)).shape == (4, 6)


def test_flatten_parameters_is_a_no_op() -> None:
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        m = cls(3, 4)
        before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
        assert m.flatten_parameters() is None
        assert all(np.array_equal(before[k], v.numpy()) for k, v in m.state_dict().items())


def test_nn_modules_import_paths() -> None:
    from gradstudent.nn.modules.activation import MultiheadAttention, ReLU
    from gradstudent.nn.modules.batchnorm import BatchNorm2d
    from gradstudent.nn.modules.container import Sequential
    from gradstudent.nn.modules.conv import Conv2d
    from gradstudent.nn.modules.dropout import Dropout, Dropout2d
    from gradstudent.nn.modules.linear import Linear
    from gradstudent.nn.modules.loss import CrossEntropyLoss, _Loss
    from gradstudent.nn.modules.module import Module
    from gradstudent.nn.modules.rnn import LSTM
    from gradstudent.nn.modules.sparse import Embedding

    for cls in (MultiheadAttention, ReLU, BatchNorm2d, Sequential, Conv2d, Dropout, Dropout2d, Linear, CrossEntropyLoss, LSTM, Embedding):
        assert getattr(nn, cls.__name__) is cls
    assert issubclass(CrossEntropyLoss, _Loss) and Module is nn.Module
    assert gs.nn.modules.linear.Linear is nn.Linear


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("Adamax", {}), ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}),
        ("NAdam", {}), ("NAdam", {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.1}),
        ("RAdam", {}), ("RAdam", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    ],
)
def test_adam_variants_match_torch(name: str, kwargs: dict) -> None:
    rng = np.random.default_rng(1)
    w0, x, y = rng.standard_normal((3, 4)), rng.standard_normal((8, 4)), rng.standard_normal((8, 3))
    results = []
    for L in (gs, torch):
        w = L.tensor(w0, requires_grad=True)
        opt = getattr(L.optim, name)([w], **kwargs)
        for _ in range(12):  # RAdam switches to its rectified step after a few steps
            opt.zero_grad()
            ((L.tensor(x) @ w.T - L.tensor(y)) ** 2).mean().backward()
            opt.step()
        results.append(w.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-12)


def test_pad_sequence_matches_torch() -> None:
    from gradstudent.nn.utils.rnn import pad_sequence  # PyTorch's import path

    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    for kwargs in ({}, {"batch_first": True, "padding_value": -1.0}, {"padding_side": "left"}):
        ours = pad_sequence([gs.tensor(a, requires_grad=True) for a in arrays], **kwargs)
        theirs = torch.nn.utils.rnn.pad_sequence([torch.tensor(a) for a in arrays], **kwargs)
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.numpy())
    xs = [gs.tensor(a, requires_grad=True) for a in arrays]
    (gs.nn.utils.rnn.pad_sequence(xs) * 2).sum().backward()
    assert all(np.array_equal(x.grad.numpy(), np.full(x.shape, 2.0)) for x in xs)
