"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# The suite (and CI) draws the same property-test examples on every run, so a result
# never depends on luck. `pytest --hypothesis-profile=explore` draws new ones each run
# (`--hypothesis-seed=N` repeats one of them): run it after changing a reader.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("repeatable")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only reference data beside the repository (ArchGym's workloads)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture
def archgym_gpt3_workload() -> dict:
    """ArchGym's ASTRA-sim workload config for GPT-3 175B on 1,024 NPUs (the values of
    its ``astrasim_220_example/NEW_workload_cfg_1.1_gpt3_175b.json``), as a dict."""
    return {
        "num_npus": 1024,
        "dp": 8,
        "pp": 4,
        "sp": 8,
        "weight_sharded": 1,
        "din": 12288,
        "dout": 12288,
        "dff": 49152,
        "dmodel": 12288,
        "batch": 2048,
        "seq": 2048,
        "head": 96,
        "num_stacks": 4,
    }
