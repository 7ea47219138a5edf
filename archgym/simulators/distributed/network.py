"""Multi-dimensional networks (ASTRA-sim's analytical model) and where parallel groups sit.

A :class:`Network` is a list of dimensions; NPU ranks are laid out in mixed radix, the
first dimension varying fastest. Each dimension is a Ring (bidirectional, neighbour
links), a Switch (one link per NPU to a non-blocking switch: two hops between any pair)
or FullyConnected (a link between every pair), with a per-link bandwidth (GB/s, each
direction) and per-link latency (ns), as in ASTRA-sim's network YAML.

Parallel groups are placed innermost first (tensor, then sequence, data and pipeline,
Megatron-LM's rank order): :func:`place_groups` gives each group the dimension slices
it spans, as (dimension, extent, stride) triples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import prod

from archgym.errors import ConfigError, InvalidDesignError

TOPOLOGIES = ("Ring", "Switch", "FullyConnected")


@dataclass(frozen=True)
class Dimension:
    """One network dimension of ``npus`` NPUs."""

    topology: str
    npus: int
    bandwidth_gbs: float
    latency_ns: float

    def __post_init__(self) -> None:
        if self.topology not in TOPOLOGIES:
            raise ConfigError(f"topology {self.topology!r} is not one of {', '.join(TOPOLOGIES)}")
        if isinstance(self.npus, bool) or not isinstance(self.npus, int) or self.npus < 1:
            raise ConfigError(f"npus_count must be a positive integer, got {self.npus!r}")
        if not self.bandwidth_gbs > 0:
            raise ConfigError(f"bandwidth must be positive (GB/s), got {self.bandwidth_gbs!r}")
        if not self.latency_ns >= 0:
            raise ConfigError(f"latency must be non-negative (ns), got {self.latency_ns!r}")

    @property
    def links_per_npu(self) -> int:
        """Links each NPU has in this dimension (its switch port counts as one)."""
        if self.npus == 1:
            return 0
        return {"Ring": 2, "Switch": 1, "FullyConnected": self.npus - 1}[self.topology]


@dataclass(frozen=True)
class Network:
    """An ordered tuple of dimensions; ``npus`` is their product."""

    dimensions: tuple[Dimension, ...]

    def __post_init__(self) -> None:
        if not self.dimensions:
            raise ConfigError("a network needs at least one dimension")

    @property
    def npus(self) -> int:
        return prod(d.npus for d in self.dimensions)

    @property
    def link_bandwidth_tbs(self) -> float:
        """Bandwidth of every link summed (TB/s, one direction): a topology-neutral
        measure of how much network was bought."""
        return sum(self.npus * d.links_per_npu * d.bandwidth_gbs for d in self.dimensions) / 1e3


def network_from_lists(
    topology: Sequence[str],
    npus_count: Sequence[int],
    bandwidth: Sequence[float],
    latency: Sequence[float],
) -> Network:
    """A network from ASTRA-sim's per-dimension lists (all of the same length)."""
    lengths = {len(topology), len(npus_count), len(bandwidth), len(latency)}
    if len(lengths) != 1:
        raise ConfigError(
            "topology, npus_count, bandwidth and latency must list the same number of "
            f"dimensions, got {len(topology)}, {len(npus_count)}, {len(bandwidth)}, "
            f"{len(latency)}"
        )
    return Network(
        tuple(
            Dimension(t, n, float(b), float(a))
            for t, n, b, a in zip(topology, npus_count, bandwidth, latency, strict=True)
        )
    )


@dataclass(frozen=True)
class GroupSlice:
    """The part of one dimension a group spans: ``extent`` members ``stride`` apart."""

    dimension: int
    extent: int
    stride: int


def place_groups(
    network: Network, sizes: Sequence[tuple[str, int]]
) -> dict[str, tuple[GroupSlice, ...]]:
    """Slices of each group, placing the groups innermost first in the given order.

    A group either fits in what is left of the current dimension (and divides it) or
    fills it and continues in the next one. Raises InvalidDesignError when the sizes
    do not multiply to the NPU count or a group straddles dimensions unevenly.
    """
    total = prod(size for _, size in sizes)
    if total != network.npus:
        layout = " x ".join(f"{name} {size}" for name, size in sizes)
        raise InvalidDesignError(
            f"parallel degrees {layout} = {total} do not match the {network.npus} NPUs "
            "of the network"
        )
    placement: dict[str, tuple[GroupSlice, ...]] = {}
    dimension, used = 0, 1  # used: how much of the current dimension inner groups took
    for name, size in sizes:
        slices = []
        remaining = size
        while remaining > 1:
            while network.dimensions[dimension].npus == used:
                dimension, used = dimension + 1, 1
            free = network.dimensions[dimension].npus // used
            if remaining <= free:
                if free % remaining:
                    raise _uneven(name, size, network, dimension, free)
                slices.append(GroupSlice(dimension, remaining, used))
                used *= remaining
                remaining = 1
            else:
                if remaining % free:
                    raise _uneven(name, size, network, dimension, free)
                slices.append(GroupSlice(dimension, free, used))
                remaining //= free
                dimension, used = dimension + 1, 1
        placement[name] = tuple(slices)
    return placement


def merge_slices(*groups: Sequence[GroupSlice]) -> tuple[GroupSlice, ...]:
    """Slices of the group that joins adjacent groups (in rank order): a slice that
    continues the previous one in the same dimension extends it."""
    merged: list[GroupSlice] = []
    for slice_ in (s for group in groups for s in group):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.dimension == slice_.dimension
            and slice_.stride == last.stride * last.extent
        ):
            merged[-1] = GroupSlice(last.dimension, last.extent * slice_.extent, last.stride)
        else:
            merged.append(slice_)
    return tuple(merged)


@dataclass(frozen=True)
class ParallelGroups:
    """Where each parallel group of a layout sits; ``replicas`` joins the sequence and
    data ranks (the NPUs holding the same weights)."""

    tp: tuple[GroupSlice, ...]
    sp: tuple[GroupSlice, ...]
    replicas: tuple[GroupSlice, ...]
    pp: tuple[GroupSlice, ...]

    @property
    def blocking_dimensions(self) -> frozenset[int]:
        """Dimensions the layer-by-layer (tensor and sequence) collectives use."""
        return frozenset(s.dimension for s in (*self.tp, *self.sp))


def parallel_groups(network: Network, sizes: Sequence[tuple[str, int]]) -> ParallelGroups:
    """:func:`place_groups` of the groups named tp, sp, dp and pp, innermost first."""
    placed = place_groups(network, sizes)
    return ParallelGroups(
        placed["tp"], placed["sp"], merge_slices(placed["sp"], placed["dp"]), placed["pp"]
    )


def _uneven(name: str, size: int, network: Network, dimension: int, free: int) -> Exception:
    shape = " x ".join(str(d.npus) for d in network.dimensions)
    return InvalidDesignError(
        f"the {name} group of {size} NPUs does not tile the network {shape}: "
        f"{free} NPUs are left in dimension {dimension}"
    )
