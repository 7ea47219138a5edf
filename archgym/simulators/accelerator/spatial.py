"""Spatial unrollings the mapper tries: the best-utilised ones the array and dataflow allow.

Each array dimension unrolls one loop dimension or two (factors up to the dimension's
size, the loop's bound and the innermost memories' bandwidth); a factor need not divide
its loop (the last iteration is then partly idle). Candidates are ranked by the fraction
of MACs doing useful work (padding counted), then by ZigZag's diversity indicator (the
same loop spread over several dimensions strains one memory), and the best ``keep`` are
returned. The bandwidth and capacity limits are ZigZag's (its spatial mapping generator):
a memory spanning array dimensions can send at most ``bandwidth / precision`` distinct
elements of an operand across them, and hold at most ``capacity / precision``.
"""

from __future__ import annotations

import heapq
import itertools
import math
from functools import lru_cache

from archgym.simulators.accelerator.architecture import OUTPUTS, Architecture
from archgym.simulators.accelerator.kernel import RELEVANCE
from archgym.simulators.accelerator.workload import DIMS, Layer

Spatial = tuple[tuple[tuple[str, int], ...], ...]
#: Combinations of per-dimension options the enumeration may visit (bounds its work).
MAX_COMBINATIONS = 4096


def divisors(n: int) -> list[int]:
    """The divisors of ``n`` in ascending order (trial division up to its square root)."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def _factors(bound: int, limit: int) -> list[int]:
    """Unrolling factors of a loop of ``bound`` on ``limit`` PEs, largest first: the divisors
    of min(bound, limit) (ZigZag's) and the divisors of the bound that fit."""
    top = min(bound, limit)
    out = set(divisors(top)) | {d for d in range(2, top + 1) if bound % d == 0}
    return sorted((f for f in out if f > 1), reverse=True)


def inner_limits(layer: Layer, arch: Architecture) -> list[dict[str, int]]:
    """Largest unrolling of each loop dim on each array dimension: the dimension's size,
    the bound, and the bandwidth of the innermost memories spanning it (ZigZag's rule)."""
    limits = [
        {d: min(b, size) for d, b in zip(DIMS, layer.dims, strict=True)} for size in arch.array
    ]
    for index, level in enumerate(arch.levels):
        if not level.served_dims or not _is_inner(arch, index):
            continue
        for op in level.operands:
            port = level.port_for(op, "fl" if op == OUTPUTS else "tl")
            if port is None or math.isinf(port.bandwidth_bits):
                continue
            elements = int(port.bandwidth_bits // _precision(arch, op))
            for d in level.served_dims:
                for j, dim in enumerate(DIMS):
                    if RELEVANCE[op, j] != 0:
                        limits[d][dim] = min(limits[d][dim], max(1, elements))
    return limits


def _is_inner(arch: Architecture, index: int) -> bool:
    return all(arch.chains[op][0] == index for op in arch.levels[index].operands)


def _precision(arch: Architecture, op: int) -> int:
    return arch.precision[2] if op == OUTPUTS else arch.precision[op]


def _fits_inner_capacity(arch: Architecture, spatial: Spatial) -> bool:
    for index, level in enumerate(arch.levels):
        if not level.served_dims or not _is_inner(arch, index):
            continue
        for op in level.operands:
            total = 1
            for d in level.served_dims:
                total *= math.prod(
                    f for dim, f in spatial[d] if RELEVANCE[op, DIMS.index(dim)] != 0
                )
            if total > level.capacity_bits / _precision(arch, op):
                return False
    return True


def _dim_options(
    bounds: dict[str, int], allowed: frozenset[str], limits: dict[str, int], size: int, keep: int
) -> list[tuple[tuple[str, int], ...]]:
    loops = [d for d in DIMS if d in allowed and bounds[d] > 1 and limits[d] > 1]
    options: set[tuple[tuple[str, int], ...]] = set()
    factors = {d: _factors(bounds[d], limits[d]) for d in loops}
    for d in loops:
        for f in factors[d]:
            options.add(((d, f),))
    for i, d1 in enumerate(loops):
        for d2 in loops[i + 1 :]:
            for f1 in factors[d1]:
                fit = [f2 for f2 in factors[d2] if f1 * f2 <= size]
                if fit:
                    options.add(((d1, f1), (d2, fit[0])))
    ranked = sorted(options, key=lambda o: (-math.prod(f for _, f in o), o))
    return [*ranked[:keep], ()]


@lru_cache(maxsize=4096)
def _candidates_cached(
    shape: tuple[int, ...], arch: Architecture, keep: int
) -> tuple[Spatial, ...]:
    layer = Layer("shape", *shape[:8], *shape[8:])
    bounds = dict(zip(DIMS, layer.dims, strict=True))
    limits = inner_limits(layer, arch)
    per_dim_keep = max(3, int(MAX_COMBINATIONS ** (1 / len(arch.array))))
    per_dim = [
        _dim_options(bounds, arch.allowed_spatial(d), limits[d], size, per_dim_keep)
        for d, size in enumerate(arch.array)
    ]
    n_pes = arch.n_pes
    scored: list[tuple[float, float, Spatial]] = []
    best: list[float] = []  # min-heap of the keep best utilisations: a bound for pruning

    def visit(d: int, chosen: list, totals: dict[str, int], bound: float) -> None:
        if len(best) >= keep and bound < best[0] - 1e-12:
            return
        if d == len(per_dim):
            spatial = tuple(chosen)
            if not _fits_inner_capacity(arch, spatial):
                return
            useful = math.prod(bounds[j] / math.ceil(bounds[j] / f) for j, f in totals.items())
            requested = math.prod(totals.values()) if totals else 1
            diversity = requested / max(totals.values(), default=1) - 1
            scored.append((-useful / n_pes, -diversity, spatial))
            if len(best) < keep:
                heapq.heappush(best, useful / n_pes)
            elif useful / n_pes > best[0]:
                heapq.heapreplace(best, useful / n_pes)
            return
        size = arch.array[d]
        for option in per_dim[d]:
            new = dict(totals)
            ok = True
            for dim, f in option:
                new[dim] = new.get(dim, 1) * f
                if new[dim] > bounds[dim]:
                    ok = False
            if ok:
                used = math.prod(f for _, f in option)
                visit(d + 1, [*chosen, option], new, bound * used / size)

    visit(0, [], {}, 1.0)
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    return tuple(s[2] for s in scored[:keep])


@lru_cache(maxsize=4096)
def _zigzag_style_cached(
    shape: tuple[int, ...], arch: Architecture, keep: int
) -> tuple[Spatial, ...]:
    """ZigZag's own candidates: one loop per array dimension, factors dividing the largest
    allowed unrolling, ranked by its performance indicator (PEs used plus diversity)."""
    layer = Layer("shape", *shape[:8], *shape[8:])
    bounds = dict(zip(DIMS, layer.dims, strict=True))
    limits = inner_limits(layer, arch)
    per_dim = []
    for d in range(len(arch.array)):
        options = [()]
        for dim in DIMS:
            if dim in arch.allowed_spatial(d) and limits[d][dim] > 1:
                options += [((dim, f),) for f in divisors(limits[d][dim]) if f > 1]
        per_dim.append(options)
    scored = []
    for combo in itertools.product(*per_dim):
        totals: dict[str, int] = {}
        for option in combo:
            for dim, f in option:
                totals[dim] = totals.get(dim, 1) * f
        if any(f > bounds[dim] for dim, f in totals.items()) or not _fits_inner_capacity(
            arch, combo
        ):
            continue
        used = math.prod(totals.values()) if totals else 1
        indicator = used + used / max(totals.values(), default=1) - 1
        scored.append((-indicator, combo))
        if len(scored) > 50000:  # bounds the work on very wide arrays
            break
    scored.sort(key=lambda s: s[0])
    return tuple(s[1] for s in scored[:keep])


def spatial_candidates(layer: Layer, arch: Architecture, keep: int = 12) -> list[Spatial]:
    """Spatial unrollings of ``layer`` on ``arch`` worth searching, best first: ZigZag's
    top few (one loop per array dimension, by its performance indicator), then the
    best-utilised of all (two loops per dimension allowed), ``keep`` in all. Each is a
    tuple per array dimension of ``(loop dim, factor)`` pairs."""
    key = layer.shape_key()
    classes = symmetric_dims(arch)
    out: list[Spatial] = []
    for pool, limit in (
        (_zigzag_style_cached(key, arch, 2 * keep), max(1, keep // 3)),
        (_candidates_cached(key, arch, 3 * keep), keep),
    ):
        for spatial in pool:
            spatial = canonical(spatial, classes)
            if len(out) >= limit:
                break
            if spatial not in out:
                out.append(spatial)
    return out


def symmetric_dims(arch: Architecture) -> tuple[tuple[int, ...], ...]:
    """Classes of interchangeable array dimensions: same size, dataflow, systolic role and
    the same memories spanning them (swapping their loops changes no cost)."""
    classes: list[list[int]] = []
    for d in range(len(arch.array)):
        signature = _signature(arch, d)
        for cls in classes:
            if _signature(arch, cls[0]) == signature:
                cls.append(d)
                break
        else:
            classes.append([d])
    return tuple(tuple(c) for c in classes)


def _signature(arch: Architecture, d: int) -> tuple:
    return (
        arch.array[d],
        arch.allowed_spatial(d),
        d in arch.systolic_dims,
        tuple(d in level.served_dims for level in arch.levels),
    )


def canonical(spatial: Spatial, classes: tuple[tuple[int, ...], ...]) -> Spatial:
    """``spatial`` with the loops of interchangeable dimensions sorted (one representative)."""
    out = list(spatial)
    for cls in classes:
        if len(cls) > 1:
            for d, loops in zip(cls, sorted(spatial[d] for d in cls), strict=True):
                out[d] = loops
    return tuple(out)
