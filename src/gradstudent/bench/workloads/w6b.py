"""W6b: W6's GCN on a random graph of 100000 nodes, 1000000 undirected edges, 128 dense features. Adam lr 0.01, weight decay 5e-4.

Three columns: gradstudent (``graph.GCNConv``, cached), plain torch (a precomputed sparse CSR matrix
product) and PyG's ``GCNConv`` (cached). See ``_gcn_common.py``.
"""

from . import Step
from . import _gcn_common as _g

NAME = "W6b"
DESCRIPTION = "W6's GCN on a random graph of 100000 nodes, 1000000 undirected edges, 128 dense features"
ARGS = (100000, 1000000, 128, None)


def make_gradstudent(device: str = "cpu") -> Step:
    return _g.make_gradstudent(*ARGS, device=device)


def make_torch(device: str = "cpu") -> Step:
    return _g.make_torch(*ARGS, device=device)


def make_pyg(device: str = "cpu") -> Step:
    return _g.make_pyg(*ARGS, device=device)
