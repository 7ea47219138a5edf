"""Timeloop adapter: arch/problem/mapping rendering, rejections, network sums."""

from __future__ import annotations

import math
import re

import pytest

from archgym.errors import InvalidDesignError
from archgym.simulators.accelerator.workload import Network, conv
from archgym.simulators.external.timeloop import (
    TIMELOOP_DIMS,
    TimeloopSimulator,
    render_mapping,
    render_problem,
)

WS = {
    "pe_count": 64,
    "mesh_x": 8,
    "rf_entries": 16,
    "glb_kib": 64,
    "glb_bandwidth": 16,
    "dataflow": "weight_stationary",
}
OS = {**WS, "dataflow": "output_stationary"}
LAYERS = [
    conv("c3", K=64, C=32, P=14, R=3),
    conv("strided", K=96, C=3, P=55, R=11, stride=4),
    conv("odd", K=10, C=6, P=7, Q=5, R=1),
    conv("wide", K=256, C=256, P=56, R=3),
]


def factors(directive):
    return {d: int(v) for d, v in re.findall(r"([A-Z])(\d+)", directive["factors"])}


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.name)
@pytest.mark.parametrize("design", [WS, OS, {**WS, "pe_count": 16, "mesh_x": 16}])
def test_mapping_factors_multiply_to_the_layer_and_fit_the_array(layer, design):
    mapping = render_mapping(layer, design)["mapping"]
    bounds = render_problem(layer)["problem"]
    product = dict.fromkeys(TIMELOOP_DIMS, 1)
    for directive in mapping:
        if directive["type"] in ("temporal", "spatial"):
            assert sorted(directive["permutation"]) == sorted(TIMELOOP_DIMS)
            for dim, value in factors(directive).items():
                product[dim] *= value
            if directive["type"] == "spatial":
                x, y = (
                    factors(directive)["K"],
                    math.prod(factors(directive).values()) // factors(directive)["K"],
                )
                assert x <= design["mesh_x"] and y <= design["pe_count"] // design["mesh_x"]
    assert product == {dim: bounds[dim] for dim in TIMELOOP_DIMS}


def test_the_q_tile_shrinks_until_the_global_buffer_holds_it():
    layer = conv("big", K=64, C=64, P=56, R=3)
    # weight stationary, 64 x 16-bit inputs channels spread 8 ways: inputs 8 x 58 x (q + 2)
    # plus outputs 8 x 56 x q words must fit 16 KiB = 8192 words: q = 7 (4640 + 3136)
    rf = render_mapping(layer, {**WS, "glb_kib": 16})["mapping"][3]
    assert factors(rf)["Q"] == 7
    rf = render_mapping(layer, {**WS, "glb_kib": 512})["mapping"][3]
    assert factors(rf)["Q"] == 56


def test_problem_pairs_archgym_rows_with_timeloops_w():
    problem = render_problem(conv("s", K=4, C=2, P=9, Q=5, R=3, S=1, stride=2))["problem"]
    assert (problem["P"], problem["R"], problem["Q"], problem["S"]) == (9, 3, 5, 1)
    assert (problem["Wstride"], problem["Hstride"]) == (2, 2)
    assert problem["shape"]["dimensions"] == list(TIMELOOP_DIMS)


def test_a_layer_that_does_not_fit_makes_the_design_infeasible(standins):
    simulator = TimeloopSimulator(standins["timeloop"])
    with pytest.raises(InvalidDesignError, match="couldn't map level RegisterFile"):
        simulator.evaluate({**WS, "rf_entries": 4}, conv("c3", K=8, C=8, P=4, R=3))


def test_a_network_sums_its_layers_and_counts_groups(standins):
    simulator = TimeloopSimulator(standins["timeloop"])
    plain = conv("p", K=8, C=8, P=4, R=3)
    grouped = conv("g", K=16, C=16, P=4, R=3, groups=2)  # two groups of the plain layer
    single = simulator.evaluate(WS, plain)
    both = simulator.evaluate(WS, Network("n", (plain, grouped)))
    # the stand-in's cycles are MACs over the spatial factors (8 x 8): 9216 / 64 = 144
    assert single["cycles"] == 144 and both["cycles"] == 3 * 144
    assert both["energy_uj"] == pytest.approx(3 * single["energy_uj"])
    assert both["utilisation"] == pytest.approx(3 * plain.macs / (64 * 3 * 144))
