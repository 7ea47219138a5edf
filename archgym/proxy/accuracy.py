"""Accuracy of proxy models: held-out split and k-fold, per metric.

"0.61% RMSE" is ambiguous, so both normalisations are reported:

- ``nrmse_mean_pct`` = 100 * RMSE / mean(simulated values of the test set)
- ``nrmse_range_pct`` = 100 * RMSE / (max - min of the simulated values of the test set)

plus RMSE (in the metric's unit), MAPE (%) and R^2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from archgym.errors import ConfigError
from archgym.proxy.model import ProxyModel
from archgym.proxy.training import TrainingSet

ACCURACY_COLUMNS = (
    "metric",
    "unit",
    "n_test",
    "rmse",
    "nrmse_mean_pct",
    "nrmse_range_pct",
    "mape_pct",
    "r2",
)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """RMSE, RMSE/mean and RMSE/range (both in %), MAPE (%) and R^2 of predictions."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ConfigError("accuracy needs two non-empty arrays of the same shape")
    error = y_pred - y_true
    rmse = float(np.sqrt(np.mean(error**2)))
    mean = float(np.mean(y_true))
    span = float(np.max(y_true) - np.min(y_true))
    variance = float(np.sum((y_true - mean) ** 2))
    nonzero = y_true != 0
    return {
        "rmse": rmse,
        "nrmse_mean_pct": 100.0 * rmse / abs(mean) if mean else float("nan"),
        "nrmse_range_pct": 100.0 * rmse / span if span else float("nan"),
        "mape_pct": float(100.0 * np.mean(np.abs(error[nonzero] / y_true[nonzero])))
        if nonzero.any()
        else float("nan"),
        "r2": 1.0 - float(np.sum(error**2)) / variance if variance else float("nan"),
    }


def evaluate_proxy(model: ProxyModel, data: pd.DataFrame) -> pd.DataFrame:
    """Accuracy table (ACCURACY_COLUMNS, one row per metric) of ``model`` on ``data``.

    ``data`` holds one column per knob and per modelled metric (valid rows only).
    """
    predicted = model.predict(data)
    units = {m["name"]: m["unit"] for m in model.metadata.get("metrics", [])}
    rows = []
    for name in model.metric_names:
        scores = accuracy(data[name].to_numpy(dtype=np.float64), predicted[name].to_numpy())
        rows.append({"metric": name, "unit": units.get(name, ""), "n_test": len(data), **scores})
    return pd.DataFrame(rows, columns=list(ACCURACY_COLUMNS))


@dataclass
class HoldoutResult:
    """A model trained on the training split, its accuracy table and the test split."""

    model: ProxyModel
    table: pd.DataFrame
    test: pd.DataFrame
    predicted: pd.DataFrame


def split_rows(n: int, test_fraction: float, seed: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Random (train, test) index arrays; ConfigError unless 0 < test_fraction < 1."""
    if not 0.0 < test_fraction < 1.0:
        raise ConfigError(f"test_fraction must be in (0, 1), got {test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    n_test = max(1, int(round(n * test_fraction)))
    if n_test >= n:
        raise ConfigError(f"{n} unique designs are too few to hold out {test_fraction:.0%}")
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def holdout_evaluation(
    data: pd.DataFrame,
    reference: Any,
    metrics: Sequence[str] | None = None,
    *,
    test_fraction: float = 0.2,
    max_train: int | None = None,
    workload: str | None = None,
    seed: int | None = 0,
    **train_options: Any,
) -> HoldoutResult:
    """Train on a random split of the unique valid designs and score the rest.

    ``max_train`` caps the training split (its first rows in random order).
    ``train_options`` go to :func:`archgym.proxy.model.fit_proxy` (model, hyperparameters,
    log_targets).
    """
    training = TrainingSet.prepare(data, reference, metrics, workload=workload)
    rows = training.rows
    train_idx, test_idx = split_rows(len(rows), test_fraction, seed)
    if max_train is not None:
        train_idx = train_idx[: int(max_train)]
    test = rows.iloc[test_idx].reset_index(drop=True)
    model = training.fit(rows.iloc[train_idx], seed=seed, **train_options)
    return HoldoutResult(model, evaluate_proxy(model, test), test, model.predict(test))


def cross_validate(
    data: pd.DataFrame,
    reference: Any,
    metrics: Sequence[str] | None = None,
    *,
    k: int = 5,
    workload: str | None = None,
    seed: int | None = 0,
    **train_options: Any,
) -> pd.DataFrame:
    """k-fold accuracy: per metric, the mean and standard deviation over folds.

    Columns: metric, unit, folds, then ``<score>_mean`` and ``<score>_std`` for rmse,
    nrmse_mean_pct, nrmse_range_pct, mape_pct and r2.
    """
    from sklearn.model_selection import KFold

    if int(k) < 2:
        raise ConfigError(f"k-fold needs k >= 2, got {k}")
    training = TrainingSet.prepare(data, reference, metrics, workload=workload)
    rows = training.rows
    if len(rows) < k:
        raise ConfigError(f"{len(rows)} unique designs are too few for {k}-fold validation")
    tables = []
    folds = KFold(n_splits=int(k), shuffle=True, random_state=seed)
    for train_idx, test_idx in folds.split(rows):
        model = training.fit(rows.iloc[train_idx], seed=seed, **train_options)
        tables.append(evaluate_proxy(model, rows.iloc[test_idx].reset_index(drop=True)))
    stacked = pd.concat(tables)
    scores = ["rmse", "nrmse_mean_pct", "nrmse_range_pct", "mape_pct", "r2"]
    grouped = stacked.groupby("metric", sort=False)
    out = grouped[["unit"]].first()
    out.insert(1, "folds", int(k))
    for score in scores:
        out[f"{score}_mean"] = grouped[score].mean()
        out[f"{score}_std"] = grouped[score].std(ddof=1)
    return out.reset_index()
