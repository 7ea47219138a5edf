"""Fixtures of the accelerator-model tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def accel_data(shared_data: Path) -> Path:
    """The accelerator reference files (Timeloop layer shapes, GAMMA tables, reference run)."""
    path = shared_data / "accelerator"
    if not path.is_dir():
        pytest.skip(f"accelerator reference data {path} is absent")
    return path


@pytest.fixture(scope="session")
def timeloop_reference_dir(accel_data: Path) -> Path:
    path = accel_data / "timeloop_eyeriss_like_reference"
    if not (path / "timeloop-mapper.stats.txt").is_file():
        pytest.skip(f"Timeloop reference outputs absent from {path}")
    return path
