"""Expanding a sweep spec into runs with stable ids.

Order: envs x workloads x objectives x agents x hyperparameter settings x seeds. A run's
id is ``<agent>-<hash>``, the hash (16 hex digits of SHA-256) taken over the canonical
JSON of its full config (env id and options, workload, objective, agent, hyperparameters,
seed, budget, stop_on_target), so the same run gets the same id in every sweep, on every
machine, and a changed config gets a new id. The timeout is an execution policy, not part
of the config.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from archgym.experiments.spec import AgentEntry, ParameterRange, SweepSpec

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines one run's result."""

    env_id: str
    env_options: dict[str, Any] = field(default_factory=dict)
    workload: Any = None
    objective: Any = None
    agent: str = "random"
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    budget: int = 10
    stop_on_target: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The config as plain JSON-able data (the form stored in manifests)."""
        return {
            "env_id": self.env_id,
            "env_options": dict(self.env_options),
            "workload": self.workload,
            "objective": self.objective,
            "agent": self.agent,
            "hyperparameters": dict(self.hyperparameters),
            "seed": self.seed,
            "budget": self.budget,
            "stop_on_target": self.stop_on_target,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunConfig:
        """The inverse of :meth:`to_dict`; keys that are not fields are ignored."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @property
    def run_id(self) -> str:
        """``<agent>-<16 hex digits>``: a hash of :meth:`to_dict`."""
        return f"{self.agent}-{_hash(self.to_dict(), 16)}"

    @property
    def setting_id(self) -> str:
        """Id of the hyperparameter setting (agent + hyperparameters), shared across seeds."""
        return f"{self.agent}-{_hash(self.hyperparameters, 8)}"

    @property
    def workload_label(self) -> str:
        """The workload as reports show it ("default" when the env's own is used)."""
        return "default" if self.workload is None else str(self.workload)

    @property
    def objective_label(self) -> str:
        """The objective as reports show it ("default" when the env's own is used)."""
        if self.objective is None:
            return "default"
        if isinstance(self.objective, str):
            return self.objective
        return _canonical(self.objective)

    @property
    def hyperparameters_label(self) -> str:
        """``a=1, b=0.5`` in name order, floats to 4 significant digits (``defaults`` when
        empty). For display: :attr:`setting_id` identifies a setting exactly."""
        if not self.hyperparameters:
            return "defaults"

        def show(value: Any) -> str:
            return f"{value:.4g}" if isinstance(value, float) else str(value)

        return ", ".join(f"{k}={show(v)}" for k, v in sorted(self.hyperparameters.items()))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)


def _hash(value: Any, digits: int) -> str:
    return hashlib.sha256(_canonical(value).encode()).hexdigest()[:digits]


def agent_settings(agent: AgentEntry) -> list[dict[str, Any]]:
    """Every hyperparameter setting of an agent entry: fixed values merged with each
    grid point (cartesian product, in the spec's key order) or each random draw."""
    if agent.random is not None:
        rng = np.random.default_rng(agent.random.seed)
        draws = []
        for _ in range(agent.random.draws):
            draw = {name: _draw(rng, r) for name, r in agent.random.ranges.items()}
            draws.append({**agent.hyperparameters, **draw})
        return draws
    if not agent.grid:
        return [dict(agent.hyperparameters)]
    names = list(agent.grid)
    return [
        {**agent.hyperparameters, **dict(zip(names, values, strict=True))}
        for values in itertools.product(*(agent.grid[n] for n in names))
    ]


def _draw(rng: np.random.Generator, spec: ParameterRange) -> Any:
    if spec.choices is not None:
        return _plain(spec.choices[int(rng.integers(len(spec.choices)))])
    low, high = float(spec.low), float(spec.high)  # type: ignore[arg-type]
    if spec.log:
        value = float(np.exp(rng.uniform(np.log(low), np.log(high))))
    else:
        value = float(rng.uniform(low, high))
    if spec.integer:
        return int(min(max(round(value), spec.low), spec.high))  # type: ignore[type-var]
    return value


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def expand_runs(spec: SweepSpec) -> list[RunConfig]:
    """The runs of ``spec`` in a stable order; identical configs appear once."""
    runs: dict[str, RunConfig] = {}
    for env in spec.envs:
        for workload in env.workloads:
            for objective in env.objectives:
                for agent in spec.agents:
                    for setting in agent_settings(agent):
                        for seed in spec.seeds:
                            run = RunConfig(
                                env_id=env.id,
                                env_options=dict(env.options),
                                workload=workload,
                                objective=objective,
                                agent=agent.name,
                                hyperparameters=setting,
                                seed=seed,
                                budget=spec.budget,
                                stop_on_target=spec.stop_on_target,
                            )
                            if run.run_id in runs:
                                logger.warning(
                                    "duplicate run %s in the spec, kept once", run.run_id
                                )
                            runs.setdefault(run.run_id, run)
    return list(runs.values())
