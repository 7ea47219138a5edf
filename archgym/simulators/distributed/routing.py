"""Alpha-beta costs of collective algorithms on one network dimension, from their traffic.

Each algorithm is written as its rounds of messages between the ranks of a group; the
messages are routed on the dimension's topology (shortest path on a bidirectional ring,
as ASTRA-sim's analytical ring counts hops, ties beyond the neighbours split between the
two directions;
NPU -> switch -> NPU on a switch; the direct link on a fully connected dimension). A
round costs its longest path in hops times the link latency, plus its busiest directed
link's load divided by the link bandwidth. Summing the rounds gives a
:class:`PhaseCost`: time = ``hops`` x latency + ``rounds`` x endpoint delay +
``load`` x bytes / bandwidth.

Algorithms (textbook forms; Thakur, Rabenseifner and Gropp 2005 for ring and recursive
halving/doubling, Sanders, Speck and Traeff 2009 for the double binary tree):

* ``ring``: reduce-scatter and all-gather are e - 1 neighbour rounds of n/e bytes;
  all-reduce is both (2(e - 1) rounds); all-to-all is e - 1 store-and-forward rounds
  carrying (e - k)/e of the data in round k.
* ``direct``: one round in which every rank sends n/e to every other rank
  (reduce-scatter, all-gather, all-to-all); all-reduce is reduce-scatter + all-gather.
* ``halvingDoubling``: recursive halving for reduce-scatter (log2 e rounds, partner
  at distance e/2, e/4, ..., sending n/2, n/4, ...), recursive doubling for all-gather,
  both for all-reduce; Bruck-style log2 e rounds of n/2 for all-to-all. A group that is
  not a power of two first folds its extra ranks in (and unfolds them at the end)
  with one round of the full data.
* ``doubleBinaryTree``: two complementary in-order binary trees, each reducing and then
  broadcasting half of the data, pipelined (one round per direction, whose latency is
  the deepest root path). As in ASTRA-sim, any collective asked of this algorithm runs
  a double-binary-tree all-reduce of its data.

A group may use only part of a dimension (``extent`` ranks ``stride`` apart); all the
groups of that shape communicate at once, so on a ring they share links.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

ALGORITHMS = ("ring", "direct", "halvingDoubling", "doubleBinaryTree")
PHASE_KINDS = ("reduce_scatter", "all_gather", "all_reduce", "all_to_all")

Flow = tuple[int, int, float]  # (source rank, destination rank, fraction of the data)


@dataclass(frozen=True)
class PhaseCost:
    """Cost multipliers of one collective phase on one dimension.

    ``hops``: link latencies on the critical path; ``rounds``: message rounds (each pays
    the endpoint delay); ``load``: bytes on the busiest directed link per byte of data;
    ``parallelism``: how many copies of the phase the dimension's links could carry at
    once without sharing a link (1 when the algorithm already keeps every link busy,
    2 for a ring algorithm on a bidirectional ring, which uses one direction).
    """

    hops: float
    rounds: int
    load: float
    parallelism: float


@lru_cache(maxsize=4096)
def phase_cost(
    algorithm: str, kind: str, topology: str, dimension_npus: int, extent: int, stride: int
) -> PhaseCost:
    """The :class:`PhaseCost` of ``kind`` by ``algorithm`` for groups of ``extent`` ranks
    ``stride`` apart in a ``topology`` dimension of ``dimension_npus`` NPUs."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown collective algorithm {algorithm!r}")
    if kind not in PHASE_KINDS:
        raise ValueError(f"unknown collective {kind!r}")
    _check_shape(dimension_npus, extent, stride)
    if extent < 2:
        return PhaseCost(0.0, 0, 0.0, 1.0)
    rounds = _rounds(algorithm, kind, extent)
    bases = _group_bases(dimension_npus, extent, stride)
    links = _link_count(topology, dimension_npus)
    hops = load = link_bytes = 0.0
    for round_ in rounds:
        round_hops, round_load, round_link_bytes = _route_round(
            round_, topology, dimension_npus, bases, stride
        )
        hops += round_hops
        load += round_load
        link_bytes += round_link_bytes
    parallelism = max(1.0, links * load / link_bytes) if link_bytes else 1.0
    count = sum(_tree_depth(extent) if round_.chains else 1 for round_ in rounds)
    return PhaseCost(hops, count, load, parallelism)


