"""archgym/SoC-v0: registration, check_env, workloads by name and FARSI path, budgets."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import archgym  # noqa: F401  (registers the envs)
from archgym.envs.soc import (
    AREA_BUDGET_MM2,
    POWER_BUDGET_MW,
    default_targets,
)
from archgym.errors import WorkloadError
from archgym.simulators.soc import Task, TaskGraph


@pytest.mark.parametrize("workload", ["audio_decoder", "edge_detection", "camera_pipeline"])
def test_env_passes_check_env(workload):
    env = gym.make("archgym/SoC-v0", workload=workload)
    check_env(env.unwrapped)


def test_default_objective_is_archgyms_budget():
    env = gym.make("archgym/SoC-v0").unwrapped
    assert env.objective.targets == {
        "latency_ms": ("<=", pytest.approx(21.0)),
        "power_mw": ("<=", 8.737),
        "area_mm2": ("<=", 17.475),
    }
    frame = gym.make("archgym/SoC-v0", workload="edge_detection").unwrapped
    assert frame.objective.targets["latency_ms"][1] == pytest.approx(34.0)
    assert (POWER_BUDGET_MW, AREA_BUDGET_MM2) == (8.737, 17.475)


def test_budget_fallback_by_name_when_the_graph_has_none():
    g = TaskGraph("my_audio_thing", (Task("a", 1),), ())
    assert default_targets(g)["latency_ms"] == ("<=", 21.0)
    assert default_targets(TaskGraph("vision", (Task("a", 1),), ()))["latency_ms"][1] == 34.0


def test_a_design_within_budget_meets_the_target_and_the_baseline_does_not():
    env = gym.make("archgym/SoC-v0").unwrapped
    env.reset(seed=0)
    baseline = env.simulator.baseline_design()
    _, reward, _, _, info = env.evaluate_design(baseline)
    assert not info["target_met"] and reward < 0  # 33 mW > 8.7 mW
    low_power = baseline | {"pe0_type": "IP", "pe0_clock_ratio": 0.5, "mem0_type": "sram_1MiB"}
    _, reward, _, _, info = env.evaluate_design(low_power)
    assert info["valid"] and info["target_met"] and reward == 0.0


def test_infeasible_design_gets_the_penalty_and_the_reason():
    env = gym.make("archgym/SoC-v0").unwrapped
    env.reset(seed=0)
    design = env.simulator.baseline_design() | {"pe_of_fft": 2}
    obs, reward, _, _, info = env.evaluate_design(design)
    assert not info["valid"]
    assert reward == env.invalid_reward
    assert "task 'fft' is mapped to pe2, which is not allocated" in info["invalid_reason"]
    assert not np.any(obs)


def test_farsi_workload_by_path(shared_data: Path):
    farsi = shared_data / "soc" / "farsi_workloads"
    if not farsi.is_dir():
        pytest.skip(f"FARSI reference data folder {farsi} is absent")
    env = gym.make("archgym/SoC-v0", workload=farsi / "hpvm_cava").unwrapped
    assert env.workload.name == "hpvm_cava"
    assert env.objective.targets["latency_ms"][1] == pytest.approx(34.0)
    assert "pe_of_gamut_map_fxp_cloned" in env.design_space
    _, _, _, _, info = env.evaluate_design(env.simulator.baseline_design())
    assert info["valid"] and info["metrics"]["latency_ms"] > 34.0


def test_box_encoding_round_trips_and_steps():
    env = gym.make("archgym/SoC-v0", action_encoding="box").unwrapped
    env.reset(seed=0)
    design = env.simulator.baseline_design()
    _, _, _, _, info = env.step(env.encode(design))
    assert info["valid"] and info["design"] == design


def test_unknown_workload_is_a_workload_error():
    with pytest.raises(WorkloadError, match="unknown SoC workload"):
        gym.make("archgym/SoC-v0", workload="hand_tracking")
