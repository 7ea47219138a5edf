"""Small workloads and networks for the distributed model's tests."""

from __future__ import annotations

import pytest

from archgym.simulators.distributed import (
    DeviceSpec,
    TrainingWorkload,
    TransformerModel,
    uniform_system,
)
from archgym.simulators.distributed.network import network_from_lists

SMALL = TransformerModel("small", 8, 1024, 16, 4096, 51200)


@pytest.fixture
def small_training() -> TrainingWorkload:
    """A 8-layer, 1024-wide GPT: 64 sequences of 2048 tokens."""
    return TrainingWorkload(SMALL, 64, 2048)


@pytest.fixture
def two_level():
    """8 NPUs on a switch, 8 such nodes on a slower switch (64 NPUs)."""
    return network_from_lists(["Switch", "Switch"], [8, 8], [300.0, 25.0], [1000.0, 2000.0])


@pytest.fixture
def ring_system():
    return uniform_system(2, "ring")


@pytest.fixture
def a100() -> DeviceSpec:
    return DeviceSpec("A100", 312.0, 2039.0, 80.0, 0.65, 0.8)
