"""Networks, placement of parallel groups on dimensions, and layout checks."""

from __future__ import annotations

import pytest

from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulators.distributed.layout import ParallelLayout, check_layout, stage_layers
from archgym.simulators.distributed.network import (
    Dimension,
    GroupSlice,
    Network,
    merge_slices,
    network_from_lists,
    place_groups,
)
from archgym.simulators.distributed.workloads import TransformerModel


def test_megatron_placement_puts_tensor_parallelism_inside_a_node():
    # Selene-like: 8 GPUs on NVSwitch, 16 nodes; tp 8, dp 4, pp 4
    net = network_from_lists(["Switch", "Switch"], [8, 16], [300, 25], [900, 2000])
    placed = place_groups(net, [("tp", 8), ("sp", 1), ("dp", 4), ("pp", 4)])
    assert placed == {
        "tp": (GroupSlice(0, 8, 1),),
        "sp": (),
        "dp": (GroupSlice(1, 4, 1),),
        "pp": (GroupSlice(1, 4, 4),),
    }


def test_a_group_can_share_a_dimension_and_span_into_the_next():
    net = network_from_lists(["Ring", "Ring", "Switch"], [4, 4, 8], [1, 1, 1], [1, 1, 1])
    placed = place_groups(net, [("tp", 2), ("sp", 4), ("dp", 8), ("pp", 2)])
    assert placed["tp"] == (GroupSlice(0, 2, 1),)
    assert placed["sp"] == (GroupSlice(0, 2, 2), GroupSlice(1, 2, 1))
    assert placed["dp"] == (GroupSlice(1, 2, 2), GroupSlice(2, 4, 1))
    assert placed["pp"] == (GroupSlice(2, 2, 4),)
    # the replicas (sequence then data ranks) join into one group
    assert merge_slices(placed["sp"], placed["dp"]) == (
        GroupSlice(0, 2, 2),
        GroupSlice(1, 4, 1),
        GroupSlice(2, 4, 1),
    )


def test_groups_that_do_not_tile_the_network_are_infeasible():
    net = network_from_lists(["Ring", "Switch"], [6, 4], [1, 1], [1, 1])
    with pytest.raises(InvalidDesignError, match="tp group of 4 NPUs does not tile"):
        place_groups(net, [("tp", 4), ("dp", 6)])
    with pytest.raises(InvalidDesignError, match="= 12 do not match the 24 NPUs"):
        place_groups(net, [("tp", 2), ("dp", 6)])


def test_dimension_checks_and_network_size():
    with pytest.raises(ConfigError, match="topology 'Torus'"):
        Dimension("Torus", 4, 10.0, 1.0)
    with pytest.raises(ConfigError, match="bandwidth must be positive"):
        Dimension("Ring", 4, 0.0, 1.0)
    with pytest.raises(ConfigError, match="same number of dimensions"):
        network_from_lists(["Ring"], [4, 4], [1.0], [1.0])
    net = Network((Dimension("Ring", 4, 10.0, 1.0), Dimension("FullyConnected", 8, 5.0, 1.0)))
    assert net.npus == 32
    # ring: 2 links per NPU; fully connected: 7 links per NPU
    assert net.link_bandwidth_tbs == pytest.approx((32 * 2 * 10 + 32 * 7 * 5) / 1e3)


def test_stage_layers_are_as_even_as_possible():
    assert stage_layers(105, 35) == [3] * 35
    assert stage_layers(10, 4) == [3, 3, 2, 2]


LAYOUT_CASE = {"seq_len": 2048, "sequences": 64, "npus": 64}
MODEL = TransformerModel("m", 8, 1024, 16, 4096, 1000)


def test_check_layout_returns_micro_batches_per_replica():
    layout = ParallelLayout(dp=8, tp=4, pp=2, micro_batch_size=2)
    assert check_layout(layout, MODEL, **LAYOUT_CASE) == 4  # 64 / 8 replicas / 2


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        (ParallelLayout(dp=4, tp=4, pp=2), "= 32, not the 64 NPUs"),
        (ParallelLayout(dp=2, tp=32), "tp 32 does not divide the 16 attention heads"),
        (ParallelLayout(dp=1, tp=8, sp=8), "sp 8 does not divide the 2 heads per tensor rank"),
        (ParallelLayout(dp=4, tp=2, pp=8, schedule="interleaved"), "8 layers cannot fill 8"),
        (ParallelLayout(dp=64, micro_batch_size=2), "micro-batch size 2 does not divide the 1"),
    ],
)
def test_check_layout_names_the_rule_broken(layout, message):
    with pytest.raises(InvalidDesignError, match=message):
        check_layout(layout, MODEL, **LAYOUT_CASE)


def test_layout_rejects_unknown_options():
    with pytest.raises(InvalidDesignError, match="recomputation 'some'"):
        ParallelLayout(recomputation="some")
    with pytest.raises(InvalidDesignError, match="dp must be a positive integer"):
        ParallelLayout(dp=0)
