"""Fixtures for the agent tests: the analytic env, a 64-design env, a simulator-call counter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import pytest

import archgym  # noqa: F401  (registers the envs)
from archgym.envs.base import DesignEnv
from archgym.objectives import MultiObjective, TargetObjective
from archgym.simulator import Metrics, MetricSpec, Simulator
from archgym.spaces import Categorical, Design, DesignSpace, Integer, Ordinal

#: The optimum of archgym/Analytic-v0 with its default workload (see simulators/analytic.py).
ANALYTIC_OPTIMUM = {"kind": "gamma", "x": 7, "y": 2, "width": 32, "z": 0.75}

#: The optimum of the small env below: cost 0 there, >= 0.04 everywhere else.
SMALL_OPTIMUM = {"mode": "c", "n": 2, "size": 4}


class SmallSimulator(Simulator):
    """4 x 4 x 4 = 64 designs, separable cost with a unique zero at SMALL_OPTIMUM."""

    name = "small"

    def __init__(self) -> None:
        self._space = DesignSpace(
            [
                Categorical("mode", ("a", "b", "c", "d")),
                Integer("n", 0, 3),
                Ordinal("size", (1, 2, 4, 8)),
            ]
        )
        self._metrics = (
            MetricSpec("cost", "a.u.", "min", scale=1.0),
            MetricSpec("area", "a.u.", "min", scale=1.0),
        )

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return self._metrics

    def evaluate(self, design: Design, workload: Any) -> Metrics:
        mode_cost = {"a": 0.3, "b": 0.2, "c": 0.0, "d": 0.1}[design["mode"]]
        size_index = (1, 2, 4, 8).index(design["size"])
        cost = mode_cost + 0.04 * (design["n"] - 2) ** 2 + 0.05 * (size_index - 2) ** 2
        return {"cost": cost, "area": design["size"] / 8 + design["n"] / 3}


def count_simulator_calls(env: gym.Env) -> list[Design]:
    """Patch the env's simulator so each evaluate call appends its design to the returned list."""
    simulator = env.unwrapped.simulator
    calls: list[Design] = []
    evaluate = simulator.evaluate

    def counting(design: Design, workload: Any) -> Metrics:
        calls.append(dict(design))
        return evaluate(design, workload)

    simulator.evaluate = counting
    return calls


@pytest.fixture
def analytic_env() -> Callable[..., gym.Env]:
    """Factory of archgym/Analytic-v0 envs (keyword arguments go to gymnasium.make)."""
    return lambda **options: gym.make("archgym/Analytic-v0", **options)


@pytest.fixture
def small_env() -> Callable[..., DesignEnv]:
    """Factory of 64-design envs; ``objective="multi"`` gives cost and area."""

    def make(objective: str = "target", **options: Any) -> DesignEnv:
        if objective == "multi":
            spec = MultiObjective(["cost", "area"])
        else:
            spec = TargetObjective({"cost": ("<=", 1e-9)}, scales={"cost": 1.0})
        return DesignEnv(SmallSimulator(), "none", spec, **options)

    return make


@pytest.fixture
def count_calls() -> Callable[[gym.Env], list[Design]]:
    """``count_calls(env)`` patches the env's simulator; the list grows by one design per call."""
    return count_simulator_calls


@pytest.fixture
def analytic_optimum() -> Design:
    return dict(ANALYTIC_OPTIMUM)


@pytest.fixture
def small_optimum() -> Design:
    return dict(SMALL_OPTIMUM)
