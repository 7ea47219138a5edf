"""Merging trajectory datasets from several runs, with duplicate designs handled.

Two rows are the same design when they share env id, workload and every knob value.
Simulators are deterministic, so duplicates should agree on every metric; a
disagreement (a changed simulator, a different trace behind the same workload name)
is an error unless the caller asks to keep the first, last or mean result.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from archgym.errors import ConfigError, DatasetError

DUPLICATE_POLICIES = ("first", "last", "mean", "all")


def merge_datasets(
    sources: Iterable[pd.DataFrame | str | os.PathLike[str]],
    knobs: Sequence[str],
    metrics: Sequence[str],
    *,
    duplicates: str = "first",
    check: bool = True,
    rtol: float = 1e-9,
) -> pd.DataFrame:
    """One DataFrame of the rows of every source (DataFrames or paths/globs).

    ``duplicates``: "first" or "last" keeps that row of each design, "mean" averages
    the metrics of valid duplicates (keeping the first row's other columns), "all"
    keeps every row. With ``check``, duplicates whose metrics differ by more than
    ``rtol`` (relative) raise DatasetError naming the design, unless ``duplicates`` is
    "mean" or "all". Every source must have the knob and metric columns (DatasetError
    naming the source and the missing columns). Invalid rows (``valid`` False) are
    kept; a design that is valid in one row and invalid in another is a conflict.
    """
    from archgym.data.loading import load_trajectories

    if duplicates not in DUPLICATE_POLICIES:
        raise ConfigError(
            f"duplicates={duplicates!r} is not one of {', '.join(DUPLICATE_POLICIES)}"
        )
    frames = []
    for i, source in enumerate(sources):
        frame = source if isinstance(source, pd.DataFrame) else load_trajectories(source)
        name = f"source {i}" if isinstance(source, pd.DataFrame) else str(source)
        missing = [c for c in [*knobs, *metrics] if c not in frame.columns]
        if missing:
            raise DatasetError(f"{name} lacks column(s) {', '.join(map(repr, missing))}")
        frames.append(frame)
    if not frames:
        raise DatasetError("no datasets to merge")
    data = pd.concat(frames, ignore_index=True)
    keys = [c for c in ("env_id", "workload") if c in data.columns] + list(knobs)
    if duplicates == "all":
        return data
    if check and duplicates in ("first", "last"):
        _check_consistent(data, keys, list(metrics), rtol)
    if duplicates in ("first", "last"):
        return data.drop_duplicates(subset=keys, keep=duplicates).reset_index(drop=True)
    first = data.drop_duplicates(subset=keys, keep="first").set_index(keys)
    valid = data if "valid" not in data.columns else data[data["valid"].astype(bool)]
    means = valid.groupby(keys, sort=False, dropna=False)[list(metrics)].mean()
    first.loc[means.index, list(metrics)] = means
    return first.reset_index()[data.columns].reset_index(drop=True)


def _check_consistent(data: pd.DataFrame, keys: list[str], metrics: list[str], rtol: float) -> None:
    repeated = data[data.duplicated(subset=keys, keep=False)]
    if repeated.empty:
        return
    columns = [*metrics, *(["valid"] if "valid" in data.columns else [])]
    values = repeated[columns].astype(float)
    grouped = values.groupby([repeated[k] for k in keys], sort=False, dropna=False)
    low, high = grouped.min(), grouped.max()
    nan_mismatch = grouped.apply(lambda g: g.isna().any() & ~g.isna().all())
    spread = (high - low).abs() > rtol * np.maximum(low.abs(), high.abs())
    bad = spread.any(axis=1) | nan_mismatch.any(axis=1)
    if bad.any():
        design = bad[bad].index[0]
        values = design if isinstance(design, tuple) else (design,)
        example = {
            k: v.item() if isinstance(v, np.generic) else v
            for k, v in zip(keys, values, strict=True)
        }
        raise DatasetError(
            f"{int(bad.sum())} duplicated design(s) have different results, e.g. {example}; "
            "use duplicates='mean' or 'all' to keep them anyway"
        )
