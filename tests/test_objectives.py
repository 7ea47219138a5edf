from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import ConfigError
from archgym.objectives import (
    ArchGymObjective,
    MultiObjective,
    TargetObjective,
    WeightedSumObjective,
    make_objective,
    parse_targets,
)
from archgym.simulator import MetricSpec

SPECS = (
    MetricSpec("latency_ns", "ns", "min", scale=100.0),
    MetricSpec("power_mw", "mW", "min", scale=1000.0),
    MetricSpec("bandwidth_gbps", "GB/s", "max", scale=10.0),
)


def test_target_reward_is_negative_normalised_distance():
    objective = TargetObjective({"latency_ns": ("<=", 100.0), "power_mw": ("<=", 1000.0)})
    inside = {"latency_ns": 80.0, "power_mw": 900.0}
    assert objective.reward(inside) == 0.0 and objective.target_met(inside)
    outside = {"latency_ns": 150.0, "power_mw": 1200.0}
    assert objective.reward(outside) == pytest.approx(-(0.5 + 0.2))
    assert not objective.target_met(outside)
    euclid = TargetObjective({"latency_ns": 100.0, "power_mw": 1000.0}, norm=2)
    assert euclid.reward(outside) == pytest.approx(-np.hypot(0.5, 0.2))


def test_target_reward_is_higher_for_better_designs():
    objective = TargetObjective({"bandwidth_gbps": (">=", 10.0)})
    assert objective.reward({"bandwidth_gbps": 8.0}) > objective.reward({"bandwidth_gbps": 5.0})
    assert objective.target_met({"bandwidth_gbps": 10.0})


def test_zero_target_uses_metric_scale():
    objective = make_objective("target: latency_ns <= 0", SPECS)
    assert objective.reward({"latency_ns": 50.0}) == pytest.approx(-0.5)


def test_assess_matches_separate_calls():
    objective = TargetObjective({"latency_ns": 100.0, "power_mw": 1000.0})
    metrics = {"latency_ns": 130.0, "power_mw": 999.0}
    reward, met, vector = objective.assess(metrics)
    assert reward == objective.reward(metrics) and met == objective.target_met(metrics)
    assert np.array_equal(vector, objective.vector(metrics))


@pytest.mark.parametrize(
    "spec",
    [
        "weighted: latency_ns=1, bandwidth_gbps=2",
        {"kind": "weighted", "weights": {"power_mw": 1.0}, "targets": {"power_mw": 1000.0}},
        "multi: latency_ns, bandwidth_gbps",
        "archgym: power_mw=1000",
    ],
)
def test_assess_matches_separate_calls_for_every_kind(spec):
    objective = make_objective(spec, SPECS)
    metrics = {"latency_ns": 130.0, "power_mw": 999.0, "bandwidth_gbps": 7.0}
    reward, met, vector = objective.assess(metrics)
    assert reward == objective.reward(metrics) and met == objective.target_met(metrics)
    assert np.array_equal(vector, objective.vector(metrics))


def test_weighted_sum_uses_directions_and_scales():
    objective = make_objective("weighted: latency_ns=1, bandwidth_gbps=2", SPECS)
    metrics = {"latency_ns": 200.0, "bandwidth_gbps": 5.0}
    assert objective.reward(metrics) == pytest.approx(-2.0 + 2 * 0.5)


def test_archgym_formulation_is_safe_at_exact_hit():
    objective = ArchGymObjective({"power_mw": 1000.0}, tolerance=1e-3)
    assert objective.reward({"power_mw": 1000.0}) == pytest.approx(1000.0)
    assert objective.reward({"power_mw": 1500.0}) == pytest.approx(2.0)
    assert objective.reward({"power_mw": 1100.0}) > objective.reward({"power_mw": 1500.0})
    assert objective.target_met({"power_mw": 900.0})
    both = make_objective("archgym: power_mw=1000, latency_ns=100", SPECS)
    assert both.reward({"power_mw": 1500.0, "latency_ns": 200.0}) == pytest.approx(2.0 * 1.0)


def test_multi_objective_vector_is_oriented():
    objective = make_objective("multi: latency_ns, bandwidth_gbps", SPECS)
    assert isinstance(objective, MultiObjective)
    vector = objective.vector({"latency_ns": 100.0, "bandwidth_gbps": 20.0})
    assert vector == pytest.approx([-1.0, 2.0])
    assert objective.directions == ("max", "max")


def test_unknown_metric_is_named():
    with pytest.raises(ConfigError, match="'energy'.*latency_ns, power_mw, bandwidth_gbps"):
        make_objective("target: energy <= 3", SPECS)


def test_min_of_a_maximised_metric_is_refused():
    with pytest.raises(ConfigError, match="maximised"):
        make_objective("min: bandwidth_gbps", SPECS)


@pytest.mark.parametrize(
    "spec",
    ["latency", "target: latency_ns < 3", "weighted: latency_ns", "nosuch: a", 3.0],
)
def test_malformed_specs_raise_config_error(spec):
    with pytest.raises(ConfigError):
        make_objective(spec, SPECS)


def test_parse_targets_accepts_and():
    assert parse_targets("latency_ns <= 100 and power_mw <= 1e3") == {
        "latency_ns": ("<=", 100.0),
        "power_mw": ("<=", 1000.0),
    }


def test_dict_specs():
    objective = make_objective({"kind": "target", "targets": {"power_mw": 10.0}}, SPECS)
    assert objective.target_met({"power_mw": 9.0})
    with pytest.raises(ConfigError, match="'kind'"):
        make_objective({"targets": {}}, SPECS)
    assert isinstance(
        make_objective({"kind": "weighted", "weights": {"power_mw": 1}}, SPECS),
        WeightedSumObjective,
    )


def test_one_objective_instance_binds_separately_per_simulator():
    shared = TargetObjective({"latency_ns": ("<=", 0.0)})
    fast = make_objective(shared, (MetricSpec("latency_ns", "ns", scale=10.0),))
    slow = make_objective(shared, (MetricSpec("latency_ns", "ns", scale=1000.0),))
    assert fast.reward({"latency_ns": 100.0}) == pytest.approx(-10.0)
    assert slow.reward({"latency_ns": 100.0}) == pytest.approx(-0.1)
