"""SoCSimulator: FARSIGym's design space over the phase-driven SoC model.

Knobs (REFERENCES.md s1, FARSIGym: allocation of up to 3 PEs, 3 memories and 3
buses, their connections, task-to-PE and task-to-memory mapping, block frequencies,
queue sizes and burst size), for slots i, j, k in 0..2:

* ``pe{i}_type`` (``none`` or a library PE; pe0 is always allocated),
  ``pe{i}_clock_ratio`` (x the type's nominal clock: 0.5 .. 2, and FARSI's IP
  ratios 4, 6, 8), ``pe{i}_unroll`` (accelerator loop unrolling, FARSI's factors:
  powers of two up to 2^15 and the tasks' trip counts), ``pe{i}_bus`` (the bus it
  hangs off);
* ``mem{j}_type``, ``mem{j}_clock_ratio``, ``mem{j}_bus`` (mem0 always allocated);
* ``bus{k}_type``, ``bus{k}_clock_ratio``, ``bus{k}_queue`` (bus0 always allocated;
  buses are bridged in the chain bus0 - bus1 - bus2);
* ``burst_bytes``;
* ``pe_of_<task>`` for every task that does work, ``mem_of_<task>`` for every task
  whose output data moves (the memory slot that holds it).

Metrics: ``latency_ms``, ``energy_j``, ``power_mw`` (energy over latency, FARSI's
definition), ``area_mm2``, and ``util_<block>`` for the nine slots.
"""

from __future__ import annotations

from typing import Any

from archgym.errors import ConfigError
from archgym.simulator import Metrics, MetricSpec, Simulator
from archgym.simulators.soc.hardware import (
    DEFAULT_LIBRARY,
    BusInstance,
    HardwareLibrary,
    MemoryInstance,
    PEInstance,
    SoC,
)
from archgym.simulators.soc.model import N_SLOTS, SoCResult, simulate
from archgym.simulators.soc.taskgraph import TaskGraph
from archgym.simulators.soc.workloads import load_workload
from archgym.spaces import Categorical, Design, DesignSpace, Integer, Ordinal

# FARSI sweeps block clocks as multiples of the nominal clock; memories and buses: x0.5 .. x2.
CLOCK_RATIOS = (0.5, 1.0, 1.5, 2.0)
# PEs add ArchGym's FARSIEnv ip_freq_range [1, 4, 6, 8] (an IP at up to 800 MHz); a core
# runs at most at its type's max_clock_ratio (2x for the A53).
PE_CLOCK_RATIOS = (0.5, 1.0, 1.5, 2.0, 4.0, 6.0, 8.0)
# FARSI parse_library.gen_loop_itr_range with ArchGym's ip_loop_unrolling (geometric,
# incr 2, max_spawn_ip 17): unroll factors 1, 2, ..., 2^15, plus each task's trip count.
MAX_UNROLL_POWER = 15


def unroll_values(graph: TaskGraph) -> tuple[int, ...]:
    """The ``pe{i}_unroll`` values for ``graph``: powers of two from 1 up to 2^15 that
    are below the largest trip count of a task with an IP, and every such trip count."""
    counts = {t.iterations for t in graph.tasks if t.accelerator is not None}
    largest = max(counts, default=1)
    values = {2**k for k in range(MAX_UNROLL_POWER + 1) if 2**k < largest} | counts | {1}
    return tuple(sorted(values))


BLOCKS = tuple(f"{kind}{s}" for kind in ("pe", "mem", "bus") for s in range(N_SLOTS))


