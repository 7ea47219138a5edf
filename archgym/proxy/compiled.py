"""CompiledEnsemble: scikit-learn tree ensembles flattened into arrays for a numba kernel.

Random forests, extra trees and histogram gradient boosting predict with one compiled
loop over all metrics' trees, without scikit-learn's per-call overhead (milliseconds
for a single row). Predictions equal scikit-learn's up to float rounding in the sum:
trees of random forests and extra trees compare float32 features, as scikit-learn does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archgym.proxy._forest_kernel import predict_flat_trees


@dataclass(frozen=True)
class CompiledEnsemble:
    """Flattened trees of one regressor per metric; ``predict`` returns (n, n_metrics)
    in each regressor's fitted (transformed) target space."""

    nodes: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    group_start: np.ndarray
    group_stop: np.ndarray
    scale: np.ndarray
    offset: np.ndarray
    float32_features: bool

    @classmethod
    def build(cls, regressors: Mapping[str, Any], names: Sequence[str]) -> CompiledEnsemble | None:
        """Flatten the regressors (in ``names`` order); None if any is not supported."""
        trees: list[tuple[np.ndarray, ...]] = []
        starts, stops, scales, offsets = [], [], [], []
        kinds = set()
        for name in names:
            regressor = regressors[name]
            flat = _flatten(regressor)
            if flat is None:
                return None
            kind, members, scale, offset = flat
            kinds.add(kind)
            starts.append(len(trees))
            trees.extend(members)
            stops.append(len(trees))
            scales.append(scale)
            offsets.append(offset)
        if len(kinds) != 1:
            return None
        feature, threshold, left, right, value, roots = [], [], [], [], [], []
        base = 0
        for f, th, lf, rt, val in trees:
            roots.append(base)
            lf, rt = lf.astype(np.int64), rt.astype(np.int64)
            feature.append(f.astype(np.int32))
            threshold.append(th.astype(np.float64))
            left.append(np.where(lf >= 0, lf + base, -1).astype(np.int32))
            right.append(np.where(rt >= 0, rt + base, -1).astype(np.int32))
            value.append(val.astype(np.float64))
            base += len(f)
        return cls(
            np.column_stack(
                [
                    np.concatenate(threshold),
                    np.concatenate(feature),
                    np.concatenate(left),
                    np.concatenate(right),
                ]
            ).astype(np.float64),
            np.concatenate(value),
            np.array(roots, dtype=np.int64),
            np.array(starts, dtype=np.int64),
            np.array(stops, dtype=np.int64),
            np.array(scales, dtype=np.float64),
            np.array(offsets, dtype=np.float64),
            kinds == {"sklearn_tree"},
        )

    @property
    def trees_per_group(self) -> int:
        """The largest number of trees of one metric."""
        return int(np.max(self.group_stop - self.group_start))

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self.float32_features:
            X = X.astype(np.float32).astype(np.float64)
        X = np.ascontiguousarray(X, dtype=np.float64)
        out = np.empty((X.shape[0], self.group_start.shape[0]), dtype=np.float64)
        predict_flat_trees(
            X,
            self.nodes,
            self.value,
            self.roots,
            self.group_start,
            self.group_stop,
            self.scale,
            self.offset,
            out,
        )
        return out


def _flatten(regressor: Any) -> tuple[str, list[tuple[np.ndarray, ...]], float, float] | None:
    from sklearn.ensemble import (
        ExtraTreesRegressor,
        HistGradientBoostingRegressor,
        RandomForestRegressor,
    )
    from sklearn.tree import DecisionTreeRegressor

    if isinstance(regressor, RandomForestRegressor | ExtraTreesRegressor | DecisionTreeRegressor):
        if getattr(regressor, "n_outputs_", 1) != 1:
            return None
        members = []
        estimators = getattr(regressor, "estimators_", [regressor])
        for estimator in estimators:
            tree = estimator.tree_
            members.append(
                (
                    np.maximum(tree.feature, 0),
                    tree.threshold,
                    tree.children_left,
                    tree.children_right,
                    tree.value[:, 0, 0],
                )
            )
        return "sklearn_tree", members, 1.0 / len(members), 0.0
    if isinstance(regressor, HistGradientBoostingRegressor):
        if getattr(regressor, "is_categorical_", None) is not None:
            return None
        members = []
        for (predictor,) in regressor._predictors:
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            members.append(
                (
                    np.where(leaf, 0, nodes["feature_idx"].astype(np.int64)),
                    nodes["num_threshold"],
                    np.where(leaf, -1, nodes["left"].astype(np.int64)),
                    np.where(leaf, -1, nodes["right"].astype(np.int64)),
                    nodes["value"],
                )
            )
        baseline = float(np.ravel(regressor._baseline_prediction)[0])
        return "hgb_tree", members, 1.0, baseline
    return None
