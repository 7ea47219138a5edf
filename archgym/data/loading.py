"""Loading trajectory datasets written by TrajectoryRecorder (or any agent run)."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from archgym.errors import DatasetError


def trajectory_files(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> list[Path]:
    """Parquet files named by a file, a folder (searched recursively), a glob, or a list.

    Hidden files (temporary parts of an interrupted write) are ignored. Raises
    DatasetError when nothing matches.
    """
    sources = [source] if isinstance(source, str | os.PathLike) else list(source)
    files: list[Path] = []
    for item in sources:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.parquet")))
        elif path.is_file():
            files.append(path)
        else:
            files.extend(Path(p) for p in sorted(glob.glob(str(item), recursive=True)))
    files = [f for f in dict.fromkeys(files) if not f.name.startswith(".")]
    if not files:
        raise DatasetError(f"no trajectory files (*.parquet) found at {source!s}")
    return files


def read_parquet(path: str | os.PathLike[str], what: str) -> pd.DataFrame:
    """One Parquet file as a DataFrame; DatasetError naming ``what`` and the file when it
    cannot be read (missing, truncated, not Parquet)."""
    try:
        return pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a corrupt file
        raise DatasetError(f"cannot read {what} file {path}: {error}") from error


def load_trajectories(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> pd.DataFrame:
    """One DataFrame of every row in the files ``source`` names.

    Each knob and each metric is its own column; rows are sorted by run and step.
    """
    frames = [read_parquet(path, "trajectory") for path in trajectory_files(source)]
    data = pd.concat(frames, ignore_index=True)
    if {"run_id", "step"} <= set(data.columns):
        data = data.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)
    return data
