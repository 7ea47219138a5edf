"""Active learning loop and learning curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from archgym.errors import ConfigError
from archgym.proxy import active_learning, learning_curve
from archgym.proxy.active import disagreement, simulate_designs


def test_active_learning_spends_exactly_the_budget(analytic_env):
    space = analytic_env.unwrapped.design_space
    test = simulate_designs(analytic_env, space.sample(np.random.default_rng(9), 200))
    result = active_learning(
        analytic_env,
        120,
        metrics=["cost"],
        initial=40,
        batch=0.5,
        test=test,
        checkpoints=[40, 80],
        hyperparameters={"n_estimators": 10},
        seed=1,
    )
    assert len(result.data) == 120
    knobs = list(space.names)
    assert not result.data.duplicated(subset=knobs).any()
    both = pd.concat([result.data[knobs], test[knobs]])
    assert not both.duplicated().any()  # test designs are never simulated for training
    assert result.curve["n_samples"].tolist() == [40, 80, 120]
    assert result.model.metadata["training_size"] == 120


def test_disagreement_is_the_mean_spread_of_the_trees(analytic_model, analytic_env):
    designs = analytic_env.unwrapped.design_space.sample(np.random.default_rng(5), 4)
    X = analytic_model.encoder.encode(designs)
    by_hand = np.mean(
        [analytic_model.member_predictions(X, m).std(axis=0) for m in ("cost", "area")], axis=0
    )
    np.testing.assert_allclose(disagreement(analytic_model, X), by_hand)
    assert (by_hand > 0).all()


def test_active_learning_calls_back_after_each_round(analytic_env):
    rounds = []
    active_learning(
        analytic_env,
        60,
        metrics=["area"],
        initial=30,
        batch=15,
        pool_factor=4,
        hyperparameters={"n_estimators": 5},
        seed=4,
        callback=lambda n, model: rounds.append(n),
    )
    assert rounds == [30, 45, 60]


def test_learning_curve_improves_with_data(analytic_env):
    space = analytic_env.unwrapped.design_space
    data = simulate_designs(analytic_env, space.sample(np.random.default_rng(2), 400))
    test = simulate_designs(analytic_env, space.sample(np.random.default_rng(3), 300))
    curve = learning_curve(
        data, analytic_env, test, [25, 400], metrics=["area"], hyperparameters={"n_estimators": 10}
    )
    small, large = curve["nrmse_range_pct"].tolist()
    assert large < small


def test_active_learning_needs_a_tree_ensemble(analytic_env):
    with pytest.raises(ConfigError, match="tree ensemble"):
        active_learning(analytic_env, 50, model="mlp")
    with pytest.raises(ConfigError, match="initial"):
        active_learning(analytic_env, 10, initial=20)
