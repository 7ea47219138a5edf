from __future__ import annotations

import itertools

import gymnasium as gym
import numpy as np
import pytest

import archgym  # noqa: F401  (registers the envs)
from archgym.errors import WorkloadError
from archgym.simulators.analytic import PRESETS, AnalyticSimulator


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_known_optimum_is_the_global_minimum(name):
    simulator, workload = AnalyticSimulator(), PRESETS[name]
    space = simulator.design_space
    assert simulator.evaluate(workload.optimum, workload)["cost"] == pytest.approx(0.0)
    costs = []
    for indices in itertools.product(*(range(n) for n in space.nvec)):
        design = space.from_indices(indices)
        if space.is_feasible(design):
            costs.append(simulator.evaluate(design, workload)["cost"])
    assert min(costs) == pytest.approx(0.0)
    assert sum(c < 1e-9 for c in costs) == 1


def test_index_space_has_about_ten_thousand_designs():
    assert int(np.prod(AnalyticSimulator().design_space.nvec)) == 16_000


def test_default_objective_meets_target_only_near_optimum():
    env = gym.make("archgym/Analytic-v0").unwrapped
    env.reset(seed=0)
    assert env.evaluate_design(PRESETS["default"].optimum)[4]["target_met"]
    near = {**PRESETS["default"].optimum, "x": 6}
    assert not env.evaluate_design(near)[4]["target_met"]


def test_multi_objective_trades_cost_against_area():
    env = gym.make("archgym/Analytic-v0", objective="multi").unwrapped
    small = {"kind": "gamma", "x": 0, "y": 2, "width": 1, "z": 0.75}
    best = PRESETS["default"].optimum
    v_small = env.evaluate_design(small)[4]["reward_vector"]
    v_best = env.evaluate_design(best)[4]["reward_vector"]
    assert v_small[1] > v_best[1] and v_small[0] < v_best[0]


def test_unknown_workload_is_named():
    with pytest.raises(WorkloadError, match="'nope'.*default, shifted"):
        gym.make("archgym/Analytic-v0", workload="nope")
