"""The graph loaders' old import path: they build ``gradstudent.graph.Data`` objects, so they live in
:mod:`gradstudent.graph.datasets` (``graph`` sits above ``datasets``; docs/engine.md, "Layers").
This module only re-exports them and belongs to the graph layer; nothing in ``datasets`` imports it.
"""

from ..graph.datasets import (  # noqa: F401
    cycle_pair_graphs, karate_club, load_planetoid, regular_degree_graphs, sbm_graph, stochastic_block_model,
    synthetic_citation,
)
