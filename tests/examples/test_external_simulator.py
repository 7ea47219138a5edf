"""Worked example 2 of docs/custom-env.md: a command-line simulator wrapped as an env."""

from __future__ import annotations

import sys

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

from .conftest import EXAMPLES, load_example


@pytest.fixture(scope="module")
def example():
    sys.path.insert(0, str(EXAMPLES))  # example 2 imports example 1's workload
    try:
        return load_example("external_simulator")
    finally:
        sys.path.remove(str(EXAMPLES))


def test_the_wrapped_tool_agrees_with_the_in_process_model_of_example_1(example):
    native = sys.modules["custom_simulator"]  # pinned by hand in test_custom_simulator.py
    for trace, design in (
        # the two hand-computed cases of example 1: 12 KiB fits / thrashes
        (example.looping_trace(12, passes=4), {"size_kib": 16, "ways": 2, "line_bytes": 128}),
        (example.looping_trace(12, passes=4), {"size_kib": 8, "ways": 8, "line_bytes": 128}),
        (example.looping_trace(6, passes=3), {"size_kib": 4, "ways": 2, "line_bytes": 32}),
        (example.looping_trace(6, passes=3), {"size_kib": 2, "ways": 8, "line_bytes": 64}),
        (example.looping_trace(6, passes=3), {"size_kib": 8, "ways": 1, "line_bytes": 16}),
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