class SoCSimulator(Simulator):
    """Evaluates SoC designs on one task graph (the mapping knobs depend on its tasks).

    ``workload``: a TaskGraph, a built-in name or a FARSI database path.
    ``library``: the block types allocations choose from.
    """

    name = "soc"

    def __init__(
        self,
        workload: TaskGraph | str = "audio_decoder",
        library: HardwareLibrary = DEFAULT_LIBRARY,
    ) -> None:
        self.graph = load_workload(workload)
        self.library = library
        self._fingerprint = self.graph.fingerprint()
        self.mapped_tasks = tuple(t.name for t in self.graph.tasks if not t.is_marker)
        moving = {e.producer for e in self.graph.edges if e.bytes > 0}
        self.stored_tasks = tuple(t.name for t in self.graph.tasks if t.name in moving)
        self._space = self._build_space()
        self._allowed = {
            p.name: frozenset(p.value_at(i) for i in range(p.n_values)) for p in self._space
        }
        self._pe_keys = [
            (f"pe{s}_type", f"pe{s}_clock_ratio", f"pe{s}_unroll", f"pe{s}_bus")
            for s in range(N_SLOTS)
        ]
        self._mem_keys = [
            (f"mem{s}_type", f"mem{s}_clock_ratio", f"mem{s}_bus") for s in range(N_SLOTS)
        ]
        self._bus_keys = [
            (f"bus{s}_type", f"bus{s}_clock_ratio", f"bus{s}_queue") for s in range(N_SLOTS)
        ]
        self._metric_specs = (
            MetricSpec("latency_ms", "ms", "min", "end-to-end latency of one run", 20.0),
            MetricSpec("energy_j", "J", "min", "energy of one run", 1e-3),
            MetricSpec("power_mw", "mW", "min", "average power: energy / latency", 10.0),
            MetricSpec("area_mm2", "mm2", "min", "PEs, memories and buses", 10.0),
            *(
                MetricSpec(f"util_{b}", "", "max", f"utilisation of {b} (0 if absent)", 1.0)
                for b in BLOCKS
            ),
        )

    # ------------------------------------------------------------------ interface

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return self._metric_specs

    def config(self) -> dict[str, Any]:
        return {"workload": self._fingerprint, "library": repr(self.library)}

    def evaluate(self, design: Design, workload: Any = None) -> Metrics:
        """Metrics of ``design`` on this simulator's task graph.

        ``workload`` may be omitted, or must be the same task graph (ConfigError
        otherwise). Raises InvalidDesignError for a malformed or infeasible design.
        """
        result = self.simulate(design, workload)
        metrics = {
            "latency_ms": result.latency_s * 1e3,
            "energy_j": result.energy_j,
            "power_mw": result.power_w * 1e3,
            "area_mm2": result.area_mm2,
        }
        for block in BLOCKS:
            metrics[f"util_{block}"] = result.utilisation[block]
        return metrics

    def simulate(self, design: Design, workload: Any = None) -> SoCResult:
        """The full :class:`SoCResult` (schedule, breakdowns) of ``design``."""
        if workload is not None and workload is not self.graph:
            fingerprint = getattr(workload, "fingerprint", None)
            if fingerprint is None or fingerprint() != self._fingerprint:
                raise ConfigError(
                    f"this SoCSimulator was built for workload {self.graph.name!r}; "
                    "build one SoCSimulator per task graph"
                )
        return simulate(self.graph, self.to_soc(design))

    # ------------------------------------------------------------------ designs

    def to_soc(self, design: Design) -> SoC:
        """The allocated :class:`SoC` a design stands for (InvalidDesignError if malformed)."""
        if not self._is_canonical(design):
            design = self._space.validate(design)
        lib = self.library
        pes = tuple(
            None
            if design[t] == "none"
            else PEInstance(lib.pe[design[t]], design[c], design[u], design[b])
            for t, c, u, b in self._pe_keys
        )
        memories = tuple(
            None
            if design[t] == "none"
            else MemoryInstance(lib.memory[design[t]], design[c], design[b])
            for t, c, b in self._mem_keys
        )
        buses = tuple(
            None if design[t] == "none" else BusInstance(lib.bus[design[t]], design[c], design[q])
            for t, c, q in self._bus_keys
        )
        return SoC(
            pes=pes,
            memories=memories,
            buses=buses,
            task_pe={t: design[f"pe_of_{t}"] for t in self.mapped_tasks},
            task_memory={t: design[f"mem_of_{t}"] for t in self.stored_tasks},
            burst_bytes=design["burst_bytes"],
        )

    def _is_canonical(self, design: Design) -> bool:
        # fast path for designs that come from the space (the env validates them)
        if not isinstance(design, dict) or len(design) != len(self._allowed):
            return False
        try:
            return all(design[name] in allowed for name, allowed in self._allowed.items())
        except (KeyError, TypeError):
            return False

    def baseline_design(self) -> Design:
        """FARSI's starting SoC: one A53 at 1 GHz, one 32-bit bus at 100 MHz and one
        memory (LPDDR4, since SRAM cannot hold the frame workloads), every task on the
        A53 and all data in that memory; queue depth 4, 256-byte bursts. With a custom
        library lacking those types, the first type of each kind stands in."""
        lib = self.library
        pe0 = "A53" if "A53" in lib.pe else next(iter(lib.pe))
        mem0 = "lpddr4" if "lpddr4" in lib.memory else next(iter(lib.memory))
        bus0 = "axi32" if "axi32" in lib.bus else next(iter(lib.bus))
        design: Design = {}
        for s in range(N_SLOTS):
            design |= {
                f"pe{s}_type": pe0 if s == 0 else "none",
                f"pe{s}_clock_ratio": 1.0,
                f"pe{s}_unroll": 1,
                f"pe{s}_bus": 0,
                f"mem{s}_type": mem0 if s == 0 else "none",
                f"mem{s}_clock_ratio": 1.0,
                f"mem{s}_bus": 0,
                f"bus{s}_type": bus0 if s == 0 else "none",
                f"bus{s}_clock_ratio": 1.0,
                f"bus{s}_queue": 4,
            }
        design["burst_bytes"] = 256
        for t in self.mapped_tasks:
            design[f"pe_of_{t}"] = 0
        for t in self.stored_tasks:
            design[f"mem_of_{t}"] = 0
        return self._space.validate(design)

    def _build_space(self) -> DesignSpace:
        lib = self.library
        slots = range(N_SLOTS)
        params: list[Any] = []
        for s in slots:
            optional = ("none",) if s else ()
            params += [
                Categorical(f"pe{s}_type", (*optional, *lib.pe), doc=f"PE slot {s} type"),
                Ordinal(
                    f"pe{s}_clock_ratio",
                    PE_CLOCK_RATIOS,
                    unit="x nominal",
                    doc=f"PE slot {s} clock",
                ),
                Ordinal(
                    f"pe{s}_unroll",
                    unroll_values(self.graph),
                    doc=f"PE slot {s} accelerator loop unrolling (capped by trip counts)",
                ),
                Integer(f"pe{s}_bus", 0, N_SLOTS - 1, doc=f"bus PE slot {s} hangs off"),
            ]
        for s in slots:
            optional = ("none",) if s else ()
            params += [
                Categorical(f"mem{s}_type", (*optional, *lib.memory), doc=f"memory slot {s}"),
                Ordinal(
                    f"mem{s}_clock_ratio",
                    CLOCK_RATIOS,
                    unit="x nominal",
                    doc=f"memory slot {s} clock",
                ),
                Integer(f"mem{s}_bus", 0, N_SLOTS - 1, doc=f"bus memory slot {s} hangs off"),
            ]
        for s in slots:
            optional = ("none",) if s else ()
            params += [
                Categorical(f"bus{s}_type", (*optional, *lib.bus), doc=f"bus slot {s}"),
                Ordinal(
                    f"bus{s}_clock_ratio", CLOCK_RATIOS, unit="x nominal", doc=f"bus slot {s} clock"
                ),
                Ordinal.powers_of_two(
                    f"bus{s}_queue", 1, 16, unit="bursts", doc=f"bus slot {s} outstanding bursts"
                ),
            ]
        params.append(
            Ordinal.powers_of_two("burst_bytes", 32, 4096, unit="B", doc="transfer burst size")
        )
        params += [
            Integer(f"pe_of_{t}", 0, N_SLOTS - 1, doc=f"PE slot that runs task {t}")
            for t in self.mapped_tasks
        ]
        params += [
            Integer(f"mem_of_{t}", 0, N_SLOTS - 1, doc=f"memory slot holding {t}'s output")
            for t in self.stored_tasks
        ]
        return DesignSpace(params)
