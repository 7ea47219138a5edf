from __future__ import annotations

import dataclasses

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import archgym.envs  # noqa: F401  (registers the envs)
from archgym.envs.mapping import make_mapping_env, resolve_layer
from archgym.errors import InvalidDesignError, WorkloadError
from archgym.simulators.accelerator import Layer, Mapping, evaluate
from archgym.simulators.accelerator.simulator import (
    MappingSimulator,
    mapping_from_design,
    mapping_hardware,
)

LAYER = Layer("l", K=64, C=64, P=56, Q=56, R=3, S=3)

DESIGN = {
    "loop_order": "KCYX",
    "parallel_dim": "K",
    "L2_K": 64,
    "L2_C": 16,
    "L2_Y": 8,
    "L2_X": 8,
    "L1_K": 4,
    "L1_C": 4,
    "L1_Y": 1,
    "L1_X": 1,
    "num_pes": 16,
}


def test_check_env_passes():
    env = gym.make("archgym/Mapping-v0")
    check_env(env.unwrapped, skip_render_check=True)


def test_default_workload_is_resnet18_first_3x3():
    layer = resolve_layer("resnet18:2")
    assert (layer.K, layer.C, layer.P, layer.R) == (64, 64, 56, 3)
    with pytest.raises(WorkloadError, match="layer number"):
        resolve_layer("resnet18")
    with pytest.raises(WorkloadError, match="layers 1..21"):
        resolve_layer("resnet18:99")


def test_design_maps_to_hand_written_mapping():
    mapping = mapping_from_design(DESIGN, LAYER)
    expected = Mapping.from_levels(
        LAYER,
        pe={"K": 4, "C": 4, "P": 1, "Q": 1, "R": 3, "S": 3},
        x={"K": 16},
        glb={"C": 4, "P": 8, "Q": 8},
        dram={"K": 1, "C": 4, "P": 7, "Q": 7},
        glb_order="QPCKNGRS",
        dram_order="QPCKNGRS",
    )
    assert mapping == expected


def test_metrics_equal_direct_model():
    sim = MappingSimulator(LAYER)
    metrics = sim.evaluate(DESIGN, LAYER)
    mapping = mapping_from_design(DESIGN, LAYER)
    # buffers sized to the tiles: per PE weights 4*4*3*3 = 144 -> 256 words, inputs
    # 4 channels x 3 x 3 = 36 -> 64, outputs 4; global buffer 9216 + 1600 + 4096 -> 16384
    hw = sim.hardware(DESIGN, LAYER, mapping)
    words = [hw.level(n).capacity_bits / 16 for n in ("weights_spad", "ifmap_spad", "psum_spad")]
    assert words == [256, 64, 4]
    assert hw.level("shared_glb").capacity_bits / 16 == 16384
    assert hw == mapping_hardware(16, spad_words=(256, 64, 4), glb_words=16384)
    direct = evaluate(LAYER, hw, mapping)
    assert metrics["runtime_cycles"] == direct.cycles
    assert metrics["throughput"] == pytest.approx(LAYER.macs / direct.cycles)
    assert metrics["energy_uj"] == pytest.approx(direct.energy_pj * 1e-6)
    assert metrics["area_mm2"] == pytest.approx(direct.area_mm2)
    # 16 PEs each doing one MAC per cycle: 64*64*56*56*9 / 16 cycles, compute-bound
    assert direct.cycles == LAYER.macs / 16


def test_larger_tiles_cost_area():
    sim = MappingSimulator(LAYER)
    small = sim.evaluate(DESIGN, LAYER)
    big = sim.evaluate(dict(DESIGN, L1_K=16, L1_C=16), LAYER)
    assert big["area_mm2"] > small["area_mm2"]


def test_knobs_change_metrics():
    sim = MappingSimulator(LAYER)
    base = sim.evaluate(DESIGN, LAYER)
    for knob, value in [
        ("num_pes", 8),
        ("parallel_dim", "C"),
        ("loop_order", "YXKC"),
        ("L2_C", 64),
        ("L1_K", 2),
    ]:
        other = sim.evaluate(dict(DESIGN, **{knob: value}), LAYER)
        assert other != base, knob


def test_infeasible_designs_name_the_problem():
    sim = MappingSimulator(LAYER, buffer_sizing="fixed")
    with pytest.raises(InvalidDesignError, match="L1 tiles must not exceed L2 tiles"):
        sim.evaluate(dict(DESIGN, L2_K=4, L1_K=8), LAYER)
    # a 64 x 1 x 1 tile of K and C x 3 x 3 weights overflows the 192-word weights spad
    with pytest.raises(InvalidDesignError, match=r"weights_spad \(Weights\) overflows"):
        sim.evaluate(dict(DESIGN, L1_K=64, L1_C=16), LAYER)


def test_env_penalises_infeasible_step():
    env = make_mapping_env(LAYER, buffer_sizing="fixed")
    env.reset(seed=0)
    _, reward, _, _, info = env.step(env.encode(dict(DESIGN, L1_K=64, L1_C=16)))
    assert not info["valid"] and "weights_spad" in info["invalid_reason"]
    assert reward == env.objective.invalid_reward


def test_mapping_simulator_refuses_another_workload():
    env = gym.make("archgym/Mapping-v0").unwrapped
    design = env.design_space.sample(np.random.default_rng(0))
    with pytest.raises(WorkloadError, match="evaluates a Layer, got str"):
        env.simulator.evaluate(design, "resnet18")
    other = dataclasses.replace(env.workload, K=env.workload.K * 2, name="wider")
    with pytest.raises(WorkloadError, match="built for layer .* not 'wider'"):
        env.simulator.evaluate(design, other)
