"""Fixtures for the external-simulator tests: stand-in binaries and small workloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulators.external.standins import SOURCES, write_standin


@pytest.fixture(scope="session")
def standins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every stand-in binary, written once per session: tool name -> executable path."""
    directory = tmp_path_factory.mktemp("standins")
    return {tool: write_standin(directory, tool) for tool in SOURCES}


@pytest.fixture(scope="session")
def small_trace():
    """100 reads of consecutive 64-byte lines, one per cycle (a 100-request stream)."""
    from archgym.simulators.dram import preset_trace

    return preset_trace("stream", 100)
