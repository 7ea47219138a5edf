"""Mapper: spatial unrollings x loop orders x greedy allocation, searched in compiled code.

For one layer on one architecture:

1. the best-utilised spatial unrollings (:func:`.spatial.spatial_candidates`, or one
   given unrolling);
2. for each, the temporal loops left over, split into loop prime factors and, like
   ZigZag's LOMA, merged (the smallest factors of the most split loop first) down to at
   most ``lpf_limit`` factors;
3. loop orders of those factors, each allocated to the memories bottom-up as ZigZag's
   LOMA allocator does (:func:`.search_kernel.allocate`) and costed by the model.

The budget (orders evaluated per layer) is spent in three thirds: a first round shared
by every spatial candidate, a second on the three best of them (each round tries every
distinct order when they fit its share, else a seeded random sample of half of it and a
hill climb over swaps of two loops from the best), and a refinement of the three best
unrollings: their best orders with the factors split finer (up to ``lpf_limit`` + 4),
climbed from. Deterministic for a given seed.
Loop dimensions above :data:`MAX_DIM` are rejected (a WorkloadError) so the mapper's
work stays bounded; a 10^9-sized loop maps in well under a second.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from archgym.errors import ConfigError, InvalidDesignError, WorkloadError
from archgym.simulators.accelerator import search_kernel
from archgym.simulators.accelerator.architecture import Architecture
from archgym.simulators.accelerator.kernel import MAX_CHAIN, MAX_LOOPS
from archgym.simulators.accelerator.loopnest import LoopNest
from archgym.simulators.accelerator.model import (
    LayerResult,
    arch_arrays,
    effective_unrolling,
    evaluate_arrays,
    layer_array,
    nest_arrays,
    spatial_arrays,
)
from archgym.simulators.accelerator.spatial import Spatial, spatial_candidates
from archgym.simulators.accelerator.workload import DIMS, Layer, Network, as_network

logger = logging.getLogger(__name__)

OBJECTIVES = ("energy", "delay", "edp")
_OBJECTIVE_CODES = {
    "energy": search_kernel.OBJ_ENERGY,
    "delay": search_kernel.OBJ_DELAY,
    "latency": search_kernel.OBJ_DELAY,
    "edp": search_kernel.OBJ_EDP,
}
#: Largest loop dimension the mapper accepts: factorising it stays below a second.
MAX_DIM = 2**40
#: Spatial candidates of the first round and candidates kept for the second.
SPATIAL_CANDIDATES = 12
FINALISTS = 3
#: Loop factors the refinement may add beyond ``lpf_limit``.
REFINE_EXTRA = 4


@dataclass(frozen=True)
class MapperResult:
    """Best mapping found for one layer, its cost, and how many orders were tried."""

    mapping: LoopNest
    result: LayerResult
    evaluated: int
    valid: int


@dataclass(frozen=True)
class NetworkResult:
    """Sum of per-layer best costs over a network (cycles add: layers run in sequence)."""

    network: str
    energy_pj: float
    cycles: float
    area_mm2: float
    macs: int
    layers: tuple[MapperResult, ...]
    n_pes: int = 1

    @property
    def edp(self) -> float:
        """Energy-delay product, pJ x cycles."""
        return self.energy_pj * self.cycles

    @property
    def utilisation(self) -> float:
        """MACs per PE per cycle over the whole network."""
        return self.macs / max(self.cycles, 1.0) / self.n_pes


# ---------------------------------------------------------------- loop prime factors


def prime_factors(n: int) -> Counter:
    """Prime factorisation of ``n`` (trial division) as {prime: multiplicity}."""
    out: Counter = Counter()
    p = 2
    while p * p <= n:
        while n % p == 0:
            out[p] += 1
            n //= p
        p += 1 if p == 2 else 2
    if n > 1:
        out[n] += 1
    return out


def loop_factors(sizes: dict[str, int], limit: int) -> list[tuple[str, int]]:
    """The temporal loops ``{dim: size}`` as loop prime factors, merged LOMA's way to at
    most ``max(limit, number of loops)`` factors: while too many, the dimension with the
    most factors (first in DIMS order) merges its two smallest (or two equal smallest)."""
    dims = [d for d in DIMS if sizes.get(d, 1) > 1]
    factors = {d: sorted(prime_factors(sizes[d]).elements()) for d in dims}
    limit = max(limit, len(dims))
    total = sum(len(f) for f in factors.values())
    while total > limit:
        most = max(dims, key=lambda d: len(factors[d]))  # first of the largest, DIMS order
        fs = factors[most]
        fs[:2] = [fs[0] * fs[1]]
        fs.sort()
        total -= 1
    return [(d, f) for d in dims for f in factors[d]]


def split_factors(
    order: list[tuple[str, int]], limit: int
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Split the factors of a loop order into primes, merged back (within each original
    factor, the group with most pieces first) down to at most ``limit`` factors. Returns
    the new factors sorted by (dim, size) and the order with each factor replaced by its
    pieces in place (the same loop nest, now with finer loops)."""
    groups = [sorted(prime_factors(size).elements()) or [1] for _, size in order]
    total = sum(len(g) for g in groups)
    while total > max(limit, len(order)):
        g = max(range(len(groups)), key=lambda i: len(groups[i]))
        groups[g][:2] = [groups[g][0] * groups[g][1]]
        groups[g].sort()
        total -= 1
    fine_order = [(dim, f) for (dim, _), group in zip(order, groups, strict=True) for f in group]
    return sorted(fine_order, key=lambda f: (DIMS.index(f[0]), f[1])), fine_order


