# %% [markdown]
# # 7. Convolutional networks
#
# A convolution slides a small filter over the image; every position uses the *same* weights
# (weight sharing), so a layer has $C_\text{out} C_\text{in} k^2$ weights whatever the image size:
# $$y_{n,f,i,j} = b_f + \sum_{c,p,q} w_{f,c,p,q}\, x_{n,c,\,is+p,\,js+q}.$$
# Pooling shrinks the maps; stacking conv–BN–ReLU blocks builds features from edges to digits.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import gradstudent as gs
from gradstudent import nn
from gradstudent.datasets import load_digits_arrays
from gradstudent.models import SmallCNN
from gradstudent.utils.data import DataLoader, TensorDataset

F = nn.functional
FAST = os.environ.get("FAST") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "figures"))
OUT.mkdir(exist_ok=True)
gs.manual_seed(0)

# %% [markdown]
# ## A convolution by hand, against the library

# %%
x = gs.randn(1, 1, 5, 5)
w = gs.randn(1, 1, 3, 3)
xn, wn = x.numpy()[0, 0], w.numpy()[0, 0]
by_hand = np.array([[(xn[i : i + 3, j : j + 3] * wn).sum() for j in range(3)] for i in range(3)])
print("max difference:", np.abs(F.conv2d(x, w).numpy()[0, 0] - by_hand).max())
print("output shape with stride 2, padding 1:", tuple(F.conv2d(x, w, stride=2, padding=1).shape))

# %% [markdown]
# ## Training a small CNN on the 8×8 digits

# %%
X, y = load_digits_arrays("train")
Xte, yte = load_digits_arrays("test")
n_train = 400 if FAST else len(X)
loader = DataLoader(TensorDataset(gs.from_numpy(X[:n_train].reshape(-1, 1, 8, 8)), gs.from_numpy(y[:n_train])), batch_size=32, shuffle=True)
model = SmallCNN(widths=(16, 32))
opt = gs.optim.Adam(model.parameters(), lr=3e-3)
print("parameters:", sum(p.numel() for p in model.parameters()))
for epoch in range(1 if FAST else 8):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    with gs.no_grad():
        acc = (model(gs.from_numpy(Xte.reshape(-1, 1, 8, 8))).argmax(1).numpy() == yte).mean()
    print(f"epoch {epoch + 1}: test accuracy {acc:.3f}")

# %% [markdown]
# ## What the first layer learned

# %%
first_conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
filters = first_conv.weight.detach().numpy()  # (16, 1, 3, 3)
fig, axes = plt.subplots(2, 8, figsize=(8, 2))
for ax, f in zip(axes.ravel(), filters):
    ax.imshow(f[0], cmap="gray")
    ax.axis("off")
fig.savefig(OUT / "07_filters.png")

# %% [markdown]
# ## Residual connections
# A residual block computes $x + F(x)$: the identity path lets gradients reach early layers, which is
# why very deep ResNets train (`gradstudent run resnet` ablates the shortcut).

# %%
from gradstudent.models import BasicBlock  # noqa: E402

block = BasicBlock(16, 16)
print(block(gs.randn(2, 16, 8, 8)).shape)

# %% [markdown]
# ## The same thing in PyTorch

# %%
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tconv = torch.nn.functional.conv2d(torch.from_numpy(x.numpy()), torch.from_numpy(w.numpy()), stride=2, padding=1)
    print("torch conv2d matches:", np.allclose(tconv.numpy(), F.conv2d(x, w, stride=2, padding=1).numpy(), atol=1e-5))
