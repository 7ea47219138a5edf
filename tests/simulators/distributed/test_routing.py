"""Alpha-beta multipliers of each algorithm, checked against the textbook cost formulas.

A phase's time is hops x link latency + load x bytes / bandwidth (plus rounds x endpoint
delay), so each textbook formula fixes ``hops`` and ``load`` exactly.
"""

from __future__ import annotations

import math

import pytest

from archgym.simulators.distributed.routing import phase_cost, send_cost

P = [2, 4, 8, 16]


@pytest.mark.parametrize("p", P)
def test_ring_all_reduce_on_a_ring_is_2_p_minus_1_steps_of_n_over_p(p):
    cost = phase_cost("ring", "all_reduce", "Ring", p, p, 1)
    assert cost.hops == 2 * (p - 1)
    assert cost.rounds == 2 * (p - 1)
    assert cost.load == pytest.approx(2 * (p - 1) / p)
    # one direction of a bidirectional ring: a second chunk could use the other
    assert cost.parallelism == pytest.approx(2.0)


@pytest.mark.parametrize("p", P)
def test_ring_reduce_scatter_and_all_gather_are_half_an_all_reduce(p):
    for kind in ("reduce_scatter", "all_gather"):
        cost = phase_cost("ring", kind, "Ring", p, p, 1)
        assert (cost.hops, cost.load) == (p - 1, pytest.approx((p - 1) / p))


@pytest.mark.parametrize("p", P)
def test_halving_doubling_on_a_switch_is_2_log_p_rounds_of_two_hops(p):
    # Rabenseifner: 2 log2(p) alpha + 2 (p-1)/p n beta; a switch path is two links
    cost = phase_cost("halvingDoubling", "all_reduce", "Switch", p, p, 1)
    assert cost.rounds == 2 * math.log2(p)
    assert cost.hops == 2 * 2 * math.log2(p)
    assert cost.load == pytest.approx(2 * (p - 1) / p)


@pytest.mark.parametrize("p", P)
def test_direct_all_reduce_on_fully_connected_is_two_rounds_of_n_over_p(p):
    # every pair has its own link: reduce-scatter and all-gather in one round each
    cost = phase_cost("direct", "all_reduce", "FullyConnected", p, p, 1)
    assert (cost.rounds, cost.hops) == (2, 2.0)
    assert cost.load == pytest.approx(2 / p)


@pytest.mark.parametrize("p", P)
def test_direct_on_a_switch_sends_everything_through_one_port(p):
    cost = phase_cost("direct", "reduce_scatter", "Switch", p, p, 1)
    assert (cost.rounds, cost.hops) == (1, 2.0)
    assert cost.load == pytest.approx((p - 1) / p)


@pytest.mark.parametrize("p", [4, 8, 16])
def test_double_binary_tree_on_a_switch_is_2_log_p_levels_and_2n(p):
    # two trees, each reducing and broadcasting n/2; every rank is an inner node of one
    # tree: it receives n/2 from each of two children, so each port carries n per phase
    cost = phase_cost("doubleBinaryTree", "all_reduce", "Switch", p, p, 1)
    depth = math.log2(p)
    assert cost.hops == 2 * 2 * depth
    assert cost.load == pytest.approx(2.0)
    # on dedicated links the two children's halves arrive on different links
    assert phase_cost("doubleBinaryTree", "all_reduce", "FullyConnected", p, p, 1).load == 1.0


def test_double_binary_tree_serves_every_collective_as_an_all_reduce():
    # as in ASTRA-sim, which builds a DoubleBinaryTreeAllReduce whatever is asked
    reference = phase_cost("doubleBinaryTree", "all_reduce", "Ring", 8, 8, 1)
    for kind in ("reduce_scatter", "all_gather", "all_to_all"):
        assert phase_cost("doubleBinaryTree", kind, "Ring", 8, 8, 1) == reference


def test_all_to_all_by_ring_forwards_what_is_not_yet_delivered():
    # round k carries (p-k)/p of the data: (p-1)/2 in all
    cost = phase_cost("ring", "all_to_all", "Ring", 8, 8, 1)
    assert cost.load == pytest.approx(7 / 2)
    assert phase_cost("direct", "all_to_all", "Switch", 8, 8, 1).load == pytest.approx(7 / 8)
    bruck = phase_cost("halvingDoubling", "all_to_all", "FullyConnected", 8, 8, 1)
    assert (bruck.rounds, bruck.load) == (3, pytest.approx(1.5))  # log2 p rounds of n/2


def test_direct_on_a_ring_routes_every_pair_along_the_shorter_arc():
    # p = 8: distances 1, 2, 3 each way and 4 split between both: per directed link
    # (1/8) * (1 + 2 + 3 + 4/2 ... ) = 1 for one reduce-scatter
    cost = phase_cost("direct", "reduce_scatter", "Ring", 8, 8, 1)
    assert cost.hops == 4 and cost.load == pytest.approx(1.0)


def test_strided_groups_on_a_ring_share_links():
    # four groups of two, four positions apart: each message travels four links, half
    # each way round, and every link carries a share of all four groups' messages
    alone = phase_cost("ring", "all_reduce", "Ring", 2, 2, 1)
    strided = phase_cost("ring", "all_reduce", "Ring", 8, 2, 4)
    assert strided.hops == 4 * alone.hops
    assert strided.load == pytest.approx(2 * alone.load)
    # a switch does not care where the group sits
    assert phase_cost("ring", "all_reduce", "Switch", 8, 2, 4) == phase_cost(
        "ring", "all_reduce", "Switch", 2, 2, 1
    )


def test_halving_doubling_folds_the_ranks_beyond_a_power_of_two():
    six = phase_cost("halvingDoubling", "reduce_scatter", "Switch", 6, 6, 1)
    four = phase_cost("halvingDoubling", "reduce_scatter", "Switch", 4, 4, 1)
    # one extra round of the full data before and one after
    assert six.rounds == four.rounds + 2
    assert six.load == pytest.approx(four.load + 2.0)


def test_a_group_of_one_costs_nothing_and_bad_names_are_rejected():
    assert phase_cost("ring", "all_reduce", "Ring", 8, 1, 8).load == 0.0
    with pytest.raises(ValueError, match="algorithm"):
        phase_cost("butterfly", "all_reduce", "Ring", 8, 8, 1)
    with pytest.raises(ValueError, match="does not fit"):
        phase_cost("ring", "all_reduce", "Ring", 8, 4, 4)


def test_a_pipeline_hand_off_is_one_message_to_the_next_rank():
    assert send_cost("Switch", 8, 8, 1).hops == 2.0
    ring = send_cost("Ring", 8, 4, 2)  # stages two positions apart
    assert ring.hops == 2.0 and ring.load == pytest.approx(2.0)  # two groups interleave
