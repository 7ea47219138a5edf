"""The worked example of docs/custom-env.md runs and behaves as the page says."""

from __future__ import annotations

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

from .conftest import load_example


@pytest.fixture(scope="module")
def example():
    return load_example("custom_simulator")


def test_cache_model_hand_computed_miss_rates(example):
    simulator, trace = example.CacheSimulator(), example.looping_trace(12, passes=4)
    # 12 KiB fits in 16 KiB: only the 96 compulsory misses of 128-byte lines, of 3072.
    fits = simulator.evaluate({"size_kib": 16, "ways": 2, "line_bytes": 128}, trace)
    assert fits["miss_rate"] == pytest.approx(96 / 3072)
    # 12 KiB looped through an 8 KiB LRU cache misses on every new line.
    thrash = simulator.evaluate({"size_kib": 8, "ways": 8, "line_bytes": 128}, trace)
    assert thrash["miss_rate"] == pytest.approx(1 / 8)


def test_registered_env_passes_check_env_and_an_agent_meets_the_target(example):
    env = gym.make("mylab/Cache-v0")
    check_env(env.unwrapped)
    from archgym.agents import make_agent

    result = make_agent("random", env.unwrapped.design_space, seed=0).run(
        env, budget=60, stop_on_target=True
    )
    assert result.target_met and result.best_design["size_kib"] == 16
