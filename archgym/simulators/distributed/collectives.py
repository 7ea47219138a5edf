"""Time of one collective over a group that spans several network dimensions.

A collective on a group placed over dimension slices runs as phases, one per slice
(hierarchically, ASTRA-sim style):

* all-reduce, localBWAware: reduce-scatter on every slice but the last (the data
  shrinking by each slice's extent), all-reduce on the last, all-gather back down;
* all-reduce, baseline: an all-reduce of the whole buffer on every slice in turn;
* reduce-scatter: one per slice, the data shrinking; all-gather: one per slice, the
  data growing to the full ``size``; all-to-all: one of the whole buffer per slice.

Each phase costs ``a + w`` for its data: ``a`` its latency (hops x link latency +
rounds x endpoint delay), ``w`` its transfer (link load x bytes / bandwidth), from
:func:`~archgym.simulators.distributed.routing.phase_cost`. The data is cut into S
chunks (``preferred_dataset_splits``); chunk k+1 enters a dimension as soon as the
dimension has room, so with c active chunks per dimension

    time = sum_j (a_j + w_j / S) + (S - 1) * max_d period_d,
    period_d = max(sum_{j on d} w_j / (S * min(c, parallelism_j)),
                   sum_{j on d} (a_j + w_j / S) / c).

With S = 1 this is the plain sum of the phases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from archgym.simulators.distributed.network import GroupSlice, Network
from archgym.simulators.distributed.routing import phase_cost, send_cost
from archgym.simulators.distributed.system import COLLECTIVES, SystemConfig

COMM_KINDS = (*COLLECTIVES, "send_recv")


@dataclass(frozen=True)
class CollectiveTime:
    """Duration of one collective and how long it occupies each dimension (seconds:
    S chunks x the dimension's per-chunk period)."""

    seconds: float
    dimension_seconds: tuple[float, ...]


def collective_time(
    collective: str,
    size_bytes: float,
    slices: Sequence[GroupSlice],
    network: Network,
    system: SystemConfig,
) -> CollectiveTime:
    """Time of ``collective`` on a group over ``slices``.

    ``size_bytes`` is the per-NPU buffer: the reduced buffer of an all-reduce, the input
    of a reduce-scatter, the output of an all-gather, the data each NPU sends in an
    all-to-all.
    """
    dims = len(network.dimensions)
    if size_bytes <= 0 or not slices:
        return CollectiveTime(0.0, (0.0,) * dims)
    phases = _phases(collective, size_bytes, slices, system.collective_optimization)
    splits = system.preferred_dataset_splits
    chunks = system.active_chunks_per_dimension
    first_chunk = 0.0
    transfer = [0.0] * dims  # bandwidth-bound time of one chunk per dimension
    occupied = [0.0] * dims  # latency + transfer of one chunk per dimension
    for kind, slice_, data in phases:
        dimension = network.dimensions[slice_.dimension]
        algorithm = system.algorithm(collective, slice_.dimension)
        cost = phase_cost(
            algorithm, kind, dimension.topology, dimension.npus, slice_.extent, slice_.stride
        )
        latency = (cost.hops * dimension.latency_ns + cost.rounds * system.endpoint_delay_ns) * 1e-9
        wire = cost.load * data / splits / (dimension.bandwidth_gbs * 1e9)
        first_chunk += latency + wire
        transfer[slice_.dimension] += wire / min(chunks, cost.parallelism)
        occupied[slice_.dimension] += latency + wire
    periods = [max(t, o / chunks) for t, o in zip(transfer, occupied, strict=True)]
    busy = tuple(splits * p for p in periods)
    return CollectiveTime(first_chunk + (splits - 1) * max(periods), busy)


def _phases(
    collective: str, size: float, slices: Sequence[GroupSlice], optimization: str
) -> list[tuple[str, GroupSlice, float]]:
    """(phase kind, slice, phase data size) in execution order."""
    if collective == "all_reduce":
        if optimization == "baseline" or len(slices) == 1:
            return [("all_reduce", s, size) for s in slices]
        phases, data = [], size
        for s in slices[:-1]:
            phases.append(("reduce_scatter", s, data))
            data /= s.extent
        phases.append(("all_reduce", slices[-1], data))
        for s in reversed(slices[:-1]):
            data *= s.extent
            phases.append(("all_gather", s, data))
        return phases
    if collective == "reduce_scatter":
        phases, data = [], size
        for s in slices:
            phases.append(("reduce_scatter", s, data))
            data /= s.extent
        return phases
    if collective == "all_gather":
        data = size
        for s in slices:
            data /= s.extent
        phases = []
        for s in slices:
            data *= s.extent
            phases.append(("all_gather", s, data))
        return phases
    if collective == "all_to_all":
        return [("all_to_all", s, size) for s in slices]
    raise ValueError(f"unknown collective {collective!r}")


def point_to_point(
    slices: tuple[GroupSlice, ...], network: Network, system: SystemConfig, size: float
) -> CollectiveTime:
    """One transfer between neighbouring ranks of a group; the slowest dimension the
    group spans sets the time (every stage boundary is on the pipeline's path)."""
    busy = [0.0] * len(network.dimensions)
    slowest = 0.0
    for s in slices:
        dimension = network.dimensions[s.dimension]
        cost = send_cost(dimension.topology, dimension.npus, s.extent, s.stride)
        seconds = (
            cost.hops * dimension.latency_ns + system.endpoint_delay_ns
        ) * 1e-9 + cost.load * size / (dimension.bandwidth_gbs * 1e9)
        busy[s.dimension] = seconds
        slowest = max(slowest, seconds)
    return CollectiveTime(slowest, tuple(busy))


@dataclass
class CommLedger:
    """Communication time of the critical device by collective and by dimension."""

    dimensions: int
    by_kind: dict[str, float] = field(default_factory=dict)
    by_dimension: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_kind = dict.fromkeys(COMM_KINDS, 0.0)
        self.by_dimension = [0.0] * self.dimensions

    def add(self, kind: str, time: CollectiveTime, count: float = 1.0) -> float:
        self.by_kind[kind] += count * time.seconds
        for d, seconds in enumerate(time.dimension_seconds):
            self.by_dimension[d] += count * seconds
        return time.seconds
