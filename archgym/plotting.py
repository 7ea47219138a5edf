"""Figures a person would rather look at than read, and the two helpers every figure uses.

matplotlib is imported inside the functions (Agg backend, no display needed), so
importing a module that plots stays light.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure: Any, path: str | os.PathLike[str], *, dpi: float | None = None) -> Path:
    """Write ``figure`` to ``path`` (parent folders created), close it; returns the path.

    ``dpi`` None keeps the figure's own resolution.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi="figure" if dpi is None else dpi)
    pyplot().close(figure)
    return path


def plot_convergence(
    rewards: np.ndarray,
    path: str | os.PathLike[str],
    title: str = "",
    target_step: int | None = None,
) -> Path:
    """Write a PNG of reward per evaluation and best reward so far; returns the path."""
    plt = pyplot()
    rewards = np.asarray(rewards, dtype=float)
    steps = np.arange(1, rewards.size + 1)
    figure, axes = plt.subplots(figsize=(6, 3.6), dpi=120)
    finite = np.isfinite(rewards)
    axes.scatter(steps[finite], rewards[finite], s=6, alpha=0.35, label="reward of each design")
    axes.plot(
        steps, np.maximum.accumulate(np.where(finite, rewards, -np.inf)), lw=2, label="best so far"
    )
    if target_step is not None:
        axes.axvline(target_step, color="tab:green", ls="--", lw=1, label="target first met")
    axes.set_xlabel("simulator evaluations")
    axes.set_ylabel("reward (higher is better)")
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return save_figure(figure, path)
