"""Figures for proxy models: predicted-versus-simulated scatter and accuracy curves.

matplotlib is imported inside the functions (see :mod:`archgym.plotting`), so importing
:mod:`archgym.proxy` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from archgym.plotting import pyplot, save_figure


def plot_predicted_vs_simulated(
    simulated: pd.DataFrame,
    predicted: pd.DataFrame,
    metrics: Sequence[str],
    path: str | os.PathLike[str],
    *,
    units: Mapping[str, str] | None = None,
    title: str = "",
    max_points: int = 5000,
    x_name: str = "simulated",
    y_name: str = "predicted",
    max_columns: int | None = None,
) -> Path:
    """One scatter panel per metric (``simulated`` on x, ``predicted`` on y, y = x dashed); PNG.

    ``x_name`` / ``y_name`` label the axes; ``max_columns`` wraps the panels into rows.
    """
    plt = pyplot()
    columns = min(len(metrics), max_columns or len(metrics))
    rows = -(-len(metrics) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 4.0 * rows), squeeze=False)
    n = len(simulated)
    pick = np.arange(n)
    if n > max_points:
        pick = np.random.default_rng(0).choice(n, max_points, replace=False)
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, metrics, strict=False):
        x = simulated[name].to_numpy(dtype=float)[pick]
        y = predicted[name].to_numpy(dtype=float)[pick]
        low, high = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
        ax.scatter(x, y, s=4 if n > 200 else 12, alpha=0.4 if n > 200 else 0.7)
        ax.plot([low, high], [low, high], "k--", lw=1)
        unit = (units or {}).get(name, "")
        label = f"{name} [{unit}]" if unit else name
        ax.set_xlabel(f"{x_name} {label}")
        ax.set_ylabel(f"{y_name} {label}")
        ax.tick_params(axis="x", labelrotation=30)
        ax.set_title(name)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def plot_learning_curves(
    curves: Mapping[str, pd.DataFrame],
    metrics: Sequence[str],
    path: str | os.PathLike[str],
    *,
    score: str = "nrmse_mean_pct",
    title: str = "",
    target: float | None = None,
) -> Path:
    """Accuracy ``score`` against training-set size, one line per curve label, one
    panel per metric (log-log axes); ``target`` draws a horizontal line."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.8), squeeze=False)
    for ax, name in zip(axes[0], metrics, strict=True):
        for label, curve in curves.items():
            rows = curve[curve["metric"] == name].sort_values("n_samples")
            ax.plot(rows["n_samples"], rows[score], marker="o", ms=3, label=label)
        if target is not None:
            ax.axhline(target, color="k", ls=":", lw=1, label=f"target {target:g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("simulated designs (training-set size)")
        ax.set_ylabel(score)
        ax.set_title(name)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)
