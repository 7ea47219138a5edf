"""RL agents (stable-baselines3) and the two Gymnasium formulations they train on."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("stable_baselines3", reason="the rl extra is not installed")

from archgym.agents import make_agent  # noqa: E402
from archgym.agents.rl_wrappers import (  # noqa: E402
    SequentialDesignWrapper,
    SingleStepDesignWrapper,
)
from archgym.errors import ConfigError, MissingExtraError  # noqa: E402


def test_single_step_wrapper_evaluates_one_design_per_episode(small_env) -> None:
    wrapper = SingleStepDesignWrapper(small_env())
    assert wrapper.action_space.nvec.tolist() == [4, 4, 4]
    obs, _ = wrapper.reset(seed=0)
    assert obs.tolist() == [0.0]
    _, reward, terminated, truncated, info = wrapper.step(np.array([2, 2, 2]))
    assert terminated and not truncated
    assert info["design"] == {"mode": "c", "n": 2, "size": 4}
    assert reward == 0.0  # the optimum meets the target exactly
    assert wrapper.evaluations == 1


def test_single_step_wrapper_flattens_designs_for_discrete_actions(small_env) -> None:
    wrapper = SingleStepDesignWrapper(small_env(), discrete_actions=True)
    assert wrapper.action_space.n == 64
    wrapper.reset(seed=0)
    # row-major over (mode, n, size): 2*16 + 2*4 + 2 = 42
    _, _, _, _, info = wrapper.step(42)
    assert info["design"] == {"mode": "c", "n": 2, "size": 4}
    with pytest.raises(ConfigError, match="at most 10 designs"):
        SingleStepDesignWrapper(small_env(), discrete_actions=True, max_discrete_actions=10)


def test_sequential_wrapper_sets_one_knob_per_step(analytic_env) -> None:
    wrapper = SequentialDesignWrapper(analytic_env())
    # knobs: kind (4 values), x (10), y (10), width (8), z (5): actions are Discrete(10)
    assert wrapper.action_space.n == 10
    obs, _ = wrapper.reset(seed=0)
    assert obs.tolist() == [-1.0] * 5 + [1.0, 0.0, 0.0, 0.0, 0.0]
    # action a selects index a * n_values // 10: kind 9 -> 3 (delta), x 7 -> 7
    obs, reward, terminated, _, info = wrapper.step(9)
    assert (reward, terminated, info) == (0.0, False, {})
    assert obs[:5].tolist() == [1.0, -1.0, -1.0, -1.0, -1.0]
    assert obs[5:].tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]
    wrapper.step(7)
    wrapper.step(2)
    wrapper.step(7)  # width: 7 * 8 // 10 = 5 -> 32
    obs, reward, terminated, _, info = wrapper.step(8)  # z: 8 * 5 // 10 = 4 -> 1.0
    assert terminated
    assert info["design"] == {"kind": "delta", "x": 7, "y": 2, "width": 32, "z": 1.0}
    assert reward == pytest.approx(-(0.2 + 0.25**2 - 1e-3))
    assert wrapper.evaluations == 1


def test_infeasible_design_is_clipped_to_the_worst_valid_reward_for_training(analytic_env):
    wrapper = SingleStepDesignWrapper(analytic_env())
    wrapper.reset(seed=0)
    _, valid_reward, _, _, _ = wrapper.step(np.array([0, 0, 0, 0, 0]))
    _, reward, _, _, info = wrapper.step(np.array([0, 9, 9, 0, 0]))  # x + y > 15
    assert not info["valid"]
    assert reward == valid_reward
    assert wrapper.log.rows[-1]["reward"] == -1e3  # the log keeps the env's penalty


@pytest.mark.parametrize(
    ("name", "formulation", "seed", "budget"),
    [
        ("ppo", "sa", 0, 1000),
        ("ppo", "tdm", 2, 1000),
        ("a2c", "sa", 0, 1000),
        ("dqn", "tdm", 0, 1500),
    ],
)
def test_rl_agent_learns_the_optimum_of_the_analytic_env(
    analytic_env, analytic_optimum, name: str, formulation: str, seed: int, budget: int
) -> None:
    # Uniform search needs 7,520 evaluations on average to hit the single optimum among
    # 15,040 feasible designs; within these budgets it succeeds with probability <= 10%.
    env = analytic_env()
    agent = make_agent(name, env.unwrapped.design_space, seed=seed, formulation=formulation)
    result = agent.run(env, budget, stop_on_target=True)
    assert result.target_met
    assert result.best_design == analytic_optimum
    assert result.evaluations == result.evaluations_to_target() <= budget


@pytest.mark.parametrize(("name", "formulation"), [("ppo", "sa"), ("a2c", "sa"), ("dqn", "tdm")])
def test_rl_training_uses_exactly_the_budget(
    small_env, count_calls, name: str, formulation: str
) -> None:
    env = small_env(cache_size=0)  # RL may repeat designs: count every evaluation
    calls = count_calls(env)
    agent = make_agent(name, env.design_space, seed=0, formulation=formulation)
    result = agent.run(env, 45)
    assert result.evaluations == 45
    assert len(calls) == 45
    assert len(result.history) == 45
    assert agent.model is not None


def test_rl_same_seed_same_history(small_env) -> None:
    runs = [
        make_agent("ppo", small_env().design_space, seed=5).run(small_env(), 40).history
        for _ in range(2)
    ]
    pd.testing.assert_frame_equal(runs[0], runs[1])


@pytest.mark.parametrize("name", ["ppo", "dqn"])
def test_rl_training_leaves_no_logger_folder_in_the_temp_directory(
    small_env, tmp_path, monkeypatch, name: str
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    make_agent(name, small_env().design_space, seed=0).run(small_env(), 20)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("SB3-")] == []


def test_dqn_single_step_refuses_a_large_space(analytic_env) -> None:
    env = analytic_env()
    agent = make_agent(
        "dqn", env.unwrapped.design_space, formulation="sa", max_discrete_actions=1000
    )
    with pytest.raises(ConfigError, match="use formulation='tdm'"):
        agent.run(env, 10)


def test_rl_agents_do_not_ask_or_tell(small_env) -> None:
    agent = make_agent("ppo", small_env().design_space)
    with pytest.raises(NotImplementedError, match="call run"):
        agent.ask()


def test_missing_rl_extra_names_the_pip_extra(small_env, monkeypatch) -> None:
    from archgym.agents import rl

    real = importlib.util.find_spec
    monkeypatch.setattr(
        rl.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "stable_baselines3" else real(name, *a),
    )
    with pytest.raises(MissingExtraError, match=r"pip install 'archgym\[rl\]'"):
        make_agent("ppo", small_env().design_space)