@lru_cache(maxsize=1024)
def send_cost(topology: str, dimension_npus: int, extent: int, stride: int) -> PhaseCost:
    """Every rank of the group sends its buffer to the next rank (a pipeline hand-off),
    all groups of the shape at once: the cost of one point-to-point transfer."""
    _check_shape(dimension_npus, extent, stride)
    if extent < 2:
        return PhaseCost(0.0, 0, 0.0, 1.0)
    round_ = Round(tuple((i, i + 1, 1.0) for i in range(extent - 1)))
    bases = _group_bases(dimension_npus, extent, stride)
    hops, load, _ = _route_round(round_, topology, dimension_npus, bases, stride)
    return PhaseCost(hops, 1, load, 1.0)


# ---------------------------------------------------------------- algorithms as rounds


@dataclass(frozen=True)
class Round:
    """Messages sent at once. A pipelined tree round lists its root paths in ``chains``
    (each a tuple of flow indices from a leaf to its root); its latency is the deepest."""

    flows: tuple[Flow, ...]
    chains: tuple[tuple[int, ...], ...] = ()


def _rounds(algorithm: str, kind: str, e: int) -> list[Round]:
    if algorithm == "doubleBinaryTree":
        return _tree_all_reduce(e)
    if kind == "all_reduce":
        return _rounds(algorithm, "reduce_scatter", e) + _rounds(algorithm, "all_gather", e)
    if algorithm == "ring":
        if kind == "all_to_all":
            return [
                Round(tuple((i, (i + 1) % e, (e - k) / e) for i in range(e))) for k in range(1, e)
            ]
        return [Round(tuple((i, (i + 1) % e, 1 / e) for i in range(e)))] * (e - 1)
    if algorithm == "direct":
        return [Round(tuple((i, j, 1 / e) for i in range(e) for j in range(e) if i != j))]
    return _halving_doubling(kind, e)


def _halving_doubling(kind: str, e: int) -> list[Round]:
    q = e.bit_length() - 1
    core = 1 << q  # ranks 0 .. core-1 run the power-of-two algorithm
    extra = e - core
    if kind == "reduce_scatter":
        steps = [(core >> (k + 1), 1 / (2 << k)) for k in range(q)]
    elif kind == "all_gather":
        steps = [(1 << k, (1 << k) / core) for k in range(q)]
    else:  # all_to_all, Bruck-style
        steps = [(1 << k, 0.5) for k in range(q)]
    rounds = [Round(tuple((i, i ^ d, part) for i in range(core))) for d, part in steps]
    if extra:
        fold = Round(tuple((core + i, i, 1.0) for i in range(extra)))
        unfold = Round(tuple((i, core + i, 1.0) for i in range(extra)))
        rounds = [fold, *rounds, unfold]
    return rounds


def _tree_all_reduce(e: int) -> list[Round]:
    """Reduce up both trees (half the data each), then broadcast down."""
    edges = _in_order_tree(e)
    index = {child: k for k, (child, _) in enumerate(edges)}
    parent = dict(edges)
    chains = []
    for leaf in set(range(e)) - set(parent.values()):
        chain, node = [], leaf
        while node in parent:
            chain.append(index[node])
            node = parent[node]
        chains.append(chain)
    up: list[Flow] = []
    all_chains = []
    for shift in (0, 1):
        offset = len(up)
        up.extend(((c + shift) % e, (p + shift) % e, 0.5) for c, p in edges)
        all_chains.extend(tuple(offset + k for k in chain) for chain in chains)
    down = tuple((d, s, part) for s, d, part in up)
    return [Round(tuple(up), tuple(all_chains)), Round(down, tuple(all_chains))]


