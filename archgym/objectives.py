"""Objectives turn metrics into one reward that is always maximised.

Every env and every agent in archgym uses this convention: higher reward is
better. An objective also says whether its target is met and gives a metric
vector oriented so that higher is better, for multi-objective agents.
"""

from __future__ import annotations

import copy
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from archgym.errors import ConfigError
from archgym.simulator import Metrics, MetricSpec

SENSES = ("<=", ">=")
DEFAULT_INVALID_REWARD = -1e3


class Objective(ABC):
    """Reward (maximised), target check and oriented metric vector over named metrics."""

    #: Reward given to an infeasible design: lower than any feasible design in practice.
    invalid_reward: float = DEFAULT_INVALID_REWARD

    @property
    @abstractmethod
    def metric_names(self) -> tuple[str, ...]:
        """The metrics this objective reads."""

    @abstractmethod
    def reward(self, metrics: Metrics) -> float:
        """Scalar reward; higher is better."""

    def target_met(self, metrics: Metrics) -> bool:
        """Whether the design meets the objective's target (False when there is none)."""
        return False

    def vector(self, metrics: Metrics) -> np.ndarray:
        """The objective's metrics, each oriented so that higher is better."""
        return np.array([self.reward(metrics)])

    def assess(self, metrics: Metrics) -> tuple[float, bool, np.ndarray]:
        """``(reward, target_met, vector)`` in one call (subclasses may share the work)."""
        return self.reward(metrics), self.target_met(metrics), self.vector(metrics)

    def bind(self, specs: Sequence[MetricSpec]) -> Objective:
        """Check the metric names against a simulator's specs and take their scales."""
        known = {s.name: s for s in specs}
        unknown = [n for n in self.metric_names if n not in known]
        if unknown:
            raise ConfigError(
                f"{type(self).__name__}: unknown metric(s) {', '.join(map(repr, unknown))}; "
                f"the simulator reports {', '.join(known)}"
            )
        self._bind(known)
        return self

    def _bind(self, specs: Mapping[str, MetricSpec]) -> None:
        """Hook for objectives that need units, scales or directions."""

    def describe(self) -> str:
        """A short readable form of the objective (reports, ``archgym describe``)."""
        return type(self).__name__


class TargetObjective(Objective):
    """Meet every target: ``{"latency_ns": ("<=", 100.0), "power_mw": ("<=", 1000.0)}``.

    Reward is minus the distance of the design to the feasible region, each metric's
    excess normalised by its target (by the metric's scale when the target is 0),
    combined with the ``norm`` (1 = sum of excesses, 2 = Euclidean). Inside the
    region the reward is 0 and ``target_met`` is True.
    """

    def __init__(
        self,
        targets: Mapping[str, tuple[str, float]],
        scales: Mapping[str, float] | None = None,
        norm: float = 1,
        invalid_reward: float = DEFAULT_INVALID_REWARD,
    ) -> None:
        if not targets:
            raise ConfigError("TargetObjective needs at least one target")
        self.targets: dict[str, tuple[str, float]] = {}
        for name, target in targets.items():
            sense, value = _parse_target(name, target)
            self.targets[name] = (sense, value)
        if norm not in (1, 2):
            raise ConfigError(f"TargetObjective: norm must be 1 or 2, got {norm!r}")
        self.norm = norm
        self.scales = {n: abs(v) for n, (_, v) in self.targets.items() if v != 0}
        self.scales.update(scales or {})
        self.invalid_reward = invalid_reward

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(self.targets)

    def _bind(self, specs: Mapping[str, MetricSpec]) -> None:
        for name in self.targets:
            self.scales.setdefault(name, specs[name].scale)

    def excesses(self, metrics: Metrics) -> np.ndarray:
        """Normalised amount by which each metric misses its target (0 when met)."""
        return np.array(self._excess_list(metrics))

    def _excess_list(self, metrics: Metrics) -> list[float]:
        out = []
        for name, (sense, target) in self.targets.items():
            gap = metrics[name] - target if sense == "<=" else target - metrics[name]
            out.append(max(gap, 0.0) / self.scales.get(name, 1.0))
        return out

    def _distance(self, excess: list[float]) -> float:
        return sum(excess) if self.norm == 1 else math.sqrt(sum(e * e for e in excess))

    def reward(self, metrics: Metrics) -> float:
        return 0.0 - self._distance(self._excess_list(metrics))

    def target_met(self, metrics: Metrics) -> bool:
        return not any(self._excess_list(metrics))

    def vector(self, metrics: Metrics) -> np.ndarray:
        return -self.excesses(metrics)

    def assess(self, metrics: Metrics) -> tuple[float, bool, np.ndarray]:
        excess = self._excess_list(metrics)
        return 0.0 - self._distance(excess), not any(excess), 0.0 - np.array(excess)

    def describe(self) -> str:
        return " and ".join(f"{n} {s} {v:g}" for n, (s, v) in self.targets.items())


