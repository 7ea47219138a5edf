"""The Simulator interface: a pure cost model from (design, workload) to metrics.

A simulator knows nothing of Gymnasium. It declares its DesignSpace and its
metrics (name, unit, direction) and evaluates designs deterministically.
Infeasible designs raise :class:`~archgym.errors.InvalidDesignError`.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from archgym.errors import ConfigError, InvalidDesignError
from archgym.spaces import Design, DesignSpace

Metrics = dict[str, float]

DIRECTIONS = ("min", "max")


@dataclass(frozen=True)
class MetricSpec:
    """One metric a simulator reports.

    ``direction`` says which way is better ("min" or "max"); ``scale`` is a typical
    magnitude used to normalise observations and weighted sums.
    """

    name: str
    unit: str
    direction: str = "min"
    doc: str = ""
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ConfigError(
                f"metric {self.name!r}: direction {self.direction!r} is not 'min' or 'max'"
            )
        if not self.scale > 0:
            raise ConfigError(f"metric {self.name!r}: scale must be positive, got {self.scale}")

    @property
    def sign(self) -> float:
        """+1 when larger is better, -1 when smaller is better."""
        return 1.0 if self.direction == "max" else -1.0


@runtime_checkable
class Workload(Protocol):
    """What the hardware runs: it has a name and a stable content fingerprint."""

    name: str

    def fingerprint(self) -> str:
        """A stable hash of the workload's content (used as a cache key)."""
        ...


def workload_fingerprint(workload: Any) -> str:
    """Fingerprint of any workload: its own ``fingerprint()`` or a hash of its repr."""
    if hasattr(workload, "fingerprint"):
        return str(workload.fingerprint())
    return stable_hash(repr(workload))


def stable_hash(text: str) -> str:
    """A short hex digest that is stable across processes and Python versions."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Simulator(ABC):
    """A cost model. Subclasses set ``name`` and implement the three abstract members."""

    name: str = "simulator"

    @property
    @abstractmethod
    def design_space(self) -> DesignSpace:
        """The knobs this simulator accepts."""

    @property
    @abstractmethod
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        """The metrics ``evaluate`` returns, in a fixed order."""

    @abstractmethod
    def evaluate(self, design: Design, workload: Any) -> Metrics:
        """Metrics of ``design`` running ``workload``; pure and deterministic.

        Raises InvalidDesignError with the reason when the design is infeasible.
        """

    def evaluate_many(
        self, designs: Sequence[Design], workload: Any
    ) -> list[Metrics | InvalidDesignError]:
        """Evaluate several designs; an infeasible one yields its InvalidDesignError."""
        results: list[Metrics | InvalidDesignError] = []
        for design in designs:
            try:
                results.append(self.evaluate(design, workload))
            except InvalidDesignError as error:
                results.append(error)
        return results

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metric_specs)

    def metric_spec(self, name: str) -> MetricSpec:
        """The spec of one metric; ConfigError names the known ones."""
        for spec in self.metric_specs:
            if spec.name == name:
                return spec
        raise ConfigError(
            f"{self.name}: unknown metric {name!r}; known metrics: {', '.join(self.metric_names)}"
        )

    def config(self) -> dict[str, Any]:
        """The simulator's own settings (not the design); override to include them."""
        return {}

    def config_fingerprint(self) -> str:
        """Stable hash of the simulator type and settings, part of every cache key."""
        payload = json.dumps(
            {"type": type(self).__qualname__, "config": self.config()},
            sort_keys=True,
            default=repr,
        )
        return stable_hash(payload)