def _in_order_tree(e: int) -> list[tuple[int, int]]:
    """(child, parent) edges of NCCL's in-order binary tree on ranks 0 .. e-1.

    Rank r sits at position x = r + 1; with b the lowest set bit of x, its parent is
    x - b when bit 2b of x is set and x + b otherwise (climbing past positions beyond
    e). Odd positions (even ranks) are the leaves, so the tree shifted by one rank has
    its leaves where this one has its inner nodes (Sanders et al.'s two-tree scheme).
    """
    root = 1 << (e.bit_length() - 1)
    edges = []
    for x in range(1, e + 1):
        if x == root:
            continue
        y, b = x, x & -x
        while True:
            y = y - b if y & (2 * b) else y + b
            if y <= e:
                break
            b *= 2
        edges.append((x - 1, y - 1))
    return edges


def _tree_depth(e: int) -> int:
    return max(1, e.bit_length() - 1) if e > 1 else 0


# ---------------------------------------------------------------- routing on a topology


def _check_shape(npus: int, extent: int, stride: int) -> None:
    if extent < 1 or stride < 1 or npus % (extent * stride):
        raise ValueError(
            f"a group of {extent} ranks {stride} apart does not fit a dimension of {npus}"
        )


def _group_bases(npus: int, extent: int, stride: int) -> list[int]:
    """Physical position of rank 0 of every group of this shape in the dimension."""
    span = extent * stride
    return [block * span + offset for block in range(npus // span) for offset in range(stride)]


def _link_count(topology: str, npus: int) -> int:
    if topology == "Ring":
        return 2 * npus
    if topology == "Switch":
        return 2 * npus  # an up and a down link per NPU
    return npus * (npus - 1)


def _route_round(
    round_: Round, topology: str, npus: int, bases: list[int], stride: int
) -> tuple[float, float, float]:
    """(critical-path hops, busiest link load, total link-bytes) of one round, with
    every group of the shape sending its flows at once (loads per byte of data)."""
    loads: dict[tuple, float] = defaultdict(float)
    link_bytes = 0.0
    flow_hops = [0.0] * len(round_.flows)
    for base in bases:
        for k, (source, destination, part) in enumerate(round_.flows):
            a, b = base + source * stride, base + destination * stride
            hops = _add_path(loads, topology, npus, a, b, part)
            link_bytes += hops * part
            flow_hops[k] = max(flow_hops[k], hops)
    if round_.chains:
        critical = max(sum(flow_hops[k] for k in chain) for chain in round_.chains)
    else:
        critical = max(flow_hops)
    return critical, max(loads.values()), link_bytes


def _add_path(loads: dict, topology: str, npus: int, a: int, b: int, part: float) -> float:
    """Add ``part`` bytes to the links from ``a`` to ``b``; return the hop count."""
    if topology == "Switch":
        loads[("up", a)] += part
        loads[("down", b)] += part
        return 2.0
    if topology == "FullyConnected":
        loads[(a, b)] += part
        return 1.0
    clockwise = (b - a) % npus
    anticlockwise = npus - clockwise
    if clockwise <= anticlockwise and clockwise == 1:  # a neighbour: the ring's direction
        _walk(loads, npus, a, 1, 1, part)
        return 1.0
    if clockwise < anticlockwise:
        _walk(loads, npus, a, clockwise, 1, part)
        return float(clockwise)
    if anticlockwise < clockwise:
        _walk(loads, npus, a, anticlockwise, -1, part)
        return float(anticlockwise)
    _walk(loads, npus, a, clockwise, 1, part / 2)
    _walk(loads, npus, a, anticlockwise, -1, part / 2)
    return float(clockwise)


def _walk(loads: dict, npus: int, start: int, hops: int, direction: int, part: float) -> None:
    node = start
    for _ in range(hops):
        loads[(direction, node)] += part
        node = (node + direction) % npus
