# %% [markdown]
# # 8. Looking inside a CNN, and transfer learning
#
# **Saliency**: $|\partial s_c/\partial x|$, how much each pixel moves the class score.
# **Grad-CAM**: weight a layer's feature maps by the average gradient of the class score and keep the
# positive part. **Transfer learning**: reuse a trained network's features for a new task, either
# frozen (train only a new head) or fine-tuned (train everything, gently).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.datasets import load_digits_arrays
from gradstudent.models import SmallCNN
from gradstudent.viz import grad_cam, saliency_map

F = nn.functional
FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %%
X, y = load_digits_arrays("train")
X = X.reshape(-1, 1, 8, 8)
Xt, yt = gs.from_numpy(X), gs.from_numpy(y)
model = SmallCNN(widths=(16, 32))
opt = gs.optim.Adam(model.parameters(), lr=3e-3)
for step in range(30 if FAST else 300):
    idx = np.random.default_rng(step).integers(0, len(X), 64)
    opt.zero_grad()
    F.cross_entropy(model(Xt[gs.from_numpy(idx)]), yt[gs.from_numpy(idx)]).backward()
    opt.step()
model.eval()

# %%
sal = saliency_map(model, Xt[:6])
layer = [m for m in model.modules() if isinstance(m, nn.Conv2d)][-1]
cam = grad_cam(model, Xt[:6], layer)
fig, axes = plt.subplots(3, 6, figsize=(9, 4.5))
for i in range(6):
    for row, (img, cmap) in enumerate(((X[i, 0], "gray"), (sal[i], "hot"), (cam[i], "jet"))):
        axes[row, i].imshow(img, cmap=cmap)
        axes[row, i].axis("off")
axes[0, 0].set_title("input", fontsize=8)
axes[1, 0].set_title("saliency", fontsize=8)
axes[2, 0].set_title("Grad-CAM", fontsize=8)
fig.savefig(OUT / "08_saliency_gradcam.png")

# %% [markdown]
# ## Freezing a backbone
# `requires_grad_(False)` on the backbone's parameters stops their gradients; only the new head trains.
# Here the "new task" is telling even from odd digits.

# %%
for p in model.parameters():
    p.requires_grad_(False)
head = nn.Linear(32, 2)  # SmallCNN: features -> global average pool (32 channels) -> its own head


def features(x: gs.Tensor) -> gs.Tensor:
    return model.pool(model.features(x)).flatten(1)


opt = gs.optim.Adam(head.parameters(), lr=1e-2)
parity = gs.from_numpy(y % 2)
for step in range(30 if FAST else 200):
    opt.zero_grad()
    F.cross_entropy(head(features(Xt[:200])), parity[:200]).backward()
    opt.step()
with gs.no_grad():
    acc = (head(features(Xt[200:])).argmax(1).numpy() == (y[200:] % 2)).mean()
print(f"even/odd accuracy with a frozen backbone and 200 labels: {acc:.3f}")
print("backbone parameters that still train:", sum(p.requires_grad for p in model.parameters()))

# %% [markdown]
# `gradstudent run transfer` compares frozen, fine-tuned and from-scratch training properly.
#
# ## The same thing in PyTorch
# `p.requires_grad_(False)`, `model.eval()` and the gradient-based attributions are the same code in PyTorch.

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tw = torch.ones(3, requires_grad=True)
    tw.requires_grad_(False)
    print("torch requires_grad after freezing:", tw.requires_grad)
