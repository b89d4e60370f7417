"""W6: Cora-shaped GCN, full batch (2708 nodes, 5278 random undirected edges + loops, 1433 binary features at 1.3%). Adam lr 0.01, weight decay 5e-4.

Three columns: gradstudent (``graph.GCNConv``, cached), plain torch (a precomputed sparse CSR matrix
product) and PyG's ``GCNConv`` (cached). See ``_gcn_common.py``.
"""

from . import Step
from . import _gcn_common as _g

NAME = "W6"
DESCRIPTION = "Cora-shaped GCN, full batch (2708 nodes, 5278 random undirected edges + loops, 1433 binary features at 1.3%)"
ARGS = (2708, 5278, 1433, 0.013)


def make_gradstudent(device: str = "cpu") -> Step:
    return _g.make_gradstudent(*ARGS, device=device)


def make_torch(device: str = "cpu") -> Step:
    return _g.make_torch(*ARGS, device=device)


def make_pyg(device: str = "cpu") -> Step:
    return _g.make_pyg(*ARGS, device=device)