def order_count(factors: list[tuple[str, int]]) -> int:
    """Distinct loop orders of ``factors`` (equal factors of one dim are interchangeable)."""
    count = math.factorial(len(factors))
    for multiplicity in Counter(factors).values():
        count //= math.factorial(multiplicity)
    return count


def temporal_sizes(
    layer: Layer, spatial: Spatial, arch: Architecture | None = None
) -> dict[str, int]:
    """What the spatial unrolling leaves of each loop: ceil(bound / spatial factor).

    Under the ZigZag convention (``arch`` given) as ZigZag computes it: the loop divided
    in floating point by each fractional unrolling factor in turn (array dimensions in the
    order the weights' levels span them), rounded up each time; a non-dividing factor can
    then leave one iteration more than the exact ceiling, and ZigZag only accepts loop
    orders of its own sizes.
    """
    if arch is None or arch.convention != "zigzag":
        out = {}
        for dim, bound in zip(DIMS, layer.dims, strict=True):
            f = math.prod(x for loops in spatial for d, x in loops if d == dim)
            out[dim] = math.ceil(bound / f)
        return out
    frac, _ = effective_unrolling(layer, arch, spatial)
    attach = arch_arrays(arch).attach[0]
    sizes: dict[str, float] = dict(zip(DIMS, map(float, layer.dims), strict=True))
    for d in sorted(range(len(arch.array)), key=lambda d: (attach[d], d)):
        for dim, _ in spatial[d]:
            if dim not in sizes:
                continue  # ZigZag drops a loop the unrolling already covers
            q = math.ceil(sizes[dim] / frac[d, DIMS.index(dim)])
            if q == 1:
                del sizes[dim]
            else:
                sizes[dim] = q
    return {dim: int(sizes.get(dim, 1)) for dim in DIMS}


# ---------------------------------------------------------------- the search


@dataclass
class _Run:
    """One round of search on one spatial unrolling and what it found."""

    spatial: Spatial
    factors: list[tuple[str, int]]
    exhaustive_at_finest: bool = False
    score: tuple[float, float] = (math.inf, math.inf)
    order: np.ndarray | None = None
    cuts: np.ndarray | None = None
    evaluated: int = 0
    valid: int = 0


def _check_layer(layer: Layer) -> None:
    for dim, bound in zip(DIMS, layer.dims, strict=True):
        if bound > MAX_DIM:
            raise WorkloadError(
                f"layer {layer.name!r}: {dim}={bound} exceeds the mapper's largest loop "
                f"dimension {MAX_DIM} (2^40); split the layer"
            )


