"""Collective times, hand-computed from the alpha-beta formulas (no endpoint delay)."""

from __future__ import annotations

import math

import pytest

from archgym.simulators.distributed.collectives import collective_time, point_to_point
from archgym.simulators.distributed.network import GroupSlice, network_from_lists
from archgym.simulators.distributed.system import SystemConfig, uniform_system

N = 64e6  # bytes
GB = 1e9


def one_dim(topology: str, p: int, bandwidth: float = 100.0, latency: float = 500.0):
    return network_from_lists([topology], [p], [bandwidth], [latency])


def system(algorithm: str, dims: int = 1, **kwargs) -> SystemConfig:
    return uniform_system(dims, algorithm, endpoint_delay_ns=0.0, **kwargs)


@pytest.mark.parametrize("p", [2, 4, 8, 16])
def test_ring_all_reduce_matches_the_issue_formula(p):
    # 2(p-1)/p * N/B + 2(p-1) * alpha
    net = one_dim("Ring", p, 100.0, 500.0)
    time = collective_time("all_reduce", N, [GroupSlice(0, p, 1)], net, system("ring"))
    expected = 2 * (p - 1) / p * N / (100 * GB) + 2 * (p - 1) * 500e-9
    assert time.seconds == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("p", [4, 8, 16])
def test_halving_doubling_all_reduce_on_a_switch(p):
    # 2 log2(p) alpha + 2 (p-1)/p N/B, with alpha = two link latencies through the switch
    net = one_dim("Switch", p, 50.0, 700.0)
    time = collective_time("all_reduce", N, [GroupSlice(0, p, 1)], net, system("halvingDoubling"))
    expected = 2 * math.log2(p) * 2 * 700e-9 + 2 * (p - 1) / p * N / (50 * GB)
    assert time.seconds == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("p", [4, 8])
def test_direct_all_reduce_on_fully_connected(p):
    # reduce-scatter and all-gather in one round each over p-1 dedicated links:
    # 2 alpha + 2 (N/p)/B
    net = one_dim("FullyConnected", p, 25.0, 700.0)
    time = collective_time("all_reduce", N, [GroupSlice(0, p, 1)], net, system("direct"))
    assert time.seconds == pytest.approx(2 * 700e-9 + 2 * N / p / (25 * GB), rel=1e-12)


@pytest.mark.parametrize("p", [4, 8, 16])
def test_double_binary_tree_all_reduce_on_a_switch(p):
    # 2 log2(p) tree levels of two links, and 2 N / B (each port carries N per phase)
    net = one_dim("Switch", p, 100.0, 1000.0)
    time = collective_time("all_reduce", N, [GroupSlice(0, p, 1)], net, system("doubleBinaryTree"))
    expected = 2 * math.log2(p) * 2 * 1000e-9 + 2 * N / (100 * GB)
    assert time.seconds == pytest.approx(expected, rel=1e-12)


def test_two_dimensional_all_reduce_local_bandwidth_aware():
    # Ring 4 (100 GB/s, 500 ns) x Switch 8 (25 GB/s, 2000 ns), ring algorithm:
    # reduce-scatter in dim 0 on N, all-reduce in dim 1 on N/4, all-gather in dim 0.
    net = network_from_lists(["Ring", "Switch"], [4, 8], [100.0, 25.0], [500.0, 2000.0])
    slices = [GroupSlice(0, 4, 1), GroupSlice(1, 8, 1)]
    rs = 3 * 500e-9 + 3 / 4 * N / (100 * GB)
    ar = 14 * 2 * 2000e-9 + 2 * 7 / 8 * (N / 4) / (25 * GB)
    ag = rs
    time = collective_time("all_reduce", N, slices, net, system("ring", 2))
    assert time.seconds == pytest.approx(rs + ar + ag, rel=1e-12)
    # per-dimension busy time: dim 0 carries both reduce-scatter and all-gather
    assert time.dimension_seconds == pytest.approx((rs + ag, ar))

    # baseline all-reduces the whole buffer in each dimension in turn: slower
    baseline = collective_time(
        "all_reduce", N, slices, net, system("ring", 2, collective_optimization="baseline")
    )
    ar0 = 6 * 500e-9 + 2 * 3 / 4 * N / (100 * GB)
    ar1 = 14 * 2 * 2000e-9 + 2 * 7 / 8 * N / (25 * GB)
    assert baseline.seconds == pytest.approx(ar0 + ar1, rel=1e-12)


