"""Compiled prediction of flattened tree ensembles (numba kernel, plain arrays only)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def predict_flat_trees(
    X: np.ndarray,
    nodes: np.ndarray,
    value: np.ndarray,
    roots: np.ndarray,
    group_start: np.ndarray,
    group_stop: np.ndarray,
    scale: np.ndarray,
    offset: np.ndarray,
    out: np.ndarray,
) -> None:
    """out[i, g] = offset[g] + scale[g] * sum of leaf values of trees group_start[g]..stop[g].

    ``nodes`` (n_nodes, 4) packs threshold, feature, left child, right child per node
    (one cache line holds two nodes); children are global row numbers and a leaf has
    left child -1. A sample goes left when X[i, feature] <= threshold. Trees are the
    outer loop so that one tree stays in cache while every sample walks it.
    """
    n = X.shape[0]
    for g in range(group_start.shape[0]):
        for i in range(n):
            out[i, g] = 0.0
        for t in range(group_start[g], group_stop[g]):
            root = roots[t]
            for i in range(n):
                node = root
                while nodes[node, 2] >= 0.0:
                    if X[i, int(nodes[node, 1])] <= nodes[node, 0]:
                        node = int(nodes[node, 2])
                    else:
                        node = int(nodes[node, 3])
                out[i, g] += value[node]
        for i in range(n):
            out[i, g] = offset[g] + scale[g] * out[i, g]
