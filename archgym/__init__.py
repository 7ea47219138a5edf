"""archgym: Gymnasium environments and search agents for computer-architecture DSE.

Importing archgym registers every env under the Gymnasium namespace ``archgym``::

    import gymnasium as gym
    import archgym

    env = gym.make("archgym/DRAM-v0", workload="stream")
"""

from __future__ import annotations

import logging

from archgym import envs
from archgym.envs import DesignEnv, list_envs, make_env, register_env
from archgym.errors import (
    ArchGymError,
    ConfigError,
    InvalidDesignError,
    MissingExtraError,
    WorkloadError,
)
from archgym.objectives import (
    ArchGymObjective,
    MultiObjective,
    Objective,
    TargetObjective,
    WeightedSumObjective,
    make_objective,
)
from archgym.simulator import MetricSpec, Simulator
from archgym.spaces import Categorical, Constraint, DesignSpace, Integer, Ordinal, Real

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "ArchGymError",
    "ArchGymObjective",
    "Categorical",
    "ConfigError",
    "Constraint",
    "DesignEnv",
    "DesignSpace",
    "Integer",
    "InvalidDesignError",
    "MetricSpec",
    "MissingExtraError",
    "MultiObjective",
    "Objective",
    "Ordinal",
    "Real",
    "Simulator",
    "TargetObjective",
    "WeightedSumObjective",
    "WorkloadError",
    "envs",
    "list_envs",
    "make_env",
    "make_objective",
    "register_env",
]
