"""archgym/Analytic-v0: a separable test function with a known optimum (not hardware)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.envs.registry import register_env
from archgym.errors import WorkloadError

if TYPE_CHECKING:
    from archgym.envs.base import DesignEnv

ENV_ID = "archgym/Analytic-v0"

#: Default target: cost within 1e-3 of the global minimum 0.
DEFAULT_TARGET = {"cost": ("<=", 1e-3)}


def make_analytic_env(
    workload: Any = "default",
    objective: Any = "target",
    z_levels: int = 5,
    **env_options: Any,
) -> DesignEnv:
    """Build the analytic env.

    ``workload`` is a preset name ("default", "shifted") or a SeparableFunction;
    ``objective`` is "target" (cost <= 1e-3), "multi" (cost and area) or any spec
    :func:`archgym.objectives.make_objective` accepts. Other keyword arguments go
    to :class:`~archgym.envs.base.DesignEnv`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.objectives import MultiObjective, TargetObjective
    from archgym.simulators.analytic import PRESETS, AnalyticSimulator, SeparableFunction

    if isinstance(workload, str):
        if workload not in PRESETS:
            raise WorkloadError(
                f"unknown analytic workload {workload!r}; known: {', '.join(PRESETS)}"
            )
        workload = PRESETS[workload]
    elif not isinstance(workload, SeparableFunction):
        raise WorkloadError(
            f"analytic workload must be a preset name ({', '.join(PRESETS)}) or a "
            f"SeparableFunction, got {workload!r}"
        )
    named = {
        "target": lambda: TargetObjective(DEFAULT_TARGET, scales={"cost": 1.0}),
        "multi": lambda: MultiObjective(["cost", "area"], targets=DEFAULT_TARGET),
    }
    if isinstance(objective, str) and objective in named:
        objective = named[objective]()
    return DesignEnv(AnalyticSimulator(z_levels), workload, objective, env_id=ENV_ID, **env_options)


register_env(
    ENV_ID,
    "archgym.envs.analytic:make_analytic_env",
    "separable test function over a mixed categorical/integer/real space, known optimum",
)
