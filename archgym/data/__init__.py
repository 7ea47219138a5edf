"""Trajectory datasets: recording evaluations to Parquet and loading them back."""

from __future__ import annotations

from archgym.data.loading import load_trajectories
from archgym.data.recorder import TRAJECTORY_COLUMNS, TrajectoryRecorder

__all__ = ["TRAJECTORY_COLUMNS", "TrajectoryRecorder", "load_trajectories"]
