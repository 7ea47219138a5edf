"""ProxySimulator and the proxy-backed env."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from archgym.errors import DatasetError, InvalidDesignError
from archgym.proxy import ProxySimulator, load_proxy_simulator, train_proxy
from archgym.simulators.analytic import PRESETS, AnalyticSimulator


def test_proxy_env_passes_check_env(model_path):
    env = gymnasium.make("archgym/Analytic-v0", cost_model="proxy", proxy=str(model_path))
    assert isinstance(env.unwrapped.simulator, ProxySimulator)
    check_env(env.unwrapped)


def test_proxy_env_predicts_what_the_model_predicts(model_path, analytic_model):
    env = gymnasium.make("archgym/Analytic-v0", cost_model="proxy", proxy=str(model_path))
    env.reset(seed=0)
    design = {"kind": "gamma", "x": 7, "y": 2, "width": 32, "z": 0.75}
    _, _, _, _, info = env.unwrapped.evaluate_design(design)
    expected = analytic_model.predict([design]).iloc[0]
    assert info["metrics"]["cost"] == pytest.approx(expected["cost"])
    assert info["metrics"]["area"] == pytest.approx(expected["area"])


def test_batch_path_equals_single_path_and_reports_infeasible(model_path):
    sim = load_proxy_simulator(model_path, reference=AnalyticSimulator())
    workload = PRESETS["default"]
    designs = sim.design_space.sample(np.random.default_rng(3), 300)
    infeasible = {"kind": "beta", "x": 9, "y": 9, "width": 8, "z": 0.0}  # x + y > 15
    batch = sim.evaluate_many([*designs, infeasible], workload)
    assert isinstance(batch[-1], InvalidDesignError)
    with pytest.raises(InvalidDesignError, match="x \\+ y <= 15"):
        sim.evaluate(infeasible, workload)
    malformed = {"kind": "omega", "x": 1, "y": 1, "width": 8, "z": 0.0}
    mixed = sim.evaluate_many([designs[0], malformed], workload)
    assert mixed[0] == pytest.approx(batch[0])
    assert isinstance(mixed[1], InvalidDesignError) and "'kind'" in str(mixed[1])
    with pytest.raises(InvalidDesignError, match="missing knob 'z'"):
        sim.evaluate({"kind": "beta", "x": 1, "y": 1, "width": 8}, workload)
    for design, result in zip(designs, batch, strict=False):
        single = sim.evaluate(design, workload)
        assert single == pytest.approx(result)
    array = sim.predict_array(designs)
    np.testing.assert_allclose(array[:, 0], [r["cost"] for r in batch[:-1]])


def test_proxy_refuses_another_workload_when_the_env_is_built(model_path):
    with pytest.raises(DatasetError, match="trained on workload 'default', not 'shifted'"):
        gymnasium.make(
            "archgym/Analytic-v0", cost_model="proxy", proxy=str(model_path), workload="shifted"
        )


def test_proxy_of_some_metrics_only(analytic_data, analytic_env, tmp_path):
    path = train_proxy(analytic_data, analytic_env, ["area"]).save(tmp_path / "area.joblib")
    env = gymnasium.make(
        "archgym/Analytic-v0",
        cost_model="proxy",
        proxy=str(path),
        objective={"kind": "weighted", "weights": {"area": 1.0}},
    )
    assert [m.name for m in env.unwrapped.metric_specs] == ["area"]


def test_loading_without_reference_rebuilds_the_space(model_path):
    sim = load_proxy_simulator(model_path)
    assert sim.design_space.names == ("kind", "x", "y", "width", "z")
    assert [m.unit for m in sim.metric_specs] == ["a.u.", "a.u."]


def test_proxy_backed_dram_env_passes_check_env(tmp_path):
    from archgym.data.collect import collect
    from archgym.envs import make_env

    options = {"workload": "stream", "trace_length": 500}
    data = collect("archgym/DRAM-v0", 150, seed=0, env_options=options)
    env = make_env("archgym/DRAM-v0", **options)
    path = train_proxy(data, env, ["power_mw", "energy_nj", "latency_ns"]).save(
        tmp_path / "dram.joblib"
    )
    proxy_env = gymnasium.make("archgym/DRAM-v0", cost_model="proxy", proxy=str(path), **options)
    check_env(proxy_env.unwrapped)
    assert proxy_env.unwrapped.simulator.model.metadata["env_id"] == "archgym/DRAM-v0"
    # Same workload name, other trace length: the proxy knows the trace's content hash.
    with pytest.raises(DatasetError, match="another version of workload 'stream'"):
        gymnasium.make(
            "archgym/DRAM-v0",
            cost_model="proxy",
            proxy=str(path),
            workload="stream",
            trace_length=600,
        )
