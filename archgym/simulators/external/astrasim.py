"""AstraSimSimulator: ASTRA-sim 2's analytical network backend on a data-parallel step.

Written against ASTRA-sim 2 (github.com/astra-sim/astra-sim, master at commit 518bd51,
2026-03-26), the congestion-unaware analytical binary
``AstraSim_Analytical_Congestion_Unaware`` built by ``build/astra_analytical/build.sh``.
The executable is the ``binary`` option, else ``$ARCHGYM_ASTRASIM``, else that name on
PATH. The formats are those of the repository's ``examples/``:

- ``network.yml``: ``topology``, ``npus_count``, ``bandwidth`` (GB/s) and ``latency`` (ns),
  one entry per network dimension (astra-network-analytical's NetworkParser);
- ``system.json``: scheduling policy, collective implementation per dimension,
  ``active-chunks-per-dimension``, ``preferred-dataset-splits``, endpoint delay,
  ``collective-optimization``, with the roofline model off (compute nodes take their
  recorded duration);
- ``remote_memory.json``: ``NO_MEMORY_EXPANSION``;
- ``workload/step.<npu>.et``: a Chakra execution trace per NPU
  (:mod:`archgym.simulators.external.chakra`).

The command is ``AstraSim_Analytical_Congestion_Unaware --workload-configuration=
workload/step --system-configuration=system.json --remote-memory-configuration=
remote_memory.json --network-configuration=network.yml``. Every NPU logs ``sys[<id>]
finished, <n> cycles, exposed communication <m> cycles`` (one cycle is 1 ns); the step
time is the slowest NPU's, the exposed communication the largest.

The workload (:class:`TrainingStep`) is data-parallel training: every NPU computes the
layers one after another, and each layer's gradients are all-reduced as soon as that
layer is done, overlapping with the next layer's computation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archgym.errors import ConfigError, WorkloadError
from archgym.simulator import Metrics, MetricSpec, stable_hash
from archgym.simulators.distributed.network import TOPOLOGIES
from archgym.simulators.distributed.routing import ALGORITHMS
from archgym.simulators.distributed.system import SCHEDULING_POLICIES
from archgym.simulators.external import chakra
from archgym.simulators.external.base import NO_CONTEXT, CommandLineSimulator
from archgym.simulators.external.parsers import number
from archgym.simulators.external.runner import ToolOutput, ToolOutputError
from archgym.spaces import Categorical, Design, DesignSpace, Ordinal

#: ASTRA-sim's all-reduce implementations (the names the native distributed model uses).
COLLECTIVE_IMPLEMENTATIONS = ALGORITHMS
WORKLOAD_PREFIX = "workload/step"
DIMENSIONS = ("dim1", "dim2")

METRIC_SPECS = (
    MetricSpec("step_time_ns", "ns", "min", "time until the slowest NPU finishes", 1e6),
    MetricSpec("exposed_comm_ns", "ns", "min", "communication time not hidden by compute", 1e5),
)

_FINISHED = re.compile(r"sys\[(\d+)\] finished, (\d+) cycles, exposed communication (\d+) cycles")


@dataclass(frozen=True)
class Layer:
    """One layer of a training step: compute time and the gradient bytes it all-reduces."""

    name: str
    compute_us: int
    gradient_bytes: int


@dataclass(frozen=True)
class TrainingStep:
    """A data-parallel training step: layers computed in order, gradients all-reduced."""

    name: str
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise WorkloadError(f"training step {self.name!r} has no layers")
        for layer in self.layers:
            if layer.compute_us < 0 or layer.gradient_bytes < 0:
                raise WorkloadError(
                    f"training step {self.name!r}, layer {layer.name!r}: compute_us and "
                    "gradient_bytes must be non-negative"
                )

    def fingerprint(self) -> str:
        return stable_hash(repr(self.layers))

    def nodes(self) -> list[chakra.Node]:
        """The Chakra nodes of one NPU: compute chain, one all-reduce after each layer."""
        nodes = []
        previous: tuple[int, ...] = ()
        for i, layer in enumerate(self.layers):
            compute_id, comm_id = 2 * i + 1, 2 * i + 2
            nodes.append(
                chakra.Node(
                    compute_id,
                    f"{layer.name}.compute",
                    chakra.COMP_NODE,
                    data_deps=previous,
                    duration_us=layer.compute_us,
                )
            )
            if layer.gradient_bytes:
                nodes.append(
                    chakra.Node(
                        comm_id,
                        f"{layer.name}.allreduce",
                        chakra.COMM_COLL_NODE,
                        data_deps=(compute_id,),
                        collective="ALL_REDUCE",
                        size_bytes=layer.gradient_bytes,
                    )
                )
            previous = (compute_id,)
        return nodes


#: Named workloads: one 1 MiB all-reduce (ASTRA-sim's own microbenchmark size), and a
#: four-layer step whose gradients (8 MiB each) take about as long as its compute.
PRESETS = {
    "allreduce-1MiB": TrainingStep("allreduce-1MiB", (Layer("allreduce", 0, 1 << 20),)),
    "dp-4layers": TrainingStep(
        "dp-4layers", tuple(Layer(f"layer{i}", 100, 8 << 20) for i in range(4))
    ),
}


def design_space(npus: int) -> DesignSpace:
    """Two network dimensions: ``dim1_npus`` NPUs in the first, ``npus / dim1_npus`` in the
    second (both at least 2, so every knob matters)."""
    sizes = tuple(1 << k for k in range(1, npus.bit_length() - 1))
    per_dim = []
    for dim in DIMENSIONS:
        per_dim += [
            Categorical(f"{dim}_topology", TOPOLOGIES, doc=f"topology of {dim}"),
            Ordinal(f"{dim}_bandwidth_gbps", (25, 50, 100, 200, 400), unit="GB/s", doc="per link"),
            Categorical(
                f"{dim}_collective", COLLECTIVE_IMPLEMENTATIONS, doc=f"all-reduce on {dim}"
            ),
        ]
    return DesignSpace(
        [
            Ordinal("dim1_npus", sizes, doc="NPUs in the first dimension (the rest in dim2)"),
            *per_dim,
            Categorical("scheduling_policy", SCHEDULING_POLICIES, doc="collective scheduling"),
            Ordinal("active_chunks", (1, 2, 4, 8), doc="active chunks per dimension"),
            Ordinal("dataset_splits", (1, 2, 4, 8, 16), doc="chunks a collective is split in"),
        ]
    )


class AstraSimSimulator(CommandLineSimulator):
    """ASTRA-sim 2 (analytical, congestion unaware) as an archgym simulator.

    Args:
        binary: the ``AstraSim_Analytical_Congestion_Unaware`` executable.
        npus: NPUs in the system (a power of two, at least 4).
        latency_ns: link latency of every dimension (ASTRA-sim's examples use 500 ns).
        endpoint_delay: the system's ``endpoint-delay`` (cycles).
        Other keyword arguments go to :class:`CommandLineSimulator`.
    """

    name = "astrasim"
    tool = "ASTRA-sim"
    binary_names = ("AstraSim_Analytical_Congestion_Unaware",)
    binary_env_var = "ARCHGYM_ASTRASIM"
    written_against = "ASTRA-sim 2 (github.com/astra-sim/astra-sim, commit 518bd51)"
    default_timeout_s = 300.0

    def __init__(
        self,
        binary: str | None = None,
        *,
        npus: int = 16,
        latency_ns: float = 500.0,
        endpoint_delay: int = 10,
        **options: Any,
    ) -> None:
        npus = int(npus)
        if npus < 4 or npus & (npus - 1):
            raise ConfigError(f"npus must be a power of two of at least 4, got {npus}")
        self.npus, self.latency_ns, self.endpoint_delay = npus, float(latency_ns), endpoint_delay
        super().__init__(
            binary, design_space=design_space(npus), metric_specs=METRIC_SPECS, **options
        )

    def options(self) -> dict[str, Any]:
        return {
            "npus": self.npus,
            "latency_ns": self.latency_ns,
            "endpoint_delay": self.endpoint_delay,
        }

    # Inputs ------------------------------------------------------------------------
    def render_network(self, design: Design) -> dict[str, list[Any]]:
        """``network.yml`` for ``design``."""
        dims = DIMENSIONS
        sizes = {"dim1": design["dim1_npus"], "dim2": self.npus // design["dim1_npus"]}
        return {
            "topology": [design[f"{d}_topology"] for d in dims],
            "npus_count": [sizes[d] for d in dims],
            "bandwidth": [float(design[f"{d}_bandwidth_gbps"]) for d in dims],
            "latency": [self.latency_ns for _ in dims],
        }

    def render_system(self, design: Design) -> dict[str, Any]:
        """``system.json`` for ``design`` (keys as ASTRA-sim's Sys::initialize_sys reads)."""
        implementations = [design[f"{d}_collective"] for d in DIMENSIONS]
        return {
            "scheduling-policy": design["scheduling_policy"],
            "endpoint-delay": self.endpoint_delay,
            "active-chunks-per-dimension": design["active_chunks"],
            "preferred-dataset-splits": design["dataset_splits"],
            "all-reduce-implementation": implementations,
            "all-gather-implementation": implementations,
            "reduce-scatter-implementation": implementations,
            "all-to-all-implementation": implementations,
            "collective-optimization": "localBWAware",
            "local-mem-bw": 1600,
            "boost-mode": 0,
            "roofline-enabled": 0,
        }

    def write_inputs(
        self,
        directory: Path,
        design: Design,
        workload: Any,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> None:
        if not isinstance(workload, TrainingStep):
            raise WorkloadError(f"ASTRA-sim needs a TrainingStep workload, got {workload!r}")
        network = yaml.safe_dump(self.render_network(design), default_flow_style=None)
        (directory / "network.yml").write_text(network)
        (directory / "system.json").write_text(json.dumps(self.render_system(design), indent=2))
        memory = {"memory-type": "NO_MEMORY_EXPANSION"}
        (directory / "remote_memory.json").write_text(json.dumps(memory))
        trace = chakra.trace_bytes(workload.nodes())
        (directory / WORKLOAD_PREFIX).parent.mkdir()
        for npu in range(self.npus):
            (directory / f"{WORKLOAD_PREFIX}.{npu}.et").write_bytes(trace)

    def command_line(
        self, design: Design, workload: Any, context: Mapping[str, Any] = NO_CONTEXT
    ) -> list[str]:
        return [
            str(self.binary),
            f"--workload-configuration={WORKLOAD_PREFIX}",
            "--system-configuration=system.json",
            "--remote-memory-configuration=remote_memory.json",
            "--network-configuration=network.yml",
        ]

    def parse(self, output: ToolOutput, design: Design, workload: Any) -> Metrics:
        return metrics_from_log(output.stdout + output.stderr, self.npus)


def metrics_from_log(text: str, npus: int) -> Metrics:
    """Step time and exposed communication from every NPU's ``finished`` line."""
    finished: dict[int, tuple[float, float]] = {}
    for npu, cycles, exposed in _FINISHED.findall(text):
        finished[int(npu)] = (number(cycles, "cycles"), number(exposed, "exposed"))
    if len(finished) != npus:
        raise ToolOutputError(
            f"{len(finished)} of {npus} NPUs reported 'sys[i] finished'; the run did not complete"
        )
    return {
        "step_time_ns": max(cycles for cycles, _ in finished.values()),
        "exposed_comm_ns": max(exposed for _, exposed in finished.values()),
    }


def get_step(workload: Any) -> TrainingStep:
    """A TrainingStep from a preset name, a TrainingStep, or a sequence of Layers."""
    if isinstance(workload, TrainingStep):
        return workload
    if isinstance(workload, str):
        if workload not in PRESETS:
            raise WorkloadError(
                f"unknown ASTRA-sim workload {workload!r}; presets: {', '.join(PRESETS)}"
            )
        return PRESETS[workload]
    if isinstance(workload, Sequence) and all(isinstance(x, Layer) for x in workload):
        return TrainingStep("custom", tuple(workload))
    raise WorkloadError(f"ASTRA-sim workload must be a preset name or Layers, got {workload!r}")