class WeightedSumObjective(Objective):
    """Weighted sum of metrics normalised by their scales, signed by their directions.

    reward = sum_i w_i * sign_i * metric_i / scale_i, where sign is +1 for metrics to
    maximise and -1 for metrics to minimise. Optional ``targets`` only decide
    ``target_met``.
    """

    def __init__(
        self,
        weights: Mapping[str, float],
        scales: Mapping[str, float] | None = None,
        targets: Mapping[str, tuple[str, float]] | None = None,
        invalid_reward: float = DEFAULT_INVALID_REWARD,
    ) -> None:
        if not weights:
            raise ConfigError("WeightedSumObjective needs at least one weight")
        self.weights = {n: float(w) for n, w in weights.items()}
        self._weight_vector = np.array(list(self.weights.values()))
        self.scales = dict(scales or {})
        self.signs = dict.fromkeys(self.weights, -1.0)
        self._target = TargetObjective(targets) if targets else None
        self.invalid_reward = invalid_reward

    @property
    def metric_names(self) -> tuple[str, ...]:
        extra = self._target.metric_names if self._target else ()
        return tuple(dict.fromkeys((*self.weights, *extra)))

    def _bind(self, specs: Mapping[str, MetricSpec]) -> None:
        for name in self.weights:
            self.scales.setdefault(name, specs[name].scale)
            self.signs[name] = specs[name].sign
        if self._target:
            self._target._bind(specs)

    def reward(self, metrics: Metrics) -> float:
        return self._weighted(self.vector(metrics))

    def assess(self, metrics: Metrics) -> tuple[float, bool, np.ndarray]:
        vector = self.vector(metrics)
        return self._weighted(vector), self.target_met(metrics), vector

    def _weighted(self, vector: np.ndarray) -> float:
        return float(vector @ self._weight_vector)

    def vector(self, metrics: Metrics) -> np.ndarray:
        return np.array(
            [self.signs[n] * metrics[n] / self.scales.get(n, 1.0) for n in self.weights]
        )

    def target_met(self, metrics: Metrics) -> bool:
        return self._target.target_met(metrics) if self._target else False

    def describe(self) -> str:
        return " + ".join(f"{w:g}*{n}" for n, w in self.weights.items())


class ArchGymObjective(Objective):
    """ArchGym's ``target / |x - target|`` reward, safe at an exact hit.

    For several metrics the per-metric rewards are multiplied, as ArchGym does for
    its joint power and latency target. ``|x - target|`` is floored at
    ``tolerance * |target|``, so an exact hit gives ``1 / tolerance`` instead of a
    division by zero. ``target_met`` holds when every metric is within the tolerance
    band or on the good side of its target.
    """

    def __init__(
        self,
        targets: Mapping[str, float | tuple[str, float]],
        tolerance: float = 1e-3,
        invalid_reward: float = 0.0,
    ) -> None:
        if not targets:
            raise ConfigError("ArchGymObjective needs at least one target")
        if not tolerance > 0:
            raise ConfigError(f"ArchGymObjective: tolerance must be positive, got {tolerance}")
        self.targets = {n: _parse_target(n, t) for n, t in targets.items()}
        for name, (_, value) in self.targets.items():
            if value == 0:
                raise ConfigError(f"ArchGymObjective: target of {name!r} must not be 0")
        self.tolerance = tolerance
        self.invalid_reward = invalid_reward

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(self.targets)

    def vector(self, metrics: Metrics) -> np.ndarray:
        out = []
        for name, (_, target) in self.targets.items():
            gap = max(abs(metrics[name] - target), self.tolerance * abs(target))
            out.append(abs(target) / gap)
        return np.array(out)

    def reward(self, metrics: Metrics) -> float:
        return float(np.prod(self.vector(metrics)))

    def target_met(self, metrics: Metrics) -> bool:
        for name, (sense, target) in self.targets.items():
            value = metrics[name]
            near = abs(value - target) <= self.tolerance * abs(target)
            good_side = value <= target if sense == "<=" else value >= target
            if not (near or good_side):
                return False
        return True

    def describe(self) -> str:
        return "archgym: " + " * ".join(
            f"{v:g}/|{n} - {v:g}|" for n, (_, v) in self.targets.items()
        )


class MultiObjective(Objective):
    """A metric vector for multi-objective agents, each entry oriented higher-is-better.

    The scalar reward (for single-objective agents) is the mean of the normalised,
    oriented metrics. Optional ``targets`` decide ``target_met``.
    """

    def __init__(
        self,
        metrics: Sequence[str],
        scales: Mapping[str, float] | None = None,
        targets: Mapping[str, tuple[str, float]] | None = None,
        invalid_reward: float = DEFAULT_INVALID_REWARD,
    ) -> None:
        if not metrics:
            raise ConfigError("MultiObjective needs at least one metric")
        self._sum = WeightedSumObjective(
            dict.fromkeys(metrics, 1.0 / len(metrics)), scales, targets, invalid_reward
        )
        self.invalid_reward = invalid_reward

    @property
    def metric_names(self) -> tuple[str, ...]:
        return self._sum.metric_names

    @property
    def directions(self) -> tuple[str, ...]:
        """ "max" for every entry of ``vector`` (it is already oriented)."""
        return ("max",) * len(self._sum.weights)

    def _bind(self, specs: Mapping[str, MetricSpec]) -> None:
        self._sum._bind(specs)

    def reward(self, metrics: Metrics) -> float:
        return self._sum.reward(metrics)

    def vector(self, metrics: Metrics) -> np.ndarray:
        return self._sum.vector(metrics)

    def target_met(self, metrics: Metrics) -> bool:
        return self._sum.target_met(metrics)

    def assess(self, metrics: Metrics) -> tuple[float, bool, np.ndarray]:
        return self._sum.assess(metrics)

    def describe(self) -> str:
        return "multi: " + ", ".join(self._sum.weights)


