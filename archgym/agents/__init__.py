"""Search agents: ask/tell searchers sharing one interface and one run loop.

``make_agent(name, space, **hyperparameters)`` builds an agent by registry name and
``list_agents()`` describes them all. Agent modules import their heavy dependencies
(scikit-optimize, Optuna, stable-baselines3) only when an agent is constructed, so listing
agents is cheap and the RL agents need the ``rl`` extra only when used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from archgym.agents.base import Agent, Callback, SearchResult, StepRecord, pareto_mask
from archgym.agents.hyperparameters import HyperParameter
from archgym.agents.random_walk import RandomWalkAgent
from archgym.errors import ConfigError
from archgym.spaces import DesignSpace

# name -> (module, class). Resolved lazily so that no optional dependency is imported here.
_REGISTRY: dict[str, tuple[str, str]] = {
    "random": ("archgym.agents.random_walk", "RandomWalkAgent"),
    "ga": ("archgym.agents.genetic", "GeneticAgent"),
    "aco": ("archgym.agents.ant_colony", "AntColonyAgent"),
    "bo": ("archgym.agents.bayesian", "BayesianAgent"),
    "tpe": ("archgym.agents.optuna_samplers", "TPEAgent"),
    "optuna_gp": ("archgym.agents.optuna_samplers", "OptunaGPAgent"),
    "cmaes": ("archgym.agents.optuna_samplers", "CmaEsAgent"),
    "qmc": ("archgym.agents.optuna_samplers", "QMCAgent"),
    "nsga2": ("archgym.agents.optuna_samplers", "NSGA2Agent"),
    "ppo": ("archgym.agents.rl", "PPOAgent"),
    "a2c": ("archgym.agents.rl", "A2CAgent"),
    "dqn": ("archgym.agents.rl", "DQNAgent"),
}


@dataclass(frozen=True)
class AgentInfo:
    """Registry entry: name, one-line description, default hyperparameters and their specs."""

    name: str
    description: str
    defaults: dict[str, Any]
    hyperparameters: tuple[HyperParameter, ...]


def agent_class(name: str) -> type[Agent]:
    """The Agent subclass registered as ``name``; raises ConfigError for an unknown name."""
    key = name.lower() if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise ConfigError(f"unknown agent {name!r} (expected one of: {', '.join(_REGISTRY)})")
    module, cls = _REGISTRY[key]
    return getattr(importlib.import_module(module), cls)


def make_agent(name: str, space: DesignSpace, **hyperparameters: Any) -> Agent:
    """Build the agent registered as ``name`` on ``space``.

    ``seed`` is accepted alongside the hyperparameters. Raises ConfigError naming the agent
    and the parameter for unknown or invalid hyperparameters, and MissingExtraError when the
    agent needs an optional extra that is not installed.
    """
    return agent_class(name)(space, **hyperparameters)


def list_agents() -> list[AgentInfo]:
    """Every registered agent with its hyperparameters and their defaults."""
    infos = []
    for name in _REGISTRY:
        cls = agent_class(name)
        specs = tuple(cls.hyperparameter_specs)
        infos.append(AgentInfo(name, cls.description, {s.name: s.default for s in specs}, specs))
    return infos


def __getattr__(attribute: str) -> Any:
    # ``from archgym.agents import GeneticAgent`` without importing every agent module.
    for module, cls in _REGISTRY.values():
        if cls == attribute:
            return getattr(importlib.import_module(module), cls)
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


__all__ = [
    "Agent",
    "AgentInfo",
    "Callback",
    "HyperParameter",
    "RandomWalkAgent",
    "SearchResult",
    "StepRecord",
    "agent_class",
    "list_agents",
    "make_agent",
    "pareto_mask",
]
