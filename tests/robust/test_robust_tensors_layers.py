"""Issue 11/10: bad tensor data, layers and optimizers give clear errors; state changes only after success."""

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import nn, optim

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "data, error, match",
    [
        (["a"], TypeError, "invalid data type 'str'"),
        ([[1, 2], [3]], ValueError, "ragged"),
        ([1 + 2j], TypeError, "complex"),
        (np.array([object()], dtype=object), TypeError, "dtype object"),
        (np.ones(2, dtype=np.complex64), TypeError, "complex"),
        (None, TypeError, "cannot make a tensor"),
        ({"a": 1}, TypeError, "cannot make a tensor"),
    ],
)
def test_bad_tensor_data_is_a_clear_error(data, error, match):
    with pytest.raises(error, match=match):
        gs.tensor(data)


def test_good_tensor_data_still_works():
    assert gs.tensor([[1, 2], [3, 4]]).dtype == np.int64 and gs.tensor(2.5).shape == ()
    assert gs.tensor([]).shape == (0,) and gs.tensor([True, False]).dtype == np.bool_
    assert gs.tensor([gs.tensor(1.0), gs.tensor(2.0)]).tolist() == [1.0, 2.0]


def test_reshape_and_device_errors():
    with pytest.raises(ValueError, match="invalid shape dimension -2"):
        gs.arange(12).reshape(-2, 6)
    with pytest.raises(TypeError):
        gs.arange(12).reshape(2.5, 6)  # torch: TypeError too
    with pytest.raises(RuntimeError, match="unknown device 'tpu'"):
        gs.ones(2).to("tpu")


def test_empty_batches_behave_as_torch():
    conv, tconv = nn.Conv2d(3, 4, 3), torch.nn.Conv2d(3, 4, 3)
    x = gs.zeros(0, 3, 8, 8, requires_grad=True)
    y = conv(x)
    assert tuple(y.shape) == tuple(tconv(torch.zeros(0, 3, 8, 8)).shape) == (0, 4, 6, 6)
    y.sum().backward()
    assert conv.weight.grad.abs().sum().item() == 0
    for shape, dim in [((2, 0), 1), ((0, 3), 1), ((0, 3), 0)]:
        for fn in ("softmax", "log_softmax"):
            ours = getattr(nn.functional, fn)(gs.zeros(*shape), dim=dim)
            assert tuple(ours.shape) == tuple(getattr(torch.nn.functional, fn)(torch.zeros(*shape), dim=dim).shape)


def test_four_hundred_nested_sequentials():
    model = nn.Sequential(nn.Linear(2, 2))
    for _ in range(400):
        model = nn.Sequential(model)
    assert len(list(model.modules())) == 402 and len(list(model.parameters())) == 2
    assert len(model.state_dict()) == 2
    model.eval()
    assert not any(m.training for m in model.modules())


def test_modules_order_is_depth_first_like_before():
    m = nn.Sequential(nn.Sequential(nn.Linear(1, 1), nn.ReLU()), nn.Linear(1, 1))
    assert [n for n, _ in m.named_modules()] == ["", "0", "0.0", "0.1", "1"]


def test_failed_step_updates_nothing():
    a, b = gs.ones(2, requires_grad=True), gs.ones(3, requires_grad=True)
    for opt in (optim.SGD([a, b], lr=0.1, momentum=0.9), optim.Adam([a, b]), optim.RMSprop([a, b]), optim.Adagrad([a, b])):
        a.grad, b.grad = gs.ones(2), gs.ones(2)  # b's gradient has the wrong shape
        with pytest.raises(RuntimeError, match="no parameter was updated"):
            opt.step()
        assert a.tolist() == [1.0, 1.0] and all(s.get("step", 0) == 0 and "momentum_buffer" not in s for s in opt.state.values())


def test_step_bumps_versions_so_stale_graphs_fail():
    w = gs.ones(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    w.grad = gs.ones(3)
    opt.step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()
    tw = torch.ones(3, requires_grad=True)
    tloss = (tw * tw).sum()
    tw.grad = torch.ones(3)
    torch.optim.SGD([tw], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tloss.backward()


def test_optimizer_hyperparameter_types():
    p = [gs.ones(1, requires_grad=True)]
    with pytest.raises(TypeError, match="lr must be a number, got str '0.1'"):
        optim.SGD(p, lr="0.1")
    with pytest.raises(TypeError, match="eps must be a number"):
        optim.Adam(p, eps=None)
    with pytest.raises(TypeError, match="lr must be a number"):
        optim.SGD(p, lr=0.1).add_param_group({"params": [gs.ones(1, requires_grad=True)], "lr": "x"})


def test_batch_norm_batch_of_one_leaves_state_alone():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(gs.ones(1, 3))
    assert bn.num_batches_tracked.item() == 0 and bn.running_mean.tolist() == [0.0, 0.0, 0.0]
    bn2 = nn.BatchNorm2d(2)
    bn2(gs.randn(1, 2, 2, 2))  # one image but 4 values per channel: allowed, as torch
    assert bn2.num_batches_tracked.item() == 1
    bn.eval()
    assert tuple(bn(gs.ones(1, 3)).shape) == (1, 3)  # eval mode uses running stats


def test_conv_with_a_zero_kernel_is_refused_at_construction():
    import pytest

    from gradstudent import nn

    with pytest.raises(ValueError, match="kernel_size should be greater than zero"):
        nn.Conv2d(3, 4, 0)