_TARGET_PATTERN = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$")


def parse_targets(text: str) -> dict[str, tuple[str, float]]:
    """Parse ``"latency_ns <= 100, power_mw <= 1000"`` (``and`` also separates)."""
    targets: dict[str, tuple[str, float]] = {}
    for part in re.split(r",|\band\b", text):
        if not part.strip():
            continue
        match = _TARGET_PATTERN.match(part)
        if not match:
            raise ConfigError(
                f"cannot read target {part.strip()!r}: expected 'metric <= value' or "
                "'metric >= value'"
            )
        name, sense, value = match.groups()
        try:
            targets[name] = (sense, float(value))
        except ValueError:
            raise ConfigError(f"target {part.strip()!r}: {value!r} is not a number") from None
    if not targets:
        raise ConfigError(f"no target found in {text!r}")
    return targets


def make_objective(
    spec: Objective | str | Mapping[str, Any], metric_specs: Sequence[MetricSpec]
) -> Objective:
    """Build an objective from an instance, a string or a dict, bound to the metric specs.

    Strings: ``"target: latency_ns <= 100, power_mw <= 1000"``, ``"min: energy_nj"``,
    ``"max: throughput"``, ``"weighted: energy_nj=1, latency_ns=0.5"``,
    ``"archgym: power_mw=1000"`` and ``"multi: energy_nj, latency_ns"``.
    Dicts: ``{"kind": "target", "targets": {...}}`` with the constructor arguments.
    """
    if isinstance(spec, Objective):
        # Binding fills in scales and directions: bind a copy, so that one objective
        # shared by envs of different simulators serves each with its own specs.
        return copy.deepcopy(spec).bind(metric_specs)
    if isinstance(spec, Mapping):
        return _objective_from_dict(dict(spec)).bind(metric_specs)
    if not isinstance(spec, str) or ":" not in spec:
        raise ConfigError(
            f"objective {spec!r}: expected an Objective, a dict, or a string like "
            "'target: latency_ns <= 100', 'min: energy_nj', 'weighted: a=1, b=2', "
            "'archgym: power_mw=1000' or 'multi: a, b'"
        )
    kind, _, body = spec.partition(":")
    kind = kind.strip().lower()
    if kind == "target":
        objective: Objective = TargetObjective(parse_targets(body))
    elif kind in ("min", "max"):
        specs = {s.name: s for s in metric_specs}
        names = [n.strip() for n in body.split(",") if n.strip()]
        for name in names:
            if name in specs and specs[name].direction != kind:
                raise ConfigError(
                    f"objective {spec!r}: metric {name!r} is to be "
                    f"{specs[name].direction}imised, not {kind}imised"
                )
        objective = WeightedSumObjective(dict.fromkeys(names, 1.0))
    elif kind == "weighted":
        objective = WeightedSumObjective(_parse_assignments(spec, body))
    elif kind == "archgym":
        objective = ArchGymObjective(_parse_assignments(spec, body))
    elif kind == "multi":
        objective = MultiObjective([n.strip() for n in body.split(",") if n.strip()])
    else:
        raise ConfigError(
            f"objective {spec!r}: unknown kind {kind!r}; "
            "expected target, min, max, weighted, archgym or multi"
        )
    return objective.bind(metric_specs)


def _objective_from_dict(spec: dict[str, Any]) -> Objective:
    kinds = {
        "target": TargetObjective,
        "weighted": WeightedSumObjective,
        "archgym": ArchGymObjective,
        "multi": MultiObjective,
    }
    kind = spec.pop("kind", None)
    if kind not in kinds:
        raise ConfigError(f"objective dict: 'kind' must be one of {', '.join(kinds)}, got {kind!r}")
    try:
        return kinds[kind](**spec)
    except TypeError as error:
        raise ConfigError(f"objective dict of kind {kind!r}: {error}") from None


def _parse_assignments(spec: str, body: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in body.split(","):
        name, eq, value = part.partition("=")
        try:
            if not eq or not name.strip():
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(
                f"objective {spec!r}: cannot read {part.strip()!r}; expected 'metric=number'"
            ) from None
    return out


def _parse_target(name: str, target: Any) -> tuple[str, float]:
    if isinstance(target, int | float) and not isinstance(target, bool):
        return "<=", float(target)
    if (
        isinstance(target, Sequence)
        and len(target) == 2
        and target[0] in SENSES
        and isinstance(target[1], int | float)
    ):
        return str(target[0]), float(target[1])
    raise ConfigError(
        f"target for {name!r} must be a number or a ('<=' | '>=', number) pair, got {target!r}"
    )