def test_reduce_scatter_shrinks_and_all_gather_grows_across_dimensions():
    net = network_from_lists(["Switch", "Switch"], [4, 2], [100.0, 10.0], [0.0, 0.0])
    slices = [GroupSlice(0, 4, 1), GroupSlice(1, 2, 1)]
    rs = collective_time("reduce_scatter", N, slices, net, system("ring", 2))
    # N over dim 0, then N/4 over dim 1
    assert rs.seconds == pytest.approx(3 / 4 * N / (100 * GB) + 1 / 2 * N / 4 / (10 * GB))
    ag = collective_time("all_gather", N, slices, net, system("ring", 2))
    # output N: dim 0 grows N/8 to N/2, dim 1 N/2 to N
    assert ag.seconds == pytest.approx(3 / 4 * N / 2 / (100 * GB) + 1 / 2 * N / (10 * GB))


def test_chunks_pipeline_across_dimensions():
    # S chunks: first chunk through every phase, then S-1 periods of the busiest dimension
    net = network_from_lists(["Switch", "Switch"], [4, 2], [100.0, 10.0], [1000.0, 1000.0])
    slices = [GroupSlice(0, 4, 1), GroupSlice(1, 2, 1)]
    splits = 4
    time = collective_time(
        "reduce_scatter", N, slices, net, system("ring", 2, preferred_dataset_splits=splits)
    )
    phase0 = 3 * 2 * 1000e-9 + 3 / 4 * N / splits / (100 * GB)
    phase1 = 1 * 2 * 1000e-9 + 1 / 2 * N / 4 / splits / (10 * GB)
    assert time.seconds == pytest.approx(phase0 + phase1 + (splits - 1) * max(phase0, phase1))
    # with two active chunks per dimension the latency of one chunk hides behind another
    overlapped = collective_time(
        "reduce_scatter",
        N,
        slices,
        net,
        system("ring", 2, preferred_dataset_splits=splits, active_chunks_per_dimension=2),
    )
    wire0 = 3 / 4 * N / splits / (100 * GB)
    wire1 = 1 / 2 * N / 4 / splits / (10 * GB)
    period = max(wire0, phase0 / 2, wire1, phase1 / 2)
    assert overlapped.seconds == pytest.approx(phase0 + phase1 + (splits - 1) * period)
    assert overlapped.seconds < time.seconds


def test_a_second_active_chunk_uses_the_idle_direction_of_a_ring():
    net = one_dim("Ring", 8, 100.0, 0.0)
    slices = [GroupSlice(0, 8, 1)]
    one = collective_time("all_reduce", N, slices, net, system("ring", preferred_dataset_splits=8))
    two = collective_time(
        "all_reduce",
        N,
        slices,
        net,
        system("ring", preferred_dataset_splits=8, active_chunks_per_dimension=2),
    )
    wire = 2 * 7 / 8 * N / 8 / (100 * GB)
    assert one.seconds == pytest.approx(8 * wire)
    assert two.seconds == pytest.approx(wire + 7 * wire / 2)


def test_empty_groups_and_buffers_cost_nothing():
    net = one_dim("Ring", 8)
    assert collective_time("all_reduce", N, [], net, system("ring")).seconds == 0.0
    assert (
        collective_time("all_reduce", 0.0, [GroupSlice(0, 8, 1)], net, system("ring")).seconds == 0
    )


def test_point_to_point_takes_the_slowest_dimension_of_the_group():
    net = network_from_lists(["Switch", "Ring"], [2, 4], [100.0, 10.0], [1000.0, 500.0])
    hand_off = point_to_point(
        (GroupSlice(0, 2, 1), GroupSlice(1, 4, 1)), net, system("ring", 2), 1e6
    )
    assert hand_off.seconds == pytest.approx(500e-9 + 1e6 / (10 * GB))
