"""The design space of ArchGym's AstraSim env, and decoding a design into the model's specs.

Knobs, named after ASTRA-sim's and ArchGym's fields (hyphens as underscores), with
ArchGym's value sets where it has them (``sims/AstraSim/astrasim_220_example/knobs*.py``
and ``astrasim-archgym``'s ``archgen_v1_knobs_spec.py``):

* system: ``scheduling_policy`` (LIFO, FIFO), ``active_chunks_per_dimension`` (1-32,
  powers of two), ``preferred_dataset_splits`` (1-64, powers of two),
  ``collective_optimization`` (baseline, localBWAware), and per dimension i
  ``all_reduce_implementation_dim{i}`` (and ``all_gather``, ``reduce_scatter``,
  ``all_to_all``): ring, direct, halvingDoubling, doubleBinaryTree;
* network, per dimension i: ``topology_dim{i}`` (Ring, Switch, FullyConnected),
  ``npus_count_dim{i}`` (4, 8, 16), ``bandwidth_dim{i}`` (50-500 GB/s per link, steps of
  50), ``latency_dim{i}`` (20-2000 ns per link);
* workload: ``dp``, ``tp``, ``pp``, ``sp`` (powers of two; their product is the NPU
  count), ``weight_sharded`` (0, 1), ``micro_batch_size`` (1-32) and, for training,
  ``activation_recomputation`` (none, selective, full), ``pipeline_schedule`` (1F1B,
  interleaved) and ``virtual_stages`` (2, 3, 4: model chunks per stage when interleaved).

The serving space leaves out what serving never uses: the scheduling policy (no
gradient reductions queue up), reduce-scatter algorithms and the training-only
workload knobs.

Value sets always include the base design's values. Knobs that are not exposed keep
their base values (ArchGym's knob files likewise expose a subset).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import prod

from archgym.errors import ConfigError
from archgym.simulators.distributed.layout import RECOMPUTATION, SCHEDULES, ParallelLayout
from archgym.simulators.distributed.network import TOPOLOGIES, Dimension, Network
from archgym.simulators.distributed.routing import ALGORITHMS
from archgym.simulators.distributed.system import (
    COLLECTIVE_OPTIMIZATIONS,
    COLLECTIVES,
    SCHEDULING_POLICIES,
    SystemConfig,
)
from archgym.spaces import Categorical, Constraint, Design, DesignSpace, Ordinal, Parameter

KNOB_GROUPS = ("system", "network", "workload")
NPUS_COUNTS = (4, 8, 16)  # ArchGym knobs_3.py .. knobs_8.py
BANDWIDTHS_GBS = tuple(range(50, 501, 50))  # ArchGym knobs_3.py / knobs_4.py
LATENCIES_NS = (20, 50, 100, 200, 500, 700, 1000, 1700, 2000)  # ArchGym's network files
ACTIVE_CHUNKS = (1, 2, 4, 8, 16, 32)  # astrasim-archgym archgen_v1_knobs_spec: 1..32
DATASET_SPLITS = (1, 2, 4, 8, 16, 32, 64)  # ArchGym knobs.py
MICRO_BATCH_SIZES = (1, 2, 4, 8, 16, 32)
VIRTUAL_STAGES = (2, 3, 4)
MAX_MODEL_PARALLEL = 64  # largest tp, pp and sp offered


@dataclass(frozen=True)
class BaseDesign:
    """The fixed part of the space: network, system and layout of the starting point."""

    network: Network
    system: SystemConfig
    layout: ParallelLayout


def base_values(base: BaseDesign) -> Design:
    """The base design as knob values (every knob of every group)."""
    values: Design = {
        "scheduling_policy": base.system.scheduling_policy,
        "active_chunks_per_dimension": base.system.active_chunks_per_dimension,
        "preferred_dataset_splits": base.system.preferred_dataset_splits,
        "collective_optimization": base.system.collective_optimization,
    }
    for i, dimension in enumerate(base.network.dimensions):
        for collective in COLLECTIVES:
            values[f"{collective}_implementation_dim{i}"] = base.system.algorithm(collective, i)
        values[f"topology_dim{i}"] = dimension.topology
        values[f"npus_count_dim{i}"] = dimension.npus
        values[f"bandwidth_dim{i}"] = _number(dimension.bandwidth_gbs)
        values[f"latency_dim{i}"] = _number(dimension.latency_ns)
    layout = base.layout
    values.update(
        dp=layout.dp,
        tp=layout.tp,
        pp=layout.pp,
        sp=layout.sp,
        weight_sharded=int(layout.weight_sharded),
        micro_batch_size=layout.micro_batch_size,
        activation_recomputation=layout.recomputation,
        pipeline_schedule=layout.schedule,
        virtual_stages=layout.virtual_stages,
    )
    return values


def all_parameters(base: BaseDesign, npus: int, training: bool) -> dict[str, tuple[str, Parameter]]:
    """Every knob as ``name -> (group, Parameter)``, in the order the space lists them."""
    values = base_values(base)
    out: dict[str, tuple[str, Parameter]] = {}

    def add(group: str, parameter: Parameter) -> None:
        out[parameter.name] = (group, parameter)

    def ordinal(name: str, choices: Sequence[float], unit: str = "", doc: str = "") -> Ordinal:
        return Ordinal(name, tuple(sorted({*choices, values[name]})), unit=unit, doc=doc)

    if training:  # serving queues no background collectives: the policy cannot matter
        add(
            "system",
            Categorical(
                "scheduling_policy", SCHEDULING_POLICIES, doc="order queued collectives are served"
            ),
        )
    add(
        "system",
        ordinal(
            "active_chunks_per_dimension", ACTIVE_CHUNKS, doc="chunks a dimension serves at once"
        ),
    )
    add(
        "system",
        ordinal("preferred_dataset_splits", DATASET_SPLITS, doc="chunks a collective is cut into"),
    )
    add(
        "system",
        Categorical(
            "collective_optimization",
            COLLECTIVE_OPTIMIZATIONS,
            doc="hierarchical all-reduce scheme",
        ),
    )
    for i in range(len(base.network.dimensions)):
        for collective in COLLECTIVES:
            if collective == "reduce_scatter" and not training:
                continue  # serving reduce-scatters nothing
            add(
                "system",
                Categorical(
                    f"{collective}_implementation_dim{i}",
                    ALGORITHMS,
                    doc=f"{collective.replace('_', '-')} algorithm in dimension {i}",
                ),
            )
    for i in range(len(base.network.dimensions)):
        add(
            "network", Categorical(f"topology_dim{i}", TOPOLOGIES, doc=f"topology of dimension {i}")
        )
        add("network", ordinal(f"npus_count_dim{i}", NPUS_COUNTS, doc=f"NPUs in dimension {i}"))
        add(
            "network",
            ordinal(
                f"bandwidth_dim{i}", BANDWIDTHS_GBS, "GB/s", f"link bandwidth in dimension {i}"
            ),
        )
        add(
            "network",
            ordinal(f"latency_dim{i}", LATENCIES_NS, "ns", f"link latency in dimension {i}"),
        )
    powers = [1 << k for k in range(npus.bit_length()) if 1 << k <= npus]
    model_parallel = [p for p in powers if p <= MAX_MODEL_PARALLEL]
    add("workload", ordinal("dp", powers, doc="data-parallel replicas"))
    add("workload", ordinal("tp", model_parallel, doc="tensor-parallel ranks"))
    add("workload", ordinal("pp", model_parallel, doc="pipeline stages"))
    add("workload", ordinal("sp", model_parallel, doc="sequence-parallel ranks"))
    add(
        "workload",
        Categorical("weight_sharded", (0, 1), doc="shard weights over replicas (ZeRO-3)"),
    )
    add("workload", ordinal("micro_batch_size", MICRO_BATCH_SIZES, "sequences", "per micro-batch"))
    if training:
        add(
            "workload",
            Categorical("activation_recomputation", RECOMPUTATION, doc="recompute in backward"),
        )
        add("workload", Categorical("pipeline_schedule", SCHEDULES, doc="pipeline schedule"))
        add(
            "workload",
            ordinal("virtual_stages", VIRTUAL_STAGES, doc="chunks per stage (interleaved)"),
        )
    return out


def build_space(
    base: BaseDesign, npus: int, training: bool, knobs: str | Sequence[str] = "all"
) -> DesignSpace:
    """The DesignSpace of the exposed ``knobs``: "all", group names from
    :data:`KNOB_GROUPS`, or knob names. ConfigError for an unknown name."""
    parameters = all_parameters(base, npus, training)
    if isinstance(knobs, str):
        names = [knobs]
    elif isinstance(knobs, list | tuple) and all(isinstance(k, str) for k in knobs):
        names = list(knobs)
    else:
        raise ConfigError(
            f"knobs: expected 'all', a knob group or a list of knob names, got {knobs!r}"
        )
    chosen: list[str] = []
    for name in names:
        if name == "all":
            chosen.extend(parameters)
        elif name in KNOB_GROUPS:
            chosen.extend(k for k, (group, _) in parameters.items() if group == name)
        elif name in parameters:
            chosen.append(name)
        else:
            raise ConfigError(
                f"unknown knob or knob group {name!r}; groups: {', '.join(KNOB_GROUPS)}, "
                f"knobs: {', '.join(parameters)}"
            )
    exposed = [parameters[k][1] for k in dict.fromkeys(chosen)]
    if not exposed:
        raise ConfigError(f"knobs: {knobs!r} exposes no knob")
    fixed = base_values(base)
    dims = len(base.network.dimensions)
    exposed_names = {p.name for p in exposed}
    constraints = []
    npus_knobs = [f"npus_count_dim{i}" for i in range(dims)]
    if exposed_names & set(npus_knobs):
        constraints.append(
            Constraint(
                f"the NPUs per dimension multiply to {npus}",
                lambda d: prod(d.get(k, fixed[k]) for k in npus_knobs) == npus,
            )
        )
    degrees = ("dp", "tp", "pp", "sp")
    if exposed_names & set(degrees):
        constraints.append(
            Constraint(
                f"dp x tp x pp x sp equals the {npus} NPUs",
                lambda d: prod(d.get(k, fixed[k]) for k in degrees) == npus,
            )
        )
    return DesignSpace(exposed, constraints)


def decode(design: Design, base: BaseDesign) -> tuple[Network, SystemConfig, ParallelLayout]:
    """The network, system and layout a (partial) design stands for, the rest from
    ``base``."""
    values = {**base_values(base), **design}
    dims = len(base.network.dimensions)
    network = Network(
        tuple(
            Dimension(
                values[f"topology_dim{i}"],
                int(values[f"npus_count_dim{i}"]),
                float(values[f"bandwidth_dim{i}"]),
                float(values[f"latency_dim{i}"]),
            )
            for i in range(dims)
        )
    )
    system = SystemConfig(
        {c: tuple(values[f"{c}_implementation_dim{i}"] for i in range(dims)) for c in COLLECTIVES},
        scheduling_policy=values["scheduling_policy"],
        active_chunks_per_dimension=int(values["active_chunks_per_dimension"]),
        preferred_dataset_splits=int(values["preferred_dataset_splits"]),
        collective_optimization=values["collective_optimization"],
        endpoint_delay_ns=base.system.endpoint_delay_ns,
    )
    layout = ParallelLayout(
        dp=int(values["dp"]),
        tp=int(values["tp"]),
        pp=int(values["pp"]),
        sp=int(values["sp"]),
        micro_batch_size=int(values["micro_batch_size"]),
        weight_sharded=bool(values["weight_sharded"]),
        recomputation=values["activation_recomputation"],
        schedule=values["pipeline_schedule"],
        virtual_stages=int(values["virtual_stages"]),
    )
    return network, system, layout


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)
