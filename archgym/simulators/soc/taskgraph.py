"""Task graphs: the workloads of the SoC model.

A :class:`TaskGraph` is a directed acyclic graph of :class:`Task` nodes joined by
:class:`Edge` data transfers. Each task carries its work on the reference
general-purpose core (cycles of an Arm Cortex-A53 at its nominal clock, the
reference core of FARSI's database) and, when an accelerator IP exists for it, the
IP's cycles, energy and area. A task with no work anywhere (FARSI's ``souurce``,
``siink`` and ``dummy_last``) is a *marker*: it occupies no PE, takes no time, and
its outgoing data is present in memory the moment its inputs are.

Graphs are validated once when built (unique names, known endpoints, no cycles,
non-negative numbers) and then trusted by the model.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field

from archgym.errors import WorkloadError


@dataclass(frozen=True)
class AcceleratorIP:
    """The accelerator IP that runs one task.

    ``cycles`` is the IP's cycle count for one execution of the task at its nominal
    clock (100 MHz in FARSI's database) without loop unrolling; ``energy_j`` the energy
    of one execution (J); ``area_mm2`` the area of one IP instance (mm2, before loop
    unrolling). Unrolled ``L`` times, the IP takes ``cycles / L`` cycles and ``L x
    area_mm2``; its energy stays ``energy_j`` unless ``energy_scales_with_unroll``
    (FARSI's convention: a run costs ``L x energy_j``).
    """

    cycles: float
    energy_j: float
    area_mm2: float
    energy_scales_with_unroll: bool = False


@dataclass(frozen=True)
class Task:
    """One node of a task graph.

    ``gpp_cycles``: cycles on the reference core (A53 at 1 GHz), or None when the task
    cannot run on a general-purpose core. ``iterations``: the trip count of the task's
    main loop, which bounds how far an accelerator can be unrolled.
    """

    name: str
    gpp_cycles: float | None
    iterations: int = 1
    accelerator: AcceleratorIP | None = None

    @property
    def is_marker(self) -> bool:
        """True for a task with no work anywhere (source, sink, join markers)."""
        return (self.gpp_cycles is None or self.gpp_cycles == 0) and self.accelerator is None


@dataclass(frozen=True)
class Edge:
    """``bytes`` of data that ``producer`` writes and ``consumer`` reads."""

    producer: str
    consumer: str
    bytes: float


@dataclass(frozen=True)
class TaskGraph:
    """A workload: tasks, data edges and an optional latency budget.

    Raises WorkloadError when names repeat, an edge names an unknown task, the graph
    has a cycle, or a number is negative or not finite. ``order`` lists task indices
    in a deterministic topological order (ties broken by declaration order).
    """

    name: str
    tasks: tuple[Task, ...]
    edges: tuple[Edge, ...]
    latency_budget_s: float | None = None
    description: str = ""
    index: dict[str, int] = field(init=False, repr=False, compare=False)
    order: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", tuple(self.tasks))
        object.__setattr__(self, "edges", tuple(self.edges))
        if not self.tasks:
            raise WorkloadError(f"task graph {self.name!r} has no tasks")
        index: dict[str, int] = {}
        for i, task in enumerate(self.tasks):
            if task.name in index:
                raise WorkloadError(f"task graph {self.name!r}: task {task.name!r} appears twice")
            index[task.name] = i
            _check_task(self.name, task)
        seen: set[tuple[str, str]] = set()
        for edge in self.edges:
            for end in (edge.producer, edge.consumer):
                if end not in index:
                    raise WorkloadError(
                        f"task graph {self.name!r}: edge {edge.producer!r} -> "
                        f"{edge.consumer!r} names unknown task {end!r}"
                    )
            if edge.producer == edge.consumer:
                raise WorkloadError(f"task graph {self.name!r}: self edge on {edge.producer!r}")
            if (edge.producer, edge.consumer) in seen:
                raise WorkloadError(
                    f"task graph {self.name!r}: edge {edge.producer!r} -> {edge.consumer!r} "
                    "appears twice"
                )
            seen.add((edge.producer, edge.consumer))
            if not (math.isfinite(edge.bytes) and edge.bytes >= 0):
                raise WorkloadError(
                    f"task graph {self.name!r}: edge {edge.producer!r} -> {edge.consumer!r} "
                    f"has bytes={edge.bytes!r}; expected a finite number >= 0"
                )
        if self.latency_budget_s is not None and not self.latency_budget_s > 0:
            raise WorkloadError(
                f"task graph {self.name!r}: latency_budget_s must be > 0, "
                f"got {self.latency_budget_s!r}"
            )
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "order", _topological_order(self.name, self.tasks, self.edges))

    def task(self, name: str) -> Task:
        """The task called ``name`` (WorkloadError if unknown)."""
        try:
            return self.tasks[self.index[name]]
        except KeyError:
            raise WorkloadError(f"task graph {self.name!r} has no task {name!r}") from None

    def predecessors(self, name: str) -> tuple[str, ...]:
        """Names of the tasks with an edge into ``name``, in edge order."""
        return tuple(e.producer for e in self.edges if e.consumer == name)

    def successors(self, name: str) -> tuple[str, ...]:
        """Names of the tasks with an edge from ``name``, in edge order."""
        return tuple(e.consumer for e in self.edges if e.producer == name)

    @property
    def total_bytes(self) -> float:
        """Bytes moved along all edges (each written once and read once)."""
        return float(sum(e.bytes for e in self.edges))

    def fingerprint(self) -> str:
        """Stable SHA-256 of the graph's content (name, tasks, edges, budget)."""
        payload = {
            "name": self.name,
            "budget": self.latency_budget_s,
            "tasks": [
                [
                    t.name,
                    t.gpp_cycles,
                    t.iterations,
                    None
                    if t.accelerator is None
                    else [
                        t.accelerator.cycles,
                        t.accelerator.energy_j,
                        t.accelerator.area_mm2,
                        t.accelerator.energy_scales_with_unroll,
                    ],
                ]
                for t in self.tasks
            ],
            "edges": [[e.producer, e.consumer, e.bytes] for e in self.edges],
        }
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _check_task(graph: str, task: Task) -> None:
    def bad(what: str, value: object, expected: str) -> WorkloadError:
        return WorkloadError(
            f"task graph {graph!r}, task {task.name!r}: {what}={value!r}; expected {expected}"
        )

    if task.gpp_cycles is not None and not (
        math.isfinite(task.gpp_cycles) and task.gpp_cycles >= 0
    ):
        raise bad("gpp_cycles", task.gpp_cycles, "a finite number >= 0 or None")
    if not (isinstance(task.iterations, int) and task.iterations >= 1):
        raise bad("iterations", task.iterations, "an integer >= 1")
    ip = task.accelerator
    if ip is not None:
        for what in ("cycles", "energy_j", "area_mm2"):
            value = getattr(ip, what)
            if not (math.isfinite(value) and value >= 0):
                raise bad(f"accelerator {what}", value, "a finite number >= 0")


def _topological_order(graph: str, tasks: tuple[Task, ...], edges: tuple[Edge, ...]) -> tuple:
    index = {t.name: i for i, t in enumerate(tasks)}
    indegree = [0] * len(tasks)
    succ: list[list[int]] = [[] for _ in tasks]
    for e in edges:
        succ[index[e.producer]].append(index[e.consumer])
        indegree[index[e.consumer]] += 1
    ready = [i for i, d in enumerate(indegree) if d == 0]
    order: list[int] = []
    while ready:
        ready.sort()
        i = ready.pop(0)
        order.append(i)
        for j in succ[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                ready.append(j)
    if len(order) != len(tasks):
        stuck = sorted(tasks[i].name for i, d in enumerate(indegree) if d > 0)
        raise WorkloadError(f"task graph {graph!r} has a cycle through {', '.join(stuck)}")
    return tuple(order)
