"""archgym/DRAM-v0: registration, check_env, workloads, objectives, extra knobs."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import archgym  # noqa: F401  (registers the envs)
from archgym.envs.dram import (
    LATENCY_TARGET_NS,
    POWER_BUDGET_MW,
    POWER_TARGET_MW,
    make_dram_env,
)
from archgym.errors import ConfigError, WorkloadError
from archgym.objectives import MultiObjective, TargetObjective
from archgym.simulators.dram import ARCHGYM_KNOBS, EXTRA_KNOBS, preset_trace, write_trace


def test_registered_and_passes_check_env():
    env = gym.make("archgym/DRAM-v0", trace_length=500)
    assert env.unwrapped.design_space.names == ARCHGYM_KNOBS
    check_env(env.unwrapped)


def test_step_reports_metrics_and_targets():
    env = gym.make("archgym/DRAM-v0", workload="random", trace_length=1000).unwrapped
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    assert obs.shape == (10,) and obs.dtype == np.float32
    assert info["valid"] and set(info["metrics"]) >= {"power_mw", "latency_ns", "energy_nj"}
    assert info["units"]["power_mw"] == "mW"
    assert isinstance(env.objective, TargetObjective)
    assert env.objective.targets == {"power_mw": ("<=", POWER_TARGET_MW)}
    assert reward <= 0 and info["target_met"] == (reward == 0)


def test_power_target_met_by_a_throttled_design():
    env = make_dram_env("stream", trace_length=2000)
    base = env.simulator.default_design()
    _, reward, _, _, info = env.evaluate_design(base)
    assert not info["target_met"] and reward < 0  # a saturated DDR3 DIMM draws ~1.7 W
    throttled = dict(base, MaxActiveTransactions=1, Arbiter="Fifo", PagePolicy="Closed")
    _, reward, _, _, info = env.evaluate_design(throttled)
    assert info["metrics"]["power_mw"] <= POWER_TARGET_MW
    assert info["target_met"] and reward == 0.0


def test_power_latency_rewards_a_fast_design_not_a_throttled_one():
    # The explore job's objective on cloud-1: the requester's latency counts the time a
    # request waits for the initiator's MaxActiveTransactions, so throttling costs
    # latency; a design that keeps the DIMM busy but skips refresh meets both targets.
    env = make_dram_env("cloud-1", objective="power_latency")
    fast = dict(
        env.simulator.default_design(),
        Scheduler="FrFcfsGrp",
        SchedulerBuffer="Shared",
        RefreshPolicy="NoRefresh",
    )
    _, reward, _, _, info = env.evaluate_design(fast)
    assert info["target_met"] and reward == 0.0
    assert info["metrics"]["bandwidth_gbps"] > 8.5
    _, reward, _, _, info = env.evaluate_design(dict(fast, MaxActiveTransactions=1))
    assert info["metrics"]["power_mw"] <= POWER_BUDGET_MW
    assert info["metrics"]["latency_ns"] > 4 * LATENCY_TARGET_NS
    assert not info["target_met"] and reward < -3


@pytest.mark.parametrize("name", ["power", "latency", "power_latency", "energy", "multi"])
def test_named_objectives(name):
    env = make_dram_env("cloud-1", objective=name, trace_length=500)
    _, reward, _, _, info = env.evaluate_design(env.simulator.default_design())
    assert np.isfinite(reward) and info["valid"]
    if name == "power_latency":
        assert env.objective.targets == {
            "power_mw": ("<=", POWER_BUDGET_MW),
            "latency_ns": ("<=", LATENCY_TARGET_NS),
        }
    if name == "multi":
        assert isinstance(env.objective, MultiObjective)
        assert len(info["reward_vector"]) == 3


def test_objective_specs_and_errors():
    env = make_dram_env(objective="target: p99_latency_ns <= 200", trace_length=300)
    assert env.objective.targets == {"p99_latency_ns": ("<=", 200.0)}
    env = make_dram_env(objective="archgym: power_mw=1000", trace_length=300)
    _, reward, _, _, _ = env.evaluate_design(env.simulator.default_design())
    assert reward > 0
    with pytest.raises(ConfigError):
        make_dram_env(objective="fastest", trace_length=300)


def test_workload_from_file_and_trace(tmp_path):
    path = tmp_path / "mine.stl"
    write_trace(preset_trace("random", 300), path)
    env = make_dram_env(str(path))
    assert env.workload.name == "mine" and len(env.workload) == 300
    env = make_dram_env(preset_trace("stream", 200))
    assert len(env.workload) == 200
    with pytest.raises(WorkloadError, match="not a preset"):
        make_dram_env("nowhere.stl")


def test_extra_knobs_and_memspec():
    env = gym.make("archgym/DRAM-v0", extra_knobs=True, memspec="DDR4-2400", trace_length=300)
    names = env.unwrapped.design_space.names
    assert names[-5:] == EXTRA_KNOBS
    check_env(env.unwrapped)


@pytest.mark.parametrize("option", ["trace_length", "seed"])
def test_non_integer_preset_options_name_the_option(option):
    with pytest.raises(ConfigError, match=option):
        make_dram_env("stream", **{option: "many"})
