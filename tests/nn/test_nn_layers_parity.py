"""Layers, activations and losses against PyTorch: forward and every gradient, same weights."""

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn
from gradstudent.nn import functional as F

RNG = np.random.default_rng(0)


def both(a, requires_grad=True):
    a = np.asarray(a)
    return gs.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f"), torch.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f")


def close(ours, theirs, tol=1e-6):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy() if hasattr(ours, "detach") else ours), theirs.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (1, 4)])
def test_linear_forward_backward(shape):
    lin, tlin = nn.Linear(4, 3).double(), torch.nn.Linear(4, 3).double()
    lin.load_state_dict(tlin.state_dict())
    x, tx = both(RNG.standard_normal(shape))
    y, ty = lin(x), tlin(tx)
    close(y, ty)
    g = RNG.standard_normal(y.shape)
    y.backward(gs.tensor(g)), ty.backward(torch.tensor(g))
    close(x.grad, tx.grad)
    close(lin.weight.grad, tlin.weight.grad)
    close(lin.bias.grad, tlin.bias.grad)


ACTIVATIONS = [
    (nn.ReLU(), torch.nn.ReLU()), (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)), (nn.ELU(0.7), torch.nn.ELU(0.7)),
    (nn.GELU(), torch.nn.GELU()), (nn.GELU("tanh"), torch.nn.GELU("tanh")), (nn.SiLU(), torch.nn.SiLU()),
    (nn.Tanh(), torch.nn.Tanh()), (nn.Sigmoid(), torch.nn.Sigmoid()), (nn.Softplus(2.0, 5.0), torch.nn.Softplus(2.0, 5.0)),
    (nn.Softmax(1), torch.nn.Softmax(1)), (nn.LogSoftmax(0), torch.nn.LogSoftmax(0)),
]


@pytest.mark.parametrize("ours,theirs", ACTIVATIONS, ids=lambda m: repr(m))
def test_activation_modules(ours, theirs):
    x, tx = both(RNG.standard_normal((6, 5)) * 3)
    y, ty = ours(x), theirs(tx)
    close(y, ty)
    g = RNG.standard_normal(y.shape)
    y.backward(gs.tensor(g)), ty.backward(torch.tensor(g))
    close(x.grad, tx.grad)


@pytest.mark.parametrize("fn", ["relu", "sigmoid", "tanh", "gelu", "silu", "elu", "softplus", "log_softmax", "softmax", "leaky_relu"])
def test_activations_are_finite_at_huge_inputs(fn):
    x = gs.tensor([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], requires_grad=True)
    f = getattr(F, fn)
    y = f(x, dim=1) if fn in ("softmax", "log_softmax") else f(x)
    assert np.isfinite(y.detach().numpy()).all()
    y.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def _loss_cases():
    n, c = 6, 4
    logits = RNG.standard_normal((n, c)) * 3
    target = RNG.integers(0, c, n)
    w = RNG.random(c) + 0.5
    pred, tgt = RNG.standard_normal((n, 3)), RNG.standard_normal((n, 3))
    prob = RNG.random((n, 3)) * 0.98 + 0.01
    binary = (RNG.random((n, 3)) > 0.5).astype(np.float64)
    return [
        ("cross_entropy", (logits, target), {}),
        ("cross_entropy", (logits, target), {"weight": w}),
        ("cross_entropy", (logits, np.where(np.arange(n) % 3 == 0, -100, target)), {}),
        ("cross_entropy", (logits, np.where(np.arange(n) % 2 == 0, 1, target)), {"ignore_index": 1, "weight": w}),
        ("cross_entropy", (logits, target), {"label_smoothing": 0.2}),
        ("cross_entropy", (logits, target), {"label_smoothing": 0.1, "weight": w}),
        ("cross_entropy", (logits, target), {"reduction": "sum"}),
        ("cross_entropy", (logits, target), {"reduction": "none"}),
        ("cross_entropy", (RNG.standard_normal((2, c, 3, 2)), RNG.integers(0, c, (2, 3, 2))), {}),
        ("cross_entropy", (logits, np.abs(RNG.standard_normal((n, c)))), {}),
        ("nll_loss", (np.log(RNG.dirichlet(np.ones(c), n)), target), {"weight": w}),
        ("mse_loss", (pred, tgt), {}),
        ("l1_loss", (pred, tgt), {"reduction": "sum"}),
        ("huber_loss", (pred * 2, tgt), {"delta": 0.7}),
        ("smooth_l1_loss", (pred * 2, tgt), {"beta": 0.5}),
        ("binary_cross_entropy", (prob, binary), {}),
        ("binary_cross_entropy_with_logits", (pred * 5, binary), {}),
        ("binary_cross_entropy_with_logits", (pred * 5, binary), {"pos_weight": RNG.random(3) + 0.5}),
        ("kl_div", (np.log(RNG.dirichlet(np.ones(c), n)), RNG.dirichlet(np.ones(c), n)), {"reduction": "batchmean"}),
        ("kl_div", (np.log(RNG.dirichlet(np.ones(c), n)), np.log(RNG.dirichlet(np.ones(c), n))), {"log_target": True, "reduction": "sum"}),
    ]


