"""archgym/Mapping-v0: MaestroGym/GAMMA's mapping knobs for one DNN layer on fixed hardware.

Knobs: loop order, parallel dimension, K/C/Y/X tiles at L2 and L1, number of PEs.
Metrics: runtime_cycles, throughput, energy_uj, area_mm2. See docs/envs/mapping.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.envs.registry import register_env
from archgym.errors import WorkloadError

if TYPE_CHECKING:
    from archgym.envs.base import DesignEnv
    from archgym.simulators.accelerator.workload import Layer

ENV_ID = "archgym/Mapping-v0"

#: Named objectives (GAMMA optimises runtime by default).
OBJECTIVES = ("runtime", "energy", "throughput", "energy_runtime")


def resolve_layer(workload: Any) -> Layer:
    """A Layer from a Layer, ``"<network>:<1-based index>"`` (package networks), a
    Timeloop problem YAML, or ``"<file>.csv:<index>"`` (GAMMA CSV)."""
    from pathlib import Path

    from archgym.simulators.accelerator.networks import get_network
    from archgym.simulators.accelerator.workload import (
        Layer,
        read_gamma_csv,
        read_timeloop_problem,
    )

    if isinstance(workload, Layer):
        return workload
    if not isinstance(workload, (str, Path)):
        raise WorkloadError(f"Mapping-v0 workload must be a Layer or a string, got {workload!r}")
    text = str(workload)
    if text.endswith((".yaml", ".yml")):
        return read_timeloop_problem(text)
    source, sep, index = text.rpartition(":")
    if not sep or not index.isdigit():
        raise WorkloadError(
            f"Mapping-v0 workload {text!r}: expected '<network>:<layer number>' "
            "(e.g. 'resnet18:2'), a Timeloop YAML, or '<gamma.csv>:<layer number>'"
        )
    network = read_gamma_csv(source) if source.endswith(".csv") else get_network(source)
    i = int(index)
    if not 1 <= i <= len(network):
        raise WorkloadError(f"{source} has layers 1..{len(network)}, not {i}")
    return network.layers[i - 1]


def make_mapping_env(
    workload: Any = "resnet18:2",
    objective: Any = "runtime",
    *,
    max_pes: int = 1024,
    buffer_sizing: str = "mapping",
    **env_options: Any,
) -> DesignEnv:
    """Build archgym/Mapping-v0 for one layer (default: ResNet-18's first 3x3 convolution).

    ``objective``: "runtime" (min runtime_cycles), "energy", "throughput",
    "energy_runtime" (equal weights) or any spec ``make_objective`` accepts. Other keyword
    arguments go to :class:`~archgym.envs.base.DesignEnv`. ``buffer_sizing``: "mapping"
    (buffers sized to the tiles, MAESTRO-style) or "fixed" (Eyeriss-sized buffers; tiles
    that overflow them are infeasible).
    """
    from archgym.envs.base import DesignEnv
    from archgym.objectives import WeightedSumObjective
    from archgym.simulators.accelerator.simulator import MappingSimulator

    layer = resolve_layer(workload)
    simulator = MappingSimulator(layer, max_pes=max_pes, buffer_sizing=buffer_sizing)
    named = {
        "runtime": {"runtime_cycles": 1.0},
        "energy": {"energy_uj": 1.0},
        "throughput": {"throughput": 1.0},
        "energy_runtime": {"energy_uj": 1.0, "runtime_cycles": 1.0},
    }
    if isinstance(objective, str) and objective in named:
        objective = WeightedSumObjective(named[objective])
    return DesignEnv(simulator, layer, objective, env_id=ENV_ID, **env_options)


register_env(
    ENV_ID,
    "archgym.envs.mapping:make_mapping_env",
    "DNN layer mapping (MaestroGym/GAMMA knobs) on fixed hardware, native model",
)
