"""archgym/SoC-v0: FARSIGym's SoC design space for AR/VR workloads.

Knobs: allocation of up to three PEs, memories and buses, their connections, the
task-to-PE and task-to-memory mapping, clocks, queue depths and burst size (see
:mod:`archgym.simulators.soc.simulator`). Default objective: ArchGym's budgets as a
TargetObjective on latency, power and area.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgym.envs.registry import register_env

if TYPE_CHECKING:
    from archgym.envs.base import DesignEnv

ENV_ID = "archgym/SoC-v0"

# ArchGym FARSIGym budgets, FARSI misc_database__Budget.csv (REFERENCES.md s1):
# power 0.008737 W, area 0.000017475 m2; latency 21 ms (audio) / 34 ms (others).
POWER_BUDGET_MW = 8.737
AREA_BUDGET_MM2 = 17.475
AUDIO_LATENCY_BUDGET_MS = 21.0
OTHER_LATENCY_BUDGET_MS = 34.0


def default_targets(workload: Any) -> dict[str, tuple[str, float]]:
    """ArchGym's budgets for a task graph: its own latency budget when it has one,
    else 21 ms for audio workloads and 34 ms for the others."""
    budget_s = getattr(workload, "latency_budget_s", None)
    if budget_s is not None:
        latency_ms = budget_s * 1e3
    elif "audio" in str(getattr(workload, "name", "")):
        latency_ms = AUDIO_LATENCY_BUDGET_MS
    else:
        latency_ms = OTHER_LATENCY_BUDGET_MS
    return {
        "latency_ms": ("<=", latency_ms),
        "power_mw": ("<=", POWER_BUDGET_MW),
        "area_mm2": ("<=", AREA_BUDGET_MM2),
    }


def make_soc_env(
    workload: Any = "audio_decoder",
    objective: Any = "budget",
    library: Any = None,
    **env_options: Any,
) -> DesignEnv:
    """Build the SoC env.

    ``workload``: a built-in name ("audio_decoder", "edge_detection",
    "camera_pipeline"), a FARSI database path (``<directory>/<workload>`` or one of its
    CSV files) or a TaskGraph. ``objective``: "budget" (ArchGym's latency, power and
    area budgets) or any spec :func:`archgym.objectives.make_objective` accepts.
    ``library``: a HardwareLibrary (default: the package's). Other keyword arguments go
    to :class:`~archgym.envs.base.DesignEnv`.
    """
    from archgym.envs.base import DesignEnv
    from archgym.errors import ConfigError
    from archgym.objectives import TargetObjective
    from archgym.simulators.soc import DEFAULT_LIBRARY, SoCSimulator
    from archgym.simulators.soc.hardware import HardwareLibrary

    if isinstance(workload, Path):
        workload = str(workload)
    if library is not None and not isinstance(library, HardwareLibrary):
        raise ConfigError(f"SoC-v0 library must be a HardwareLibrary, got {library!r}")
    simulator = SoCSimulator(workload, DEFAULT_LIBRARY if library is None else library)
    if isinstance(objective, str) and objective == "budget":
        objective = TargetObjective(default_targets(simulator.graph))
    return DesignEnv(simulator, simulator.graph, objective, env_id=ENV_ID, **env_options)


register_env(
    ENV_ID,
    "archgym.envs.soc:make_soc_env",
    "AR/VR SoC (FARSIGym space): allocate PEs, memories, buses; map tasks; meet budgets",
)
