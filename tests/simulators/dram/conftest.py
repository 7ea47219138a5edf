"""Fixtures for the DRAM simulator tests: specs, address builders, a small-trace runner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from archgym.simulators.dram import ControllerConfig, Trace, builtin_mapping, get_memspec
from archgym.simulators.dram.simulator import SimulationResult, run
from archgym.simulators.dram.spec import MemSpec


@pytest.fixture(scope="session")
def ddr3() -> MemSpec:
    return get_memspec("DDR3-1600")


@pytest.fixture(scope="session")
def ddr4() -> MemSpec:
    return get_memspec("DDR4-2400")


@pytest.fixture(scope="session")
def address() -> Callable[..., int]:
    """address(spec, bank_group=0, bank=0, row=0, column=0): a byte address (rbc mapping)."""

    def build(spec: MemSpec, bank_group: int = 0, bank: int = 0, row: int = 0, column: int = 0):
        m = builtin_mapping("rbc", spec)
        value = 0
        for bits, field in (
            (m.bank_group, bank_group),
            (m.bank, bank),
            (m.row, row),
            (m.column, column),
        ):
            for k, bit in enumerate(bits):
                value |= ((field >> k) & 1) << bit
        return value

    return build


@pytest.fixture(scope="session")
def simulate() -> Callable[..., SimulationResult]:
    """simulate(spec, [(cycle, address, is_write), ...], **controller_knobs) -> result.

    Refresh is off unless ``refresh_policy`` is given; the first 200 commands are logged.
    """

    def go(spec: MemSpec, requests: Sequence[tuple[int, int, bool]], **knobs):
        knobs.setdefault("refresh_policy", "NoRefresh")
        trace = Trace(
            "hand",
            np.array([r[0] for r in requests]),
            np.array([r[1] for r in requests], dtype=np.uint64),
            np.array([r[2] for r in requests]),
        )
        mapping = builtin_mapping("rbc", spec)
        return run(spec, mapping, ControllerConfig(**knobs), trace, command_log=200)

    return go


@pytest.fixture(scope="session")
def archgym_traces(shared_data: Path) -> Path:
    """ArchGym's four DRAMGym traces (skips when the reference data is absent)."""
    folder = shared_data / "dram" / "traces"
    if not (folder / "stream.stl").is_file():
        pytest.skip(f"ArchGym traces not found in {folder}")
    return folder
