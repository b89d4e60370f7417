"""W6: Cora-shaped GCN, full batch (2708 nodes, 5278 random undirected edges + loops, 1433 binary features at 1.3%). Adam lr 0.01, weight decay 5e-4.

Three columns: gradstudent (``graph.GCNConv``, cached), plain torch (a precomputed sparse CSR matrix
product) and PyG's ``GCNConv`` (cached). See ``_gcn_common.py``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _gcn_common as _g  # noqa: E402

NAME = "W6"
DESCRIPTION = "Cora-shaped GCN, full batch (2708 nodes, 5278 random undirected edges + loops, 1433 binary features at 1.3%)"
ARGS = (2708, 5278, 1433, 0.013)


def make_gradstudent():
    return _g.make_gradstudent(*ARGS)


def make_torch():
    return _g.make_torch(*ARGS)


def make_pyg():
    return _g.make_pyg(*ARGS)
