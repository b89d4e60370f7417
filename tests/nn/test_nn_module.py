"""nn.Module behaviour: registration, state_dict both ways with PyTorch, modes, repr, errors."""

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.Tanh()
        self.blocks = nn.ModuleList([nn.Linear(8, 8), nn.Linear(8, 8)])
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(8, 3))
        self.register_buffer("steps", gs.zeros(1))
        self.scale = nn.Parameter(gs.ones(3))

    def forward(self, x):
        h = self.act(self.fc1(x))
        for b in self.blocks:
            h = h + b(h).relu()
        return self.head(h) * self.scale


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.act = torch.nn.Tanh()
        self.blocks = torch.nn.ModuleList([torch.nn.Linear(8, 8), torch.nn.Linear(8, 8)])
        self.head = torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Linear(8, 3))
        self.register_buffer("steps", torch.zeros(1))
        self.scale = torch.nn.Parameter(torch.ones(3))

    def forward(self, x):
        h = self.act(self.fc1(x))
        for b in self.blocks:
            h = h + torch.relu(b(h))
        return self.head(h) * self.scale


def test_registration_names_match_pytorch():
    ours, theirs = Net(), TorchNet()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    assert len(list(ours.children())) == len(list(theirs.children()))
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert [n for n, _ in ours.named_buffers()] == ["steps"]


def test_state_dict_round_trip_with_pytorch_both_directions():
    ours, theirs = Net(), TorchNet()
    ours.load_state_dict(theirs.state_dict())  # torch -> gradstudent
    ours.eval(), theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(gs.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    ours2 = Net()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours2.state_dict().items()})  # gradstudent -> torch
    ours2.eval()
    np.testing.assert_allclose(ours2(gs.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_strict_and_shape_errors():
    m = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match="missing key: bias"):
        m.load_state_dict({"weight": gs.zeros(2, 3)})
    missing, unexpected = m.load_state_dict({"weight": gs.zeros(2, 3), "extra": gs.zeros(1)}, strict=False)
    assert missing == ["bias"] and unexpected == ["extra"]
    with pytest.raises(RuntimeError, match=r"weight: checkpoint has shape \(3, 3\), the model has \(2, 3\)"):
        m.load_state_dict({"weight": gs.zeros(3, 3), "bias": gs.zeros(2)})


def test_train_eval_is_per_module_not_global():
    a, b = Net(), Net()
    a.eval()
    assert not a.training and not a.head[0].training
    assert b.training and b.head[0].training  # another model is unaffected
    x = gs.randn(16, 4)
    out1, out2 = a(x), a(x)
    np.testing.assert_array_equal(out1.detach().numpy(), out2.detach().numpy())  # dropout off in eval
    a.train()
    assert a.head[0].training


def test_zero_grad_requires_grad_apply_and_dtype_casts():
    m = Net()
    m(gs.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Net" and "Linear" in seen
    m.double()
    assert all(p.dtype == gs.float64 for p in m.parameters())
    m.float()
    assert all(p.dtype == gs.float32 for p in m.parameters())


def test_repr_looks_like_pytorch():
    text = repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU()))
    assert text == "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)"


def test_linear_default_init_matches_pytorch_distribution():
    gs.manual_seed(0)
    w = nn.Linear(400, 300).weight.numpy() if False else nn.Linear(400, 300).weight.detach().numpy()
    bound = 1 / np.sqrt(400)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound


def test_setting_attributes_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Bad()


def test_shared_parameters_listed_once():
    lin = nn.Linear(3, 3)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2


def test_module_dict_and_parameter_list():
    d = nn.ModuleDict({"a": nn.Linear(1, 2), "b": nn.Linear(2, 1)})
    assert list(d.keys()) == ["a", "b"] and len(list(d.parameters())) == 4
    pl = nn.ParameterList([nn.Parameter(gs.zeros(2)), nn.Parameter(gs.ones(3))])
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]


def test_parameters_to_vector_and_clip_grad_norm_exist():
    from gradstudent.nn import utils

    m = nn.Linear(3, 2)
    assert utils.parameters_to_vector(m.parameters()).shape == (8,)
