"""A separable test function over a mixed knob space, with a known optimum.

This is a test function, not a model of hardware: it gives agents and tests
ground truth before (and besides) the real simulators. The cost is a sum of one
term per knob, each zero exactly at the optimum, so the global minimum is 0 at a
known design; ``area`` grows with ``width`` and ``x`` and so conflicts with
``cost``, which gives multi-objective agents a real Pareto front.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

from archgym.errors import ConfigError, WorkloadError
from archgym.simulator import Metrics, MetricSpec, Simulator, stable_hash
from archgym.spaces import Categorical, Constraint, Design, DesignSpace, Integer, Ordinal, Real

KINDS = ("alpha", "beta", "gamma", "delta")


@dataclass(frozen=True)
class SeparableFunction:
    """Where the optimum lies (the "workload" of the analytic simulator)."""

    name: str = "default"
    kind_costs: dict[str, float] = field(
        default_factory=lambda: {"alpha": 0.3, "beta": 0.1, "gamma": 0.0, "delta": 0.2}
    )
    x_opt: int = 7
    y_opt: int = 2
    width_opt: int = 32
    z_opt: float = 0.75

    @property
    def optimum(self) -> Design:
        """The design where the cost is 0 (its kind is the one that costs nothing)."""
        best_kind = min(self.kind_costs, key=self.kind_costs.__getitem__)
        return {
            "kind": best_kind,
            "x": self.x_opt,
            "y": self.y_opt,
            "width": self.width_opt,
            "z": self.z_opt,
        }

    def fingerprint(self) -> str:
        """Stable hash of the function's parameters (the evaluation cache's key)."""
        return stable_hash(repr(self))


PRESETS = {
    "default": SeparableFunction(),
    "shifted": SeparableFunction(
        "shifted",
        {"alpha": 0.0, "beta": 0.2, "gamma": 0.3, "delta": 0.1},
        x_opt=2,
        y_opt=8,
        width_opt=4,
        z_opt=0.25,
    ),
}


def analytic_space(z_levels: int = 5) -> DesignSpace:
    """The mixed space: 4 labels x 10 x 10 x 8 widths x a real knob (``z_levels`` grid)."""
    return DesignSpace(
        [
            Categorical("kind", KINDS, doc="an unordered choice"),
            Integer("x", 0, 9, doc="an integer knob"),
            Integer("y", 0, 9, doc="an integer knob"),
            Ordinal.powers_of_two("width", 1, 128, unit="bit", doc="a power-of-two knob"),
            Real("z", 0.0, 1.0, levels=z_levels, unit="V", doc="a real knob"),
        ],
        constraints=[Constraint("x + y <= 15", lambda d: d["x"] + d["y"] <= 15)],
    )


ANALYTIC_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("cost", "a.u.", "min", "separable cost, 0 at the optimum", scale=1.0),
    MetricSpec("area", "a.u.", "min", "grows with width and x", scale=1.0),
)


class AnalyticSimulator(Simulator):
    """Evaluates :class:`SeparableFunction` workloads; see the module docstring."""

    name = "analytic"

    def __init__(self, z_levels: int = 5) -> None:
        if isinstance(z_levels, bool) or not isinstance(z_levels, Integral) or z_levels < 2:
            raise ConfigError(f"z_levels must be an integer >= 2, got {z_levels!r}")
        self.z_levels = z_levels
        self._space = analytic_space(z_levels)

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return ANALYTIC_METRICS

    def config(self) -> dict[str, Any]:
        return {"z_levels": self.z_levels}

    def evaluate(self, design: Design, workload: SeparableFunction) -> Metrics:
        """``cost`` and ``area`` of ``design`` (arbitrary units).

        Raises WorkloadError for a workload that is not a SeparableFunction and
        InvalidDesignError for a design outside the space or breaking ``x + y <= 15``.
        """
        if not isinstance(workload, SeparableFunction):
            raise WorkloadError(f"analytic simulator needs a SeparableFunction, got {workload!r}")
        design = self._space.validate(design)
        cost = (
            workload.kind_costs[design["kind"]]
            + ((design["x"] - workload.x_opt) / 9) ** 2
            + ((design["y"] - workload.y_opt) / 9) ** 2
            + ((math.log2(design["width"]) - math.log2(workload.width_opt)) / 7) ** 2
            + (design["z"] - workload.z_opt) ** 2
        )
        area = design["width"] / 128 + design["x"] / 9
        return {"cost": cost, "area": area}
