"""ProxyModel: accuracy on a known function, metrics, log targets, persistence, schema checks."""

from __future__ import annotations

import io
import math

import gymnasium
import joblib
import numpy as np
import pandas as pd
import pytest

from archgym.errors import ConfigError, DatasetError, InvalidDesignError
from archgym.hashed_file import write_hashed
from archgym.proxy import (
    ProxyModel,
    accuracy,
    cross_validate,
    holdout_evaluation,
    schema_differences,
    train_proxy,
)
from archgym.proxy.compiled import CompiledEnsemble
from archgym.proxy.encoding import DesignEncoder
from archgym.proxy.model import choose_log_targets


def test_accuracy_scores_hand_computed():
    scores = accuracy(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
    rmse = math.sqrt(1 / 3)
    assert scores["rmse"] == pytest.approx(rmse)
    assert scores["nrmse_mean_pct"] == pytest.approx(100 * rmse / 2)  # mean 2
    assert scores["nrmse_range_pct"] == pytest.approx(100 * rmse / 2)  # range 3 - 1
    assert scores["mape_pct"] == pytest.approx(100 * (1 / 3) / 3)
    assert scores["r2"] == pytest.approx(1 - 1 / 2)


def test_forest_proxy_of_known_function_reaches_low_error(analytic_data, analytic_env):
    # area = width / 128 + x / 9 exactly: a function of two discrete knobs.
    result = holdout_evaluation(
        analytic_data, analytic_env, ["area"], hyperparameters={"n_estimators": 30}
    )
    row = result.table.set_index("metric").loc["area"]
    assert row["nrmse_range_pct"] < 0.5
    assert row["r2"] > 0.999
    assert row["n_test"] == len(result.test) == 300


def test_boosted_proxy_of_smooth_known_function_reaches_low_error(analytic_data, analytic_env):
    # cost is a sum of one quadratic per knob (plus a per-label constant).
    result = holdout_evaluation(
        analytic_data,
        analytic_env,
        ["cost"],
        model="hist_gradient_boosting",
        hyperparameters={"max_iter": 200},
    )
    row = result.table.set_index("metric").loc["cost"]
    assert row["nrmse_range_pct"] < 2.5
    assert row["r2"] > 0.98


def test_holdout_never_tests_on_training_designs(analytic_data, analytic_env):
    doubled = pd.concat([analytic_data, analytic_data], ignore_index=True)
    result = holdout_evaluation(doubled, analytic_env, ["area"])
    knobs = list(analytic_env.unwrapped.design_space.names)
    assert result.model.metadata["training_size"] == 1200  # 1,500 unique designs, 20% held out
    assert not result.test.duplicated(subset=knobs).any()


def test_cross_validation_reports_every_fold(analytic_data, analytic_env):
    folds = cross_validate(
        analytic_data, analytic_env, ["area"], k=3, hyperparameters={"n_estimators": 10}
    )
    row = folds.set_index("metric").loc["area"]
    assert row["folds"] == 3
    assert row["r2_mean"] > 0.99 and row["r2_std"] >= 0


def test_log_targets_auto_follows_the_span():
    data = pd.DataFrame({"wide": [1.0, 10.0, 1e4], "narrow": [5.0, 6.0, 7.0], "neg": [-1.0, 0, 1]})
    assert choose_log_targets(data, ["wide", "narrow", "neg"], "auto") == {
        "wide": True,
        "narrow": False,
        "neg": False,
    }
    assert choose_log_targets(data, ["narrow"], {"narrow": True}) == {"narrow": True}
    with pytest.raises(ConfigError, match="neg"):
        choose_log_targets(data, ["neg"], True)


def test_encoder_features_are_hand_computable(analytic_env):
    encoder = DesignEncoder(analytic_env.unwrapped.design_space.schema())
    row = encoder.encode_one({"kind": "gamma", "x": 9, "y": 0, "width": 4, "z": 0.5})
    # kind one-hot (alpha, beta, gamma, delta), x and y over 0..9, width index 2 of 0..7, z.
    np.testing.assert_allclose(row[0], [0, 0, 1, 0, 1.0, 0.0, 2 / 7, 0.5])
    frame = pd.DataFrame([{"kind": "gamma", "x": 9, "y": 0, "width": 4, "z": 0.5}])
    np.testing.assert_allclose(encoder.encode(frame), row)
    with pytest.raises(InvalidDesignError, match="width"):
        encoder.encode_one({"kind": "gamma", "x": 9, "y": 0, "width": 3, "z": 0.5})
    with pytest.raises(InvalidDesignError, match="'x'"):
        encoder.encode(pd.DataFrame([{"kind": "beta", "x": 12, "y": 0, "width": 4, "z": 0.5}]))


@pytest.mark.parametrize(
    "kind", ["random_forest", "extra_trees", "hist_gradient_boosting", "decision_tree"]
)
def test_compiled_kernel_matches_scikit_learn(kind, analytic_data, analytic_env):
    hp = {
        "random_forest": {"n_estimators": 5},
        "extra_trees": {"n_estimators": 5},
        "hist_gradient_boosting": {"max_iter": 30},
    }.get(kind, {})
    model = train_proxy(analytic_data, analytic_env, model=kind, hyperparameters=hp)
    X = model.encoder.encode(analytic_data)
    compiled = CompiledEnsemble.build(model.regressors, list(model.metric_names))
    fitted = compiled.predict(X)
    for j, name in enumerate(model.metric_names):
        np.testing.assert_allclose(fitted[:, j], model.regressors[name].predict(X), atol=1e-9)


def test_saved_model_round_trips_with_metadata(analytic_model, model_path, analytic_env):
    loaded = ProxyModel.load(model_path, knob_schema=analytic_env.unwrapped.design_space.schema())
    designs = analytic_env.unwrapped.design_space.sample(np.random.default_rng(1), 20)
    pd.testing.assert_frame_equal(loaded.predict(designs), analytic_model.predict(designs))
    meta = loaded.metadata
    assert meta["env_id"] == "archgym/Analytic-v0" and meta["workload"] == "default"
    assert meta["knob_schema"][0]["name"] == "kind"
    assert {m["name"]: m["unit"] for m in meta["metrics"]} == {"cost": "a.u.", "area": "a.u."}
    assert meta["training_size"] == 1500 and len(meta["training_hash"]) == 16
    assert {"python", "numpy", "scikit-learn"} <= set(meta["versions"])


def test_schema_mismatch_names_the_difference(model_path, tmp_path):
    model = ProxyModel.load(model_path)
    width = next(k for k in model.metadata["knob_schema"] if k["name"] == "width")
    width["values"] = [1, 2, 4, 8]
    tampered = model.save(tmp_path / "tampered.joblib")
    with pytest.raises(DatasetError, match=r"knob 'width' values: model has \[1, 2, 4, 8\]"):
        gymnasium.make("archgym/Analytic-v0", cost_model="proxy", proxy=str(tampered))


def test_schema_differences_lists_missing_extra_and_changed_knobs():
    old = [{"name": "a", "kind": "Integer", "low": 0, "high": 3}, {"name": "b", "kind": "Real"}]
    new = [{"name": "a", "kind": "Integer", "low": 0, "high": 5}, {"name": "c", "kind": "Real"}]
    assert schema_differences(old, new) == [
        "knob(s) b are in the model but not in the env",
        "knob(s) c are in the env but not in the model",
        "knob 'a' high: model has 3, env has 5",
    ]
    assert schema_differences(old, old) == []


def test_load_rejects_files_that_are_not_proxies(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        ProxyModel.load(tmp_path / "missing.joblib")
    buffer = io.BytesIO()
    joblib.dump({"something": 1}, buffer)
    write_hashed(tmp_path / "other.joblib", "archgym-proxy", buffer.getvalue())
    with pytest.raises(DatasetError, match="not an archgym proxy"):
        ProxyModel.load(tmp_path / "other.joblib")


def test_training_rejects_bad_input(analytic_data, analytic_env):
    with pytest.raises(ConfigError, match="unknown metric"):
        train_proxy(analytic_data, analytic_env, ["speed"])
    with pytest.raises(ConfigError, match="not one of"):
        train_proxy(analytic_data, analytic_env, model="svm")
    with pytest.raises(DatasetError, match="lacks column"):
        train_proxy(analytic_data.drop(columns=["x"]), analytic_env)
    with pytest.raises(DatasetError, match="no rows for workload 'shifted'"):
        train_proxy(analytic_data, analytic_env, workload="shifted")


def test_recorded_agent_runs_are_training_data(tmp_path, analytic_env):
    from archgym.agents import make_agent
    from archgym.data import TrajectoryRecorder, load_trajectories

    env = TrajectoryRecorder(gymnasium.make("archgym/Analytic-v0"), tmp_path, run_id="walk")
    make_agent("random", analytic_env.unwrapped.design_space, seed=0).run(env, 150)
    env.close()
    data = load_trajectories(tmp_path)
    model = train_proxy(data, analytic_env, ["area"], hyperparameters={"n_estimators": 5})
    valid_unique = data[data["valid"]].drop_duplicates(subset=["kind", "x", "y", "width", "z"])
    assert model.metadata["training_size"] == len(valid_unique)
