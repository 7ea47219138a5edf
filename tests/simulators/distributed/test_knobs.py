"""Every knob of both spaces changes what the model computes, on some workload.

Each row names a knob, the design it is varied on (the base design plus a context)
and two values; the metrics of the two designs must differ. The parallel degrees are
constrained to multiply to the NPU count, so their rows move a partner knob too. A knob
added to a space without a row here fails the coverage test.
"""

from __future__ import annotations

import pytest

from archgym.simulators.distributed import (
    BaseDesign,
    DistributedSimulator,
    InferenceSimulator,
    InferenceWorkload,
    ParallelLayout,
    TrainingWorkload,
    uniform_system,
)
from archgym.simulators.distributed.network import network_from_lists

from .conftest import SMALL

NETWORK = network_from_lists(["Ring", "Switch"], [8, 8], [100, 50], [500, 1000])
BASE = BaseDesign(
    NETWORK, uniform_system(2, "ring", preferred_dataset_splits=4), ParallelLayout(dp=16, tp=4)
)
SHARDED = {"weight_sharded": 1, "dp": 64, "tp": 1}
SEQUENCE = {"sp": 4, "tp": 2, "dp": 8}

# knob: (context, first, second); first and second are values of the knob, or dicts
# that also move a partner knob
COMMON = {
    "active_chunks_per_dimension": ({}, 1, 2),
    "preferred_dataset_splits": ({}, 1, 16),
    "collective_optimization": ({}, "baseline", "localBWAware"),
    "all_reduce_implementation_dim0": ({}, "ring", "halvingDoubling"),
    "all_reduce_implementation_dim1": ({}, "ring", "direct"),
    "all_gather_implementation_dim0": (SHARDED, "ring", "doubleBinaryTree"),
    "all_gather_implementation_dim1": (SHARDED, "ring", "doubleBinaryTree"),
    "all_to_all_implementation_dim0": (SEQUENCE, "ring", "direct"),
    "all_to_all_implementation_dim1": ({"sp": 2, "tp": 8, "dp": 4}, "ring", "doubleBinaryTree"),
    "topology_dim0": ({}, "Ring", "Switch"),
    "topology_dim1": ({}, "Switch", "Ring"),
    # 8 x 8 NPUs -> 16 x 4 (or 4 x 16): still 64
    "npus_count_dim0": ({}, 8, {"npus_count_dim0": 16, "npus_count_dim1": 4}),
    "npus_count_dim1": ({}, 8, {"npus_count_dim1": 16, "npus_count_dim0": 4}),
    "bandwidth_dim0": ({}, 50, 500),
    "bandwidth_dim1": ({}, 50, 500),
    "latency_dim0": ({}, 20, 2000),
    "latency_dim1": ({}, 20, 2000),
    # dp x tp x pp x sp stays 64
    "dp": ({}, 16, {"dp": 32, "tp": 2}),
    "tp": ({}, 4, {"tp": 8, "dp": 8}),
    "pp": ({}, 1, {"pp": 2, "dp": 8}),
    "sp": ({"tp": 2, "dp": 32}, 1, {"sp": 4, "dp": 8}),
    "weight_sharded": ({}, 0, 1),
    "micro_batch_size": ({}, 1, 2),
}
TRAINING_ONLY = {
    "scheduling_policy": ({"dp": 64, "tp": 1, "bandwidth_dim1": 50}, "LIFO", "FIFO"),
    "reduce_scatter_implementation_dim0": (SHARDED, "ring", "doubleBinaryTree"),
    "reduce_scatter_implementation_dim1": (SHARDED, "ring", "doubleBinaryTree"),
    "activation_recomputation": ({}, "none", "full"),
    "pipeline_schedule": ({"pp": 2, "dp": 8}, "1F1B", "interleaved"),
    "virtual_stages": ({"pp": 2, "dp": 8, "pipeline_schedule": "interleaved"}, 2, 4),
}
TRAINING_ROWS = COMMON | TRAINING_ONLY
# serving has no gradient reduction: dimension 1 carries traffic once the tensor
# group spans it
WIDE_TENSOR = {"tp": 16, "dp": 4}
INFERENCE_ROWS = COMMON | {
    "collective_optimization": (WIDE_TENSOR, "baseline", "localBWAware"),
    "all_reduce_implementation_dim1": (
        WIDE_TENSOR | {"npus_count_dim0": 4, "npus_count_dim1": 16},
        "ring",
        "direct",
    ),
    "latency_dim1": (WIDE_TENSOR, 20, 2000),
    "npus_count_dim0": (WIDE_TENSOR, 8, {"npus_count_dim0": 16, "npus_count_dim1": 4}),
}


def training_simulator() -> DistributedSimulator:
    return DistributedSimulator(TrainingWorkload(SMALL, 64, 2048), BASE, "A100")


def inference_simulator() -> InferenceSimulator:
    return InferenceSimulator(InferenceWorkload(SMALL, 64, 1024, 64), BASE, "A100")


def design_for(simulator, knob: str, context: dict, choice) -> dict:
    full = simulator.full_design(context)
    full.update(choice if isinstance(choice, dict) else {knob: choice})
    return {name: full[name] for name in simulator.design_space.names}


def check_row(simulator, knob: str, row) -> None:
    context, first, second = row
    a = simulator.evaluate(design_for(simulator, knob, context, first))
    b = simulator.evaluate(design_for(simulator, knob, context, second))
    changed = [m for m in a if a[m] != pytest.approx(b[m], rel=1e-9, abs=0)]
    assert changed, f"{knob}: {first!r} and {second!r} give the same metrics"


@pytest.mark.parametrize("knob", sorted(TRAINING_ROWS))
def test_every_training_knob_changes_the_result(knob):
    check_row(training_simulator(), knob, TRAINING_ROWS[knob])


@pytest.mark.parametrize("knob", sorted(INFERENCE_ROWS))
def test_every_serving_knob_changes_the_result(knob):
    check_row(inference_simulator(), knob, INFERENCE_ROWS[knob])


def test_the_tables_cover_both_spaces():
    assert set(training_simulator().design_space.names) == set(TRAINING_ROWS)
    assert set(inference_simulator().design_space.names) == set(INFERENCE_ROWS)
