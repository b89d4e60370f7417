# %% [markdown]
# # 21. Equivariant learning
#
# A map $f$ is **equivariant** to a group $G$ acting on inputs and outputs when
# $f(g\cdot x) = g\cdot f(x)$ for every $g \in G$, and **invariant** when $f(g\cdot x) = f(x)$.
# Convolutions are equivariant to translations; a **group convolution** extends this to rotations: a lifting
# layer correlates the image with the four rotated copies of each filter (C4), then group-conv layers mix
# the rotation channels, and pooling over the group makes the output invariant. EGNN does the same for
# point clouds under E(n): messages use only distances, coordinates move along difference vectors.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.equivariant import C, E, EGNNLayer, GroupConv, LiftingConv, check_equivariance, group_pool
from gradstudent.graph import knn_graph

FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## A C4 group CNN is rotation-invariant; a plain CNN is not

# %%
c4 = C(4)


class GroupCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lift, self.gconv = LiftingConv(c4, 1, 8), GroupConv(c4, 8, 8)

    def forward(self, x: gs.Tensor) -> gs.Tensor:
        h = self.gconv(self.lift(x).relu()).relu()  # (N, C, |G|, H, W)
        return group_pool(h).mean(dim=(2, 3))  # invariant: pool over rotations and positions


model = GroupCNN().double()
plain = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 8)).double()
x = gs.randn(2, 1, 8, 8, dtype=gs.float64)
with gs.no_grad():
    for name, net in (("group CNN", model), ("plain CNN", plain)):
        err = check_equivariance(net, c4, [x], ["image"], "invariant")
        print(f"{name}: rotation-invariance error {err['max_abs_error']:.2e} (output scale {err['output_scale']:.2f})")

# %% [markdown]
# ## EGNN on a point cloud: E(3)-equivariant coordinates, invariant features

# %%
pos = gs.randn(10, 3, dtype=gs.float64)
h = gs.randn(10, 4, dtype=gs.float64)
edges = knn_graph(pos, k=4)
layer = EGNNLayer(4, 4).double()
with gs.no_grad():
    err = check_equivariance(lambda hh, xx: layer(hh, xx, edges), E(3), [h, pos], ["invariant", "points"], ["invariant", "points"])
print(f"EGNN equivariance error under random rotations, reflections and translations: {err['max_abs_error']:.2e}")

# %%
rotated = [c4.act(g, x, "image").numpy()[0, 0] for g in c4.elements()]
fig, axes = plt.subplots(1, 4, figsize=(8, 2))
for ax, img, g in zip(axes, rotated, c4.elements()):
    ax.imshow(img, cmap="gray")
    ax.set_title(f"g = {g}")
    ax.axis("off")
fig.savefig(OUT / "21_c4_orbit.png")

# %% [markdown]
# `gradstudent run equivariance` trains both networks on rotated digits over growing training sets: the
# equivariant one needs far fewer examples.
#
# ## The same thing in PyTorch
# A rotation of an image is `torch.rot90`, the same as the group action used here:

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    ours = [c4.act(g, x, "image").numpy() for g in c4.elements()]
    theirs = [torch.rot90(torch.from_numpy(x.numpy()), k, dims=(2, 3)).numpy() for k in range(4)]
    print("C4 acts as torch.rot90 (in some order):", all(any(np.array_equal(a, b) for b in theirs) for a in ours))
