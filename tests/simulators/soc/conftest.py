"""Fixtures for the SoC model tests: FARSI's database files."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def farsi_dir(shared_data: Path) -> Path:
    """FARSI's database CSV files as ArchGym ships them (shared reference data)."""
    path = shared_data / "soc" / "farsi_workloads"
    if not path.is_dir():
        pytest.skip(f"FARSI reference data folder {path} is absent")
    return path
