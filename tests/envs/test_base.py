from __future__ import annotations

import numpy as np
import pytest

from archgym.envs.base import DesignEnv
from archgym.errors import ConfigError
from archgym.simulators.analytic import PRESETS, AnalyticSimulator


def make_env(**options) -> DesignEnv:
    return DesignEnv(AnalyticSimulator(), PRESETS["default"], "target: cost <= 0.001", **options)


def test_step_reports_design_metrics_units_and_evaluation():
    env = make_env()
    env.reset(seed=0)
    optimum = PRESETS["default"].optimum
    observation, reward, terminated, truncated, info = env.step(env.encode(optimum))
    assert info["design"] == optimum
    assert info["metrics"]["cost"] == pytest.approx(0.0)
    assert info["units"] == {"cost": "a.u.", "area": "a.u."}
    assert info["target_met"] and info["valid"] and info["invalid_reason"] == ""
    assert info["evaluation"].cache_hit is False and info["evaluation"].eval_time_s >= 0
    assert reward == 0.0
    assert observation == pytest.approx([0.0, info["metrics"]["area"]])
    assert env.step(env.encode(optimum))[4]["evaluation"].cache_hit is True


def test_invalid_design_gives_documented_penalty_not_exception():
    env = make_env(invalid_reward=-42.0)
    env.reset(seed=0)
    infeasible = {**PRESETS["default"].optimum, "x": 9, "y": 9}  # breaks x + y <= 15
    observation, reward, _, _, info = env.step(env.encode(infeasible))
    assert reward == -42.0 and not info["valid"] and not info["target_met"]
    assert "x + y <= 15" in info["invalid_reason"]
    assert np.all(observation == 0)
    out_of_range = env.step(np.array([0, 0, 0, 0, 99]))
    assert out_of_range[1] == -42.0 and "'z'" in out_of_range[4]["invalid_reason"]


def test_max_steps_truncates_and_terminate_on_target():
    env = make_env(max_steps=3)
    env.reset(seed=0)
    action = env.action_space.sample()
    assert [env.step(action)[3] for _ in range(3)] == [False, False, True]
    env = make_env(terminate_on_target=True)
    env.reset(seed=0)
    assert env.step(env.encode(PRESETS["default"].optimum))[2] is True


def test_box_variant_decodes_unit_vectors():
    env = make_env(action_encoding="box")
    env.reset(seed=0)
    optimum = PRESETS["default"].optimum
    assert env.decode(env.encode(optimum)) == optimum
    assert env.action_space.shape == (5,)


def test_same_seed_same_observations_and_rewards():
    def rollout(seed):
        env = make_env(max_steps=1000, cache_size=0)
        env.reset(seed=seed)
        env.action_space.seed(seed)
        steps = [env.step(env.action_space.sample()) for _ in range(30)]
        return [(s[0].tolist(), s[1]) for s in steps]

    assert rollout(5) == rollout(5)
    assert rollout(5) != rollout(6)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"action_encoding": "continuous"}, "action_encoding"),
        ({"max_steps": 0}, "max_steps"),
        ({"max_steps": 2.7}, "max_steps must be an integer"),
        ({"max_steps": "ten"}, "max_steps must be an integer"),
        ({"cost_model": "oracle"}, "cost_model"),
        ({"cost_model": "proxy"}, "proxy="),
    ],
)
def test_bad_options_raise(options, message):
    with pytest.raises(ConfigError, match=message):
        make_env(**options)
