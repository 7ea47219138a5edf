"""Validation of a native model against a tool: design and metric mapping, error table."""

from __future__ import annotations

import math

import numpy as np
import pytest

import archgym
from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulators.external.validation import (
    NativeCounterpart,
    compare,
    relative_errors,
    sample_tool_designs,
    spearman,
)

NATIVE_SPACE = archgym.DesignSpace(
    [archgym.Integer("a", 1, 4), archgym.Categorical("mode", ("x", "y"))]
)
TOOL_SPACE = archgym.DesignSpace([archgym.Integer("a", 1, 4), archgym.Integer("depth", 1, 3)])


class Native(archgym.Simulator):
    name = "native"
    design_space = NATIVE_SPACE
    metric_specs = (archgym.MetricSpec("time", "s"), archgym.MetricSpec("latency", "s"))

    def evaluate(self, design, workload):
        if design["a"] == 4:
            raise InvalidDesignError("a = 4 is infeasible natively")
        return {"time": 10.0 * design["a"], "latency": 1.0}


class Tool(archgym.Simulator):
    name = "tool"
    design_space = TOOL_SPACE
    metric_specs = (
        archgym.MetricSpec("time", "s"),
        archgym.MetricSpec("queued_latency", "s"),
        archgym.MetricSpec("watts", "W"),
    )

    def evaluate(self, design, workload):
        # time 10% above the native model's; latency depends on the tool-only knob
        return {"time": 11.0 * design["a"], "queued_latency": 2.0 * design["depth"], "watts": 5}


COUNTERPART = NativeCounterpart(
    "test/Native-v0",
    fixed_knobs={"mode": "x"},
    metric_names={"queued_latency": ("accepted_latency", "latency")},
    tool_knobs={"depth": 2},
)


def test_designs_map_with_fixed_knobs_and_tool_knobs_dropped():
    assert COUNTERPART.native_design({"a": 2, "depth": 3}, NATIVE_SPACE) == {"a": 2, "mode": "x"}
    with pytest.raises(ConfigError, match="has no knob bogus"):
        COUNTERPART.native_design({"a": 2, "bogus": 1}, NATIVE_SPACE)
    with pytest.raises(ConfigError, match="no value for .* mode"):
        NativeCounterpart("test/Native-v0").native_design({"a": 2}, NATIVE_SPACE)


def test_metrics_pair_by_name_or_first_present_candidate():
    pairs = COUNTERPART.metric_pairs(("time", "queued_latency", "watts"), ("time", "latency"))
    assert pairs == [("time", "time"), ("queued_latency", "latency")]
    # once the native model reports the preferred metric, it is used instead
    pairs = COUNTERPART.metric_pairs(("queued_latency",), ("latency", "accepted_latency"))
    assert pairs == [("queued_latency", "accepted_latency")]


def test_sampled_designs_hold_the_tool_only_knobs():
    designs = sample_tool_designs(TOOL_SPACE, COUNTERPART, 4, seed=0)
    assert sorted(d["a"] for d in designs) == [1, 2, 3, 4]  # no repeats while possible
    assert {d["depth"] for d in designs} == {2}


def test_relative_errors_and_rank_correlation_by_hand():
    native = np.array([9.0, 22.0, 0.0, 5.0])
    reference = np.array([10.0, 20.0, 0.0, -5.0])
    errors = relative_errors(native, reference)
    # (-10%, +10%, left out, +200%)
    assert errors["mean_abs_error_pct"] == pytest.approx((10 + 10 + 200) / 3)
    assert errors["max_abs_error_pct"] == pytest.approx(200)
    assert errors["bias_pct"] == pytest.approx((-10 + 10 + 200) / 3)
    assert all(math.isnan(v) for v in relative_errors(native, np.zeros(4)).values())
    assert spearman(np.array([1.0, 2, 3]), np.array([10.0, 30, 20])) == pytest.approx(0.5)
    assert math.isnan(spearman(np.array([1.0, 1.0]), np.array([1.0, 2.0])))


def test_compare_skips_infeasible_designs_and_tabulates(tmp_path):
    designs = [{"a": a, "depth": 2} for a in (1, 2, 3, 4)]
    result = compare(Native(), Tool(), designs, "w", COUNTERPART, native_name="test/Native-v0")
    assert [d["a"] for d in result.designs] == [1, 2, 3]
    assert result.skipped == [({"a": 4, "depth": 2}, "native: a = 4 is infeasible natively")]
    table = result.table().set_index("metric")
    assert list(table.index) == ["time", "queued_latency"]
    time = table.loc["time"]
    assert time["n"] == 3 and time["tool_mean"] == pytest.approx(22.0)
    # native 10a against the tool's 11a: -1/11 on every design, same ranking
    assert time["mean_abs_error_pct"] == pytest.approx(100 / 11)
    assert time["bias_pct"] == pytest.approx(-100 / 11)
    assert time["spearman"] == pytest.approx(1.0)
    latency = table.loc["queued_latency"]
    assert latency["native_metric"] == "latency" and latency["bias_pct"] == pytest.approx(-75.0)
    assert result.plot(tmp_path / "scatter.png").stat().st_size > 1000


def test_nothing_in_common_is_a_config_error():
    with pytest.raises(ConfigError, match="no metric in common"):
        compare(
            Native(),
            Tool(),
            [],
            "w",
            NativeCounterpart("x", metric_names={"time": ("t",), "queued_latency": ()}),
        )
