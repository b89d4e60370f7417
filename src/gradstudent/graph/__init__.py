"""Graph neural networks with PyTorch Geometric's API: data, scatter ops, message passing, layers, pooling.

    from gradstudent.graph import Data, GCNConv
    data = Data(x=x, edge_index=edge_index)
    out = GCNConv(16, 7)(data.x, data.edge_index)

Layers keep PyG's argument and parameter names, so a ``state_dict`` trained here loads into PyG.
"""

from .conv import ChebConv, EdgeConv, GCNConv, GINConv, GraphConv, SAGEConv, gcn_norm, glorot_, knn_graph
from .data import Batch, Data, DataLoader
from .gat import AttentionalAggregation, GATConv, GlobalAttention, global_add_pool, global_max_pool, global_mean_pool
from .message_passing import MessagePassing
from .scatter import SparseAdj, gather, scatter, segment_softmax, softmax, spmm
from .utils import (
    add_remaining_self_loops, add_self_loops, coalesce, degree, from_networkx, from_scipy_sparse_matrix,
    get_laplacian, is_undirected, k_hop_subgraph, laplacian_spectrum, maybe_num_nodes, remove_self_loops,
    subgraph, to_networkx, to_scipy_sparse_matrix, to_undirected,
)

__all__ = [
    "ChebConv", "EdgeConv", "GCNConv", "GINConv", "GraphConv", "SAGEConv", "GATConv", "gcn_norm", "glorot_", "knn_graph",
    "Batch", "Data", "DataLoader", "AttentionalAggregation", "GlobalAttention", "global_add_pool", "global_max_pool",
    "global_mean_pool", "MessagePassing", "SparseAdj", "gather", "scatter", "segment_softmax", "softmax", "spmm",
    "add_remaining_self_loops", "add_self_loops", "coalesce", "degree", "from_networkx", "from_scipy_sparse_matrix",
    "get_laplacian", "is_undirected", "k_hop_subgraph", "laplacian_spectrum", "maybe_num_nodes", "remove_self_loops",
    "subgraph", "to_networkx", "to_scipy_sparse_matrix", "to_undirected",
]
