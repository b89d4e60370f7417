"""W6b: W6's GCN on a random graph of 100000 nodes, 1000000 undirected edges, 128 dense features. Adam lr 0.01, weight decay 5e-4.

Three columns: gradstudent (``graph.GCNConv``, cached), plain torch (a precomputed sparse CSR matrix
product) and PyG's ``GCNConv`` (cached). See ``_gcn_common.py``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _gcn_common as _g  # noqa: E402

NAME = "W6b"
DESCRIPTION = "W6's GCN on a random graph of 100000 nodes, 1000000 undirected edges, 128 dense features"
ARGS = (100000, 1000000, 128, None)


def make_gradstudent():
    return _g.make_gradstudent(*ARGS)


def make_torch():
    return _g.make_torch(*ARGS)


def make_pyg():
    return _g.make_pyg(*ARGS)
