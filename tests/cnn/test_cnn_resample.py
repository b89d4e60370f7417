"""interpolate / Upsample and channel dropout."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import check_op

import gradstudent as gs
import gradstudent.nn.functional as F
from gradstudent import nn

TF = torch.nn.functional

CASES = [
    ("nearest_x2", (2, 2, 3, 4), {"scale_factor": 2}),
    ("nearest_size", (1, 2, 3, 4), {"size": (5, 7)}),
    ("nearest_down", (1, 2, 7, 6), {"size": (3, 4)}),
    ("nearest_1.5", (1, 2, 4, 4), {"scale_factor": 1.5}),
    ("nearest_exact", (1, 2, 3, 4), {"size": (5, 7), "mode": "nearest-exact"}),
    ("bilinear", (1, 2, 3, 4), {"size": (5, 7), "mode": "bilinear", "align_corners": False}),
    ("bilinear_ac", (1, 2, 3, 4), {"size": (5, 7), "mode": "bilinear", "align_corners": True}),
    ("bilinear_x2", (2, 2, 3, 3), {"scale_factor": 2, "mode": "bilinear"}),
    ("bilinear_down", (1, 2, 8, 7), {"scale_factor": 0.5, "mode": "bilinear"}),
    ("linear", (2, 2, 5), {"scale_factor": 2.5, "mode": "linear", "align_corners": True}),
    ("nearest_1d", (2, 2, 5), {"size": 8}),
    ("area", (1, 2, 7, 6), {"size": (3, 4), "mode": "area"}),
]


@pytest.mark.parametrize("name,shape,kw", CASES, ids=[c[0] for c in CASES])
def test_interpolate_matches_torch(name, shape, kw) -> None:
    check_op(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), [shape])


def test_upsample_modules_and_errors() -> None:
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 3)).astype(np.float32)
    for ours, theirs in [
        (nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
        (nn.Upsample(size=(5, 4), mode="bilinear"), torch.nn.Upsample(size=(5, 4), mode="bilinear")),
        (nn.UpsamplingBilinear2d(scale_factor=2), torch.nn.UpsamplingBilinear2d(scale_factor=2)),
        (nn.UpsamplingNearest2d(size=6), torch.nn.UpsamplingNearest2d(size=6)),
    ]:
        np.testing.assert_allclose(ours(gs.tensor(x))._data, theirs(torch.tensor(x)).numpy(), atol=1e-6)
    with pytest.raises(NotImplementedError, match="bicubic"):
        F.interpolate(gs.tensor(x), scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match="exactly one"):
        F.interpolate(gs.tensor(x))
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(gs.tensor(x), scale_factor=2, align_corners=True)


def test_dropout2d_drops_whole_channels() -> None:
    gs.manual_seed(0)
    x = gs.ones(64, 32, 4, 4, requires_grad=True)
    y = F.dropout2d(x, 0.25)
    per_channel = y._data.reshape(64, 32, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # constant over each channel
    assert set(np.unique(per_channel)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((per_channel[..., 0] == 0).mean() - 0.25) < 0.03
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, y._data)
    m = nn.Dropout2d(0.5)
    m.eval()
    assert m(x) is x
    z = nn.Dropout1d(0.5)(gs.ones(8, 16, 10))
    assert np.all(z._data.min(-1) == z._data.max(-1))
    a = F.dropout2d(gs.ones(2, 3, 4, 4), 0.5, generator=gs.Generator().manual_seed(3))
    b = F.dropout2d(gs.ones(2, 3, 4, 4), 0.5, generator=gs.Generator().manual_seed(3))
    np.testing.assert_array_equal(a._data, b._data)