@pytest.mark.parametrize("name,args,kwargs", _loss_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_losses_match_pytorch(name, args, kwargs):
    ours_args, torch_args = zip(*[both(a, requires_grad=(i == 0)) for i, a in enumerate(args)])
    kw_ours = {k: gs.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    kw_torch = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    y = getattr(F, name)(*ours_args, **kw_ours)
    ty = getattr(torch.nn.functional, name)(*torch_args, **kw_torch)
    close(y, ty, 1e-6)
    g = RNG.standard_normal(tuple(y.shape))
    y.backward(gs.tensor(g)), ty.backward(torch.tensor(g))
    close(ours_args[0].grad, torch_args[0].grad, 1e-6)


def test_binary_cross_entropy_with_logits_gradient_at_zero():
    x = gs.zeros(3, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, gs.tensor([0.0, 1.0, 0.5]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, -0.5, 0.0])


def test_cross_entropy_second_order_matches_torch():
    logits, tl = both(RNG.standard_normal((4, 3)))
    target = RNG.integers(0, 3, 4)
    (g,) = gs.autograd.grad(F.cross_entropy(logits, gs.tensor(target), label_smoothing=0.1), [logits], create_graph=True)
    (tg,) = torch.autograd.grad(torch.nn.functional.cross_entropy(tl, torch.tensor(target), label_smoothing=0.1), [tl], create_graph=True)
    (g * g).sum().backward(), (tg * tg).sum().backward()
    close(logits.grad, tl.grad)


def test_loss_shape_mismatch_and_bad_targets_are_clear():
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(4, 1\) and target shape \(4,\)"):
        F.mse_loss(gs.zeros(4, 1), gs.zeros(4))
    with pytest.raises(IndexError, match=r"target values must be in \[0, 3\)"):
        F.cross_entropy(gs.zeros(2, 3), gs.tensor([0, 5]))
    with pytest.raises(ValueError, match=r"needs a target of shape \(2,\)"):
        F.cross_entropy(gs.zeros(2, 3), gs.tensor([[0], [1]]))
    with pytest.raises(ValueError, match="probabilities"):
        F.binary_cross_entropy(gs.tensor([2.0]), gs.tensor([1.0]))


def test_dropout_train_scaling_and_eval_identity():
    gs.manual_seed(0)
    d = nn.Dropout(0.25)
    x = gs.ones(20000)
    y = d(x).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, float(np.float32(1 / 0.75))}
    assert abs(y.mean() - 1.0) < 0.03
    d.eval()
    assert d(x) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_init_functions():
    from gradstudent.nn import init

    gs.manual_seed(0)
    w = gs.empty(256, 128)
    init.xavier_uniform_(w)
    assert abs(w.numpy().std() - np.sqrt(2 / (256 + 128))) < 0.003
    init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(w.numpy().std() - np.sqrt(2 / 128)) < 0.005
    init.orthogonal_(w)
    wt = w.numpy()
    np.testing.assert_allclose(wt.T @ wt, np.eye(128), atol=1e-4)
    init.zeros_(w)
    assert not w.numpy().any()
    assert init.calculate_gain("tanh") == pytest.approx(torch.nn.init.calculate_gain("tanh"))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))