def search(
    layer: Layer,
    arch: Architecture,
    *,
    budget: int = 2000,
    objective: str = "edp",
    seed: int = 0,
    lpf_limit: int = 6,
    spatial: Spatial | None = None,
) -> MapperResult:
    """Best mapping of ``layer`` on ``arch`` within ``budget`` evaluated loop orders.

    ``objective``: "energy", "delay" (cycles; "latency" is an alias) or "edp"; ties go to
    the fewer cycles (the less energy for "delay"). ``spatial`` fixes the unrolling (one
    tuple of ``(dim, factor)`` per array dimension) instead of searching it. Raises
    ConfigError for a bad objective, budget or limit, WorkloadError for a dimension above
    :data:`MAX_DIM`, InvalidDesignError when no mapping fits (with the reason).
    """
    if objective not in _OBJECTIVE_CODES:
        raise ConfigError(f"mapper objective {objective!r} not in {OBJECTIVES}")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 16:
        raise ConfigError(f"mapper budget must be an int of at least 16, got {budget!r}")
    if isinstance(lpf_limit, bool) or not isinstance(lpf_limit, int) or lpf_limit < 1:
        raise ConfigError(f"lpf_limit must be a positive int, got {lpf_limit!r}")
    _check_layer(layer)
    if spatial is not None:
        candidates = [tuple(tuple(loops) for loops in spatial)]
        LoopNest(candidates[0], (), ((0,),) * 3)  # validates dims and factors
    else:
        candidates = spatial_candidates(layer, arch, SPATIAL_CANDIDATES)
    if not candidates:
        candidates = [tuple(() for _ in arch.array)]
    code = _OBJECTIVE_CODES[objective]
    share = budget if len(candidates) == 1 else max(16, budget // (3 * len(candidates)))
    runs = [
        _explore(layer, arch, c, share, lpf_limit, code, seed + i) for i, c in enumerate(candidates)
    ]
    spent = sum(r.evaluated for r in runs)
    ranked = sorted((r for r in runs if r.order is not None), key=lambda r: r.score)
    finalists = [r for r in ranked[:FINALISTS] if not r.exhaustive_at_finest]
    for i, run in enumerate(finalists):
        share = (2 * budget // 3 - spent) // (len(finalists) - i)
        if share < 16:
            break
        refined = _explore(layer, arch, run.spatial, share, lpf_limit, code, seed + 1000 + i)
        spent += refined.evaluated
        runs.append(refined)
    # refinement: split the best orders' factors further and climb from them
    ranked = sorted((r for r in runs if r.order is not None), key=lambda r: r.score)
    seen: set = set()
    refine = []
    for run in ranked:
        if run.spatial not in seen:
            seen.add(run.spatial)
            refine.append(run)
    refine = refine[:FINALISTS]
    for i, run in enumerate(refine):
        share = (budget - spent) // (len(refine) - i)
        if share < 16:
            break
        order = [run.factors[int(k)] for k in run.order[: len(run.factors)]]
        fine, fine_order = split_factors(order, lpf_limit + REFINE_EXTRA)
        if len(fine) == len(order):
            continue
        refined = _explore(
            layer, arch, run.spatial, share, lpf_limit, code, seed + 2000 + i, fine, fine_order
        )
        spent += refined.evaluated
        runs.append(refined)
    evaluated = sum(r.evaluated for r in runs)
    valid = sum(r.valid for r in runs)
    best = min((r for r in runs if r.order is not None), key=lambda r: r.score, default=None)
    if best is None:
        raise InvalidDesignError(
            f"layer {layer.name!r} on {arch.name}: no mapping fits; "
            f"{_why_nothing_fits(layer, arch, candidates[0])}"
        )
    nest = LoopNest(
        best.spatial,
        tuple(best.factors[int(k)] for k in best.order[: len(best.factors)]),
        tuple(tuple(int(c) for c in best.cuts[op, : len(arch.chains[op])]) for op in range(3)),
    )
    result = evaluate_arrays(
        layer, arch, spatial_arrays(layer, arch, nest.spatial), *nest_arrays(nest), mapping=nest
    )
    logger.debug(
        "mapped %s on %s: %d/%d feasible orders, %.4g pJ, %.0f cycles",
        layer.name,
        arch.name,
        valid,
        evaluated,
        result.energy_pj,
        result.cycles,
    )
    return MapperResult(nest, result, evaluated, valid)


def _explore(
    layer: Layer,
    arch: Architecture,
    spatial: Spatial,
    share: int,
    lpf_limit: int,
    objective: int,
    seed: int,
    factors: list[tuple[str, int]] | None = None,
    init: list[tuple[str, int]] | None = None,
) -> _Run:
    """Search one spatial unrolling within ``share`` loop orders of its loop factors (at
    most ``lpf_limit``, or ``factors``): every distinct order when they fit the share,
    else ``init`` (an order of those factors), a seeded random sample and a hill climb."""
    sizes = temporal_sizes(layer, spatial, arch)
    chosen = factors if factors is not None else loop_factors(sizes, lpf_limit)
    exhaustive = order_count(chosen) <= share and init is None
    if len(chosen) > MAX_LOOPS:
        raise InvalidDesignError(
            f"layer {layer.name!r}: {len(chosen)} temporal loop factors, at most {MAX_LOOPS}"
        )
    chosen = sorted(chosen, key=lambda f: (DIMS.index(f[0]), f[1]))
    run = _Run(spatial, chosen, exhaustive)
    n_keys = len(chosen)
    key_dim = np.array([DIMS.index(d) for d, _ in chosen] or [0], dtype=np.int64)
    key_size = np.array([s for _, s in chosen] or [1], dtype=np.float64)
    a = arch_arrays(arch)
    sp = spatial_arrays(layer, arch, spatial)
    best_order = np.zeros(max(1, n_keys), dtype=np.int64)
    best_cuts = np.zeros((3, MAX_CHAIN), dtype=np.int64)
    init_order = np.full(max(1, n_keys), -1, dtype=np.int64)
    if init is not None:
        init_order[:n_keys] = [chosen.index(f) for f in init]  # the kernel's key codes
    n_orders = order_count(chosen) if exhaustive else share
    evaluated, feasible, s1, s2 = search_kernel.search_orders(
        key_dim,
        key_size,
        n_keys,
        exhaustive,
        n_orders,
        seed,
        objective,
        layer_array(layer, arch.convention == "zigzag"),
        a.kernel_tuple(layer),
        sp.kernel_tuple(),
        init_order,
        best_order,
        best_cuts,
    )
    run.evaluated, run.valid = int(evaluated), int(feasible)
    if feasible:
        run.score = (float(s1), float(s2))
        run.order, run.cuts = best_order, best_cuts
    return run


def _why_nothing_fits(layer: Layer, arch: Architecture, spatial: Spatial) -> str:
    """The violation of the simplest mapping: every temporal loop in the outermost level."""
    sizes = temporal_sizes(layer, spatial, arch)
    temporal = tuple((d, s) for d, s in sizes.items() if s > 1)
    cuts = tuple(tuple([0] * (len(c) - 1) + [len(temporal)]) for c in arch.chains)
    nest = LoopNest(spatial, temporal, cuts)
    try:
        evaluate_arrays(layer, arch, spatial_arrays(layer, arch, spatial), *nest_arrays(nest))
    except InvalidDesignError as exc:
        reason = str(exc).split(": ", 1)[-1]
        return f"even the mapping with every loop in the outermost level fails: {reason}"
    return "the spatial unrollings leave no tile that fits"


def search_network(
    network: Network | Layer,
    arch: Architecture,
    *,
    budget: int = 2000,
    objective: str = "edp",
    seed: int = 0,
    lpf_limit: int = 6,
) -> NetworkResult:
    """Search every distinct layer shape once and sum energy and cycles over the network.

    Raises InvalidDesignError (naming the layer) when some layer has no feasible mapping.
    """
    network = as_network(network)
    cache: dict[tuple[int, ...], MapperResult] = {}
    per_layer = []
    for layer in network.layers:
        key = layer.shape_key()
        if key not in cache:
            cache[key] = search(
                layer, arch, budget=budget, objective=objective, seed=seed, lpf_limit=lpf_limit
            )
        per_layer.append(cache[key])
    energy = sum(r.result.energy_pj for r in per_layer)
    cycles = sum(r.result.cycles for r in per_layer)
    return NetworkResult(
        network=network.name,
        energy_pj=float(energy),
        cycles=float(cycles),
        area_mm2=arch.area,
        macs=network.macs,
        layers=tuple(per_layer),
        n_pes=arch.n_pes,
    )
