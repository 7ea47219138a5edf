"""The analytic test function: hand-computed costs and rejection of out-of-space designs."""

from __future__ import annotations

import pytest

from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulators.analytic import PRESETS, AnalyticSimulator

DEFAULT = PRESETS["default"]


def test_cost_is_zero_at_the_optimum_and_hand_computed_elsewhere() -> None:
    sim = AnalyticSimulator()
    assert sim.evaluate(DEFAULT.optimum, DEFAULT)["cost"] == 0.0
    design = {"kind": "alpha", "x": 7, "y": 2, "width": 128, "z": 0.75}
    # kind alpha costs 0.3; width 128 is log2 distance 2 from 32, over 7, squared
    metrics = sim.evaluate(design, DEFAULT)
    assert metrics["cost"] == pytest.approx(0.3 + (2 / 7) ** 2)
    assert metrics["area"] == pytest.approx(128 / 128 + 7 / 9)


@pytest.mark.parametrize(
    ("knob", "value"),
    [("kind", "zeta"), ("width", 3), ("x", 10), ("z", 1.5)],
)
def test_value_outside_the_space_is_an_invalid_design_naming_the_knob(knob, value) -> None:
    design = {**DEFAULT.optimum, knob: value}
    with pytest.raises(InvalidDesignError, match=knob):
        AnalyticSimulator().evaluate(design, DEFAULT)


def test_missing_knob_is_an_invalid_design() -> None:
    design = {k: v for k, v in DEFAULT.optimum.items() if k != "y"}
    with pytest.raises(InvalidDesignError, match="y"):
        AnalyticSimulator().evaluate(design, DEFAULT)


def test_broken_constraint_is_an_invalid_design() -> None:
    design = {**DEFAULT.optimum, "x": 9, "y": 9}
    with pytest.raises(InvalidDesignError, match=r"x \+ y <= 15"):
        AnalyticSimulator().evaluate(design, DEFAULT)


@pytest.mark.parametrize("z_levels", [1, "5", 2.5, True])
def test_bad_z_levels_is_a_config_error_naming_it(z_levels) -> None:
    with pytest.raises(ConfigError, match="z_levels"):
        AnalyticSimulator(z_levels)
