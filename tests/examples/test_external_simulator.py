"""Worked example 2 of docs/custom-env.md: a command-line simulator wrapped as an env."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example():
    sys.path.insert(0, str(EXAMPLES))  # example 2 imports example 1's workload
    try:
        return load("external_simulator")
    finally:
        sys.path.remove(str(EXAMPLES))


def test_the_tool_gives_the_hand_computed_miss_rates(example):
    simulator, trace = example.cache_simulator(), example.looping_trace(12, passes=4)
    # 12 KiB fits in 16 KiB: only the 96 compulsory misses of 128-byte lines, of 3072
    fits = simulator.evaluate({"size_kib": 16, "ways": 2, "line_bytes": 128}, trace)
    assert fits["miss_rate"] == pytest.approx(96 / 3072)
    # 12 KiB looped through an 8 KiB LRU cache misses on every new line
    thrash = simulator.evaluate({"size_kib": 8, "ways": 8, "line_bytes": 128}, trace)
    assert thrash["miss_rate"] == pytest.approx(1 / 8)


def test_the_wrapped_tool_agrees_with_the_in_process_model_of_example_1(example):
    native = sys.modules["custom_simulator"]
    trace = example.looping_trace(6, passes=3)
    for design in (
        {"size_kib": 4, "ways": 2, "line_bytes": 32},
        {"size_kib": 2, "ways": 8, "line_bytes": 64},
        {"size_kib": 8, "ways": 1, "line_bytes": 16},
    ):
        in_process = native.CacheSimulator().evaluate(design, trace)
        assert example.cache_simulator().evaluate(design, trace) == pytest.approx(in_process)


def test_the_tools_does_not_fit_error_is_an_infeasible_design(example):
    env = gym.make("mylab/CacheCLI-v0").unwrapped
    _, reward, _, _, info = env.evaluate_design({"size_kib": 1, "ways": 8, "line_bytes": 256})
    assert not info["valid"] and reward == env.invalid_reward
    assert "does not fit 8 ways of 256 B lines" in info["invalid_reason"]


def test_registered_env_passes_check_env_and_an_agent_meets_the_target(example):
    env = gym.make("mylab/CacheCLI-v0")
    check_env(env.unwrapped)
    from archgym.agents import make_agent

    result = make_agent("random", env.unwrapped.design_space, seed=0).run(
        env, budget=60, stop_on_target=True
    )
    assert result.target_met and result.best_design["size_kib"] == 16
