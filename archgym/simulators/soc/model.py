"""Phase-driven simulation of a task graph on an allocated SoC.

Every working task runs in three phases on one core of its PE: it *reads* each input
edge's data from the memory that holds it, *computes*, then *writes* each output edge's
data to its own memory. A task becomes ready when all its predecessors have finished;
a PE runs ready tasks one per core (lowest topological rank first). Marker tasks
(no work anywhere) take no PE and no time; a marker's outgoing data is in memory the
moment its inputs are, so a source's data is present at t = 0.

Transfers are fluid flows over the memory and the buses on their route. Flows in
flight share every resource max-min fairly (progressive filling): two equal flows on
one bus each get half its bandwidth. Each flow is also capped by its own pipeline:
with ``Q`` bursts of ``burst`` bytes outstanding (the smallest queue on its route) and
a round-trip latency ``L`` (memory access plus one hop per bus), it cannot exceed
``Q * burst / (burst / bw + L)`` where ``bw`` is the slowest bandwidth on the route.

Memory capacity is checked against the live data: an edge's buffer occupies the
producer's memory from the producer's write phase (t = 0 for a marker source) until
the consumer has read it (forever when the consumer is a marker, i.e. a sink).

Energy is compute energy plus bytes moved times the per-byte energy of the memory
(read or write) and of every bus crossed; there is no static power. Power is energy
over latency. Area is the PEs (cores, or unrolled IPs of the mapped tasks), memories,
and buses with their queue buffers. An IP's unroll factor is the PE's ``unroll``
capped by the task's trip count (FARSI only builds IP variants up to the trip count).

This module validates the design and builds flat arrays; the event loop itself is the
numba kernel in :mod:`.kernel`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from archgym.errors import InvalidDesignError
from archgym.simulators.soc import kernel
from archgym.simulators.soc.hardware import SRAM_MM2_PER_BYTE, SoC
from archgym.simulators.soc.taskgraph import TaskGraph

N_SLOTS = 3  # FARSIGym: up to 3 PEs, 3 memories, 3 buses (REFERENCES.md s1)
_MAX_ROUTE = 1 + N_SLOTS  # a memory and at most every bus


@dataclass(frozen=True)
class SoCResult:
    """What one simulation yields (SI units; utilisations in [0, 1]).

    ``utilisation`` has keys ``pe0..pe2``, ``mem0..mem2``, ``bus0..bus2``: for a PE the
    fraction of core-time spent computing, for a memory or bus the bytes it carried over
    its bandwidth times the latency; 0 for unallocated blocks. ``task_start_s`` and
    ``task_finish_s`` give each task's start of its read phase and end of its write phase.
    """

    latency_s: float
    energy_j: float
    power_w: float
    area_mm2: float
    compute_energy_j: float
    transfer_energy_j: float
    utilisation: dict[str, float]
    peak_memory_bytes: tuple[float, ...]
    task_start_s: dict[str, float]
    task_finish_s: dict[str, float]


def simulate(graph: TaskGraph, soc: SoC) -> SoCResult:
    """Simulate ``graph`` on ``soc``.

    Raises InvalidDesignError naming the task or block when a task is mapped to an
    unallocated PE or to one that cannot run it, data is mapped to an unallocated
    memory, a route crosses an unallocated bus, or a memory overflows.
    """
    return _Plan(graph, soc).run()


@dataclass(frozen=True)
class _GraphTables:
    """Design-independent arrays of a task graph; data edges (bytes > 0) are 0..E-1."""

    n_preds: np.ndarray
    rank: np.ndarray
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    in_ptr: np.ndarray
    in_idx: np.ndarray
    out_ptr: np.ndarray
    out_idx: np.ndarray
    edge_producer: list[int]
    edge_consumer: list[int]
    edge_producer_name: list[str]
    edge_bytes: np.ndarray


def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    idx = np.array([v for x in lists for v in x], np.int64)
    return ptr, idx


_TABLES: dict[int, tuple[TaskGraph, _GraphTables]] = {}


def _graph_tables(graph: TaskGraph) -> _GraphTables:
    cached = _TABLES.get(id(graph))
    if cached is not None and cached[0] is graph:
        return cached[1]
    n = len(graph.tasks)
    index = graph.index
    n_preds = np.zeros(n, np.int64)
    succ: list[list[int]] = [[] for _ in range(n)]
    ins: list[list[int]] = [[] for _ in range(n)]
    outs: list[list[int]] = [[] for _ in range(n)]
    producers: list[int] = []
    consumers: list[int] = []
    names: list[str] = []
    sizes: list[float] = []
    for edge in graph.edges:
        p, c = index[edge.producer], index[edge.consumer]
        n_preds[c] += 1
        succ[p].append(c)
        if edge.bytes > 0:
            outs[p].append(len(sizes))
            ins[c].append(len(sizes))
            producers.append(p)
            consumers.append(c)
            names.append(edge.producer)
            sizes.append(float(edge.bytes))
    rank = np.zeros(n, np.int64)
    rank[list(graph.order)] = np.arange(n)
    tables = _GraphTables(
        n_preds,
        rank,
        *_csr(succ),
        *_csr(ins),
        *_csr(outs),
        producers,
        consumers,
        names,
        np.array(sizes, np.float64),
    )
    if len(_TABLES) >= 64:
        _TABLES.clear()
    _TABLES[id(graph)] = (graph, tables)
    return tables


class _Plan:
    """The design turned into the kernel's arrays (validated on the way)."""

    def __init__(self, graph: TaskGraph, soc: SoC) -> None:
        self.graph = graph
        self.soc = soc
        n = len(graph.tasks)
        task_pe = [-1] * n
        task_time = [0.0] * n
        task_energy = [0.0] * n
        accel_area = [0.0] * N_SLOTS
        for i, task in enumerate(graph.tasks):
            if task.is_marker:
                continue
            slot = soc.task_pe.get(task.name)
            if slot is None:
                raise InvalidDesignError(f"task {task.name!r} is not mapped to any PE")
            pe = soc.pes[slot] if 0 <= slot < len(soc.pes) else None
            if pe is None:
                raise InvalidDesignError(
                    f"task {task.name!r} is mapped to pe{slot}, which is not allocated"
                )
            if pe.type.kind == "gpp":
                if task.gpp_cycles is None:
                    raise InvalidDesignError(
                        f"task {task.name!r} is mapped to pe{slot} ({pe.type.name}), "
                        "but it has no general-purpose implementation"
                    )
                cycles = task.gpp_cycles / pe.type.speedup
                task_time[i] = cycles / pe.hz
                task_energy[i] = cycles * pe.type.energy_per_cycle_j
            else:
                ip = task.accelerator
                if ip is None:
                    raise InvalidDesignError(
                        f"task {task.name!r} is mapped to pe{slot} ({pe.type.name} "
                        "accelerator), but the workload has no accelerator IP for it"
                    )
                # FARSI parse_library.parse_hardware_library: an IP unrolled L times
                # (1 <= L <= the task's trip count) has L x the work rate and L x the
                # area; with FARSI's energy convention also L x the energy per run.
                unroll = min(pe.unroll, task.iterations)
                task_time[i] = ip.cycles / (pe.hz * unroll)
                task_energy[i] = ip.energy_j * (unroll if ip.energy_scales_with_unroll else 1)
                accel_area[slot] += unroll * ip.area_mm2
            task_pe[i] = slot
        self.task_pe = task_pe
        self.task_time = task_time
        self.task_energy = task_energy
        self.accel_area = accel_area

        # resources: memories 0..2, buses 3..5 (bandwidth in bytes/s; 0 = absent)
        self.capacity = [0.0] * (2 * N_SLOTS)
        for m, mem in enumerate(soc.memories):
            if mem is not None:
                self.capacity[m] = mem.bandwidth_bytes_per_s
        for b, bus in enumerate(soc.buses):
            if bus is not None:
                self.capacity[N_SLOTS + b] = bus.bandwidth_bytes_per_s

        self.tables = tables = _graph_tables(graph)
        n_edges = len(tables.edge_producer)
        self.edge_memory = edge_memory = [0] * n_edges
        # flow slot 2e reads edge e, 2e + 1 writes it; route = (resources, cap, J/byte)
        self.routes: list[tuple | None] = [None] * (2 * n_edges)
        routes: dict[tuple[int, int, int], tuple] = {}
        memories = soc.memories
        for e in range(n_edges):
            producer = tables.edge_producer_name[e]
            m = soc.task_memory.get(producer)
            if m is None:
                raise InvalidDesignError(
                    f"the output of task {producer!r} is not mapped to any memory"
                )
            if not (0 <= m < len(memories)) or memories[m] is None:
                raise InvalidDesignError(
                    f"the output of task {producer!r} is mapped to mem{m}, which is not allocated"
                )
            edge_memory[e] = m
            for write, task in ((0, tables.edge_consumer[e]), (1, tables.edge_producer[e])):
                slot = task_pe[task]
                if slot < 0:
                    continue  # a marker moves no data itself
                key = (slot, m, write)
                if key not in routes:
                    routes[key] = self._route(slot, m, bool(write))
                self.routes[2 * e + write] = routes[key]

    def _route(self, pe_slot: int, mem_slot: int, write: bool) -> tuple:
        soc = self.soc
        mem = soc.memories[mem_slot]
        a, b = soc.pes[pe_slot].bus, mem.bus
        resources = [mem_slot]
        bw = self.capacity[mem_slot]
        latency = mem.latency_s
        energy = mem.type.write_energy_per_byte_j if write else mem.type.read_energy_per_byte_j
        queue = None
        for k in range(min(a, b), max(a, b) + 1):
            bus = soc.buses[k] if k < len(soc.buses) else None
            if bus is None:
                raise InvalidDesignError(
                    f"pe{pe_slot} (on bus{a}) cannot reach mem{mem_slot} (on bus{b}): "
                    f"bus{k} is not allocated"
                )
            resources.append(N_SLOTS + k)
            bw = min(bw, self.capacity[N_SLOTS + k])
            latency += bus.hop_s
            energy += bus.type.energy_per_byte_j
            queue = bus.queue if queue is None else min(queue, bus.queue)
        burst = float(soc.burst_bytes)
        cap = min(bw, queue * burst / (burst / bw + latency))
        return tuple(resources), cap, energy

    def run(self) -> SoCResult:
        soc, graph, tables = self.soc, self.graph, self.tables
        n_flows = len(self.routes)
        flow_res = np.zeros((n_flows, _MAX_ROUTE), np.int64)
        flow_nres = np.zeros(n_flows, np.int64)
        flow_cap = np.ones(n_flows)
        transfer_energy = 0.0
        resource_bytes = [0.0] * (2 * N_SLOTS)
        edge_bytes = tables.edge_bytes
        for f, route in enumerate(self.routes):
            if route is None:
                continue
            resources, cap, energy = route
            nbytes = float(edge_bytes[f // 2])
            flow_res[f, : len(resources)] = resources
            flow_nres[f] = len(resources)
            flow_cap[f] = cap
            transfer_energy += nbytes * energy
            for r in resources:
                resource_bytes[r] += nbytes
        cores = np.array([0 if pe is None else pe.type.cores for pe in soc.pes], np.int64)
        mem_capacity = np.array(
            [0.0 if mem is None else float(mem.type.capacity_bytes) for mem in soc.memories]
        )
        status, latency, start, finish, peak, overflow = kernel.run_schedule(
            np.array(self.task_pe, np.int64),
            np.array(self.task_time),
            tables.rank,
            tables.n_preds,
            tables.succ_ptr,
            tables.succ_idx,
            tables.in_ptr,
            tables.in_idx,
            tables.out_ptr,
            tables.out_idx,
            edge_bytes,
            np.array(self.edge_memory, np.int64),
            flow_res,
            flow_nres,
            flow_cap,
            np.array(self.capacity),
            cores,
            mem_capacity,
        )
        if status == kernel.OVERFLOW:
            m = int(overflow[0])
            mem = soc.memories[m].type
            raise InvalidDesignError(
                f"mem{m} ({mem.name}, {mem.capacity_bytes} bytes) overflows: "
                f"{overflow[1]:.0f} bytes of live data at t={overflow[2]:.6g} s"
            )
        if status != kernel.OK:  # pragma: no cover - a DAG with positive rates completes
            raise InvalidDesignError("simulation stalled before every task finished")

        compute_energy = float(sum(self.task_energy))
        energy = compute_energy + transfer_energy
        busy = [0.0] * N_SLOTS
        for i, slot in enumerate(self.task_pe):
            if slot >= 0:
                busy[slot] += self.task_time[i]
        util: dict[str, float] = {}
        for s in range(N_SLOTS):
            c = int(cores[s]) if s < len(cores) else 0
            util[f"pe{s}"] = busy[s] / (c * latency) if c and latency > 0 else 0.0
        for s in range(N_SLOTS):
            for prefix, r in (("mem", s), ("bus", N_SLOTS + s)):
                cap = self.capacity[r]
                util[f"{prefix}{s}"] = (
                    resource_bytes[r] / (cap * latency) if cap and latency > 0 else 0.0
                )
        names = [t.name for t in graph.tasks]
        return SoCResult(
            latency_s=float(latency),
            energy_j=energy,
            power_w=energy / latency if latency > 0 else 0.0,
            area_mm2=self._area(),
            compute_energy_j=compute_energy,
            transfer_energy_j=transfer_energy,
            utilisation=util,
            peak_memory_bytes=tuple(float(x) for x in peak),
            task_start_s=dict(zip(names, start.tolist(), strict=True)),
            task_finish_s=dict(zip(names, finish.tolist(), strict=True)),
        )

    def _area(self) -> float:
        soc = self.soc
        area = 0.0
        for s, pe in enumerate(soc.pes):
            if pe is None:
                continue
            if pe.type.kind == "gpp":
                area += pe.type.cores * pe.type.area_mm2
            else:
                area += pe.type.area_mm2 + self.accel_area[s]
        for mem in soc.memories:
            if mem is not None:
                area += mem.type.area_mm2
        for bus in soc.buses:
            if bus is not None:
                area += bus.type.area_mm2 + bus.queue * soc.burst_bytes * SRAM_MM2_PER_BYTE
        return area
