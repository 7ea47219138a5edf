from __future__ import annotations

import math

import pytest

from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulators.accelerator import (
    Architecture,
    Layer,
    MemoryLevel,
    alexnet,
    conv,
    evaluate,
    eyeriss_like,
    search,
    search_network,
    systolic,
    timeloop_reference,
)
from archgym.simulators.accelerator.mapper import factor_table

REF_LAYER = Layer("ref", K=32, C=3, P=112, Q=112, R=3, S=3, stride_h=2, stride_w=2)


def test_factor_table_enumerates_ordered_factorisations():
    table = factor_table(12, 12, 1)
    assert (table.prod(axis=1) == 12).all()
    assert (table[:, 2] == 1).all()
    # 12 = 2^2 * 3 into 4 free slots: C(2+3, 3) * C(1+3, 3) = 10 * 4 = 40
    assert len(table) == 40
    assert len({tuple(r) for r in table}) == 40


def test_search_is_deterministic_and_valid():
    arch = timeloop_reference()
    a = search(REF_LAYER, arch, budget=600, seed=3)
    b = search(REF_LAYER, arch, budget=600, seed=3)
    assert a.mapping == b.mapping and a.result == b.result
    assert a.evaluated == 600 and 0 < a.valid <= 600
    assert evaluate(REF_LAYER, arch, a.mapping) == a.result
    assert a.mapping.level("x").keys() <= {"Q", "K"}
    assert a.mapping.level("y").keys() <= {"C", "K", "S", "G"}


def test_search_matches_or_beats_timeloop_mapper_on_reference():
    # Timeloop's mapper: 5.47 pJ/MAC at 86016 cycles (EDP 5.10 J*cycle, REFERENCES.md s3)
    timeloop_edp_pj_cycles = 5.4697 * REF_LAYER.macs * 86016
    r = search(REF_LAYER, timeloop_reference(), budget=4000, objective="edp", seed=0).result
    assert r.edp <= 1.25 * timeloop_edp_pj_cycles


def test_objectives_trade_energy_for_delay():
    arch = timeloop_reference()
    fast = search(REF_LAYER, arch, budget=3000, objective="delay", seed=1).result
    frugal = search(REF_LAYER, arch, budget=3000, objective="energy", seed=1).result
    assert fast.cycles <= frugal.cycles
    assert frugal.energy_pj <= fast.energy_pj


def test_search_rejects_bad_arguments():
    with pytest.raises(ConfigError, match="objective"):
        search(REF_LAYER, timeloop_reference(), objective="area")
    with pytest.raises(ConfigError, match="budget"):
        search(REF_LAYER, timeloop_reference(), budget=3)


def test_no_feasible_mapping_raises_with_reason():
    # a 2-word global buffer that must hold all three operands cannot fit any tile
    arch = Architecture(
        "tiny_glb",
        2,
        2,
        8,
        (None, None, None),
        MemoryLevel("glb", "SRAM", 2, 8, 1, math.inf, math.inf),
    )
    with pytest.raises(InvalidDesignError, match="no mapping fits.*glb overflows"):
        search(REF_LAYER, arch, budget=64)


def test_search_network_sums_layers_and_reuses_shapes():
    net = alexnet()
    arch = eyeriss_like()
    result = search_network(net, arch, budget=300)
    assert len(result.layers) == 5
    assert result.energy_pj == pytest.approx(sum(r.result.energy_pj for r in result.layers))
    assert result.cycles == pytest.approx(sum(r.result.cycles for r in result.layers))
    assert result.macs == net.macs
    assert 0 < result.utilisation <= 1
    # layers 4 and 5 differ (K 384 vs 256), 3 and 4 too: five searches, all valid
    assert all(r.valid > 0 for r in result.layers)


def test_mapper_finds_weight_stationary_optimum():
    # K64 C64 56x56 3x3 on a 32x32 WS array: 36 folds of (3136 + 2*32 + 32 - 2) cycles,
    # SCALE-Sim's formula, is the fewest cycles any mapping can take
    layer = conv("l", 64, 64, 56, R=3)
    r = search(layer, systolic(32, 32, "ws"), budget=2000, objective="delay", seed=0).result
    assert r.compute_cycles == 36 * (3136 + 2 * 32 + 32 - 2)


def test_repair_makes_most_candidates_feasible():
    r = search(REF_LAYER, timeloop_reference(), budget=1000, seed=0)
    assert r.valid >= 0.9 * r.evaluated
