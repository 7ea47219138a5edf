"""Mapper: a random-pruned search over mappings of one layer, vectorised (numpy + numba).

The space per layer: for each loop dimension, every ordered factorisation of its bound
into the five slots (pe, x, y, glb, dram) that respects the architecture's spatial
constraints and mesh size (pruned before sampling), times the loop orders of the global
buffer and DRAM. The mapper draws a batch uniformly, evaluates it in one kernel call,
then spends the rest of its budget mutating the best candidates (one dimension's
factorisation or two loop positions per mutation). Deterministic for a given seed.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulators.accelerator.architecture import Architecture
from archgym.simulators.accelerator.kernel import OK, RELEVANT, UNCOVERED, repair_batch
from archgym.simulators.accelerator.mapping import Mapping
from archgym.simulators.accelerator.model import (
    LayerResult,
    _result,
    _violation,
    arch_arrays,
    layer_array,
    run_kernel,
)
from archgym.simulators.accelerator.workload import DIMS, Layer, Network, as_network

logger = logging.getLogger(__name__)

OBJECTIVES = ("energy", "delay", "edp")


@dataclass(frozen=True)
class MapperResult:
    """Best mapping found for one layer, its cost, and how many candidates were tried."""

    mapping: Mapping
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

    @property
    def edp(self) -> float:
        """Energy-delay product, pJ x cycles."""
        return self.energy_pj * self.cycles

    @property
    def utilisation(self) -> float:
        """MACs per PE per cycle over the whole network."""
        return self.macs / max(self.cycles, 1.0) / self.n_pes

    n_pes: int = 1


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


@lru_cache(maxsize=2048)
def factor_table(bound: int, max_x: int, max_y: int) -> np.ndarray:
    """Every ordered factorisation of ``bound`` into (pe, x, y, glb, dram) with x <= max_x and
    y <= max_y, as an int64 array (n, 5)."""
    rows: list[tuple[int, ...]] = []
    for x in _divisors(bound):
        if x > max_x:
            break
        for y in _divisors(bound // x):
            if y > max_y:
                break
            rest = bound // (x * y)
            for pe in _divisors(rest):
                rest2 = rest // pe
                for glb in _divisors(rest2):
                    rows.append((pe, x, y, glb, rest2 // glb))
    return np.array(rows, dtype=np.int64)


def _tables(layer: Layer, arch: Architecture) -> list[np.ndarray]:
    tables = []
    for d, bound in zip(DIMS, layer.dims, strict=True):
        max_x = arch.pe_x if d in arch.spatial_x else 1
        max_y = arch.pe_y if d in arch.spatial_y else 1
        tables.append(factor_table(bound, max_x, max_y))
    return tables


def _score(objective: str, energy: np.ndarray, cycles: np.ndarray) -> np.ndarray:
    if objective == "energy":
        return energy + 1e-9 * cycles
    if objective == "delay":
        return cycles + 1e-12 * energy
    return energy * cycles


def search(
    layer: Layer,
    arch: Architecture,
    *,
    budget: int = 2000,
    objective: str = "edp",
    seed: int = 0,
    elite: int = 32,
) -> MapperResult:
    """Best mapping of ``layer`` on ``arch`` found within ``budget`` evaluated candidates.

    ``objective`` is "energy", "delay" (cycles) or "edp". Raises ConfigError for a bad
    objective or budget and InvalidDesignError when no candidate fits the buffers (the
    message gives the most common violation).
    """
    if objective not in OBJECTIVES:
        raise ConfigError(f"mapper objective {objective!r} not in {OBJECTIVES}")
    if budget < 16:
        raise ConfigError(f"mapper budget must be at least 16, got {budget}")
    rng = np.random.default_rng(seed)
    tables = _tables(layer, arch)
    sizes = np.array([len(t) for t in tables])
    allowed = np.ones((8, 5), dtype=bool)
    for d, name in enumerate(DIMS):
        allowed[d, 1] = name in arch.spatial_x
        allowed[d, 2] = name in arch.spatial_y
    spf = _smallest_prime_factors(max(layer.dims))
    first = max(8, int(budget * 0.4))
    # half the first draw: the spatial unrollings that use the most PEs (enumerated),
    # each with random temporal splits
    choices = spatial_choices(
        layer.dims, tuple(allowed[:, 1]), tuple(allowed[:, 2]), arch.pe_x, arch.pe_y
    )
    greedy = _greedy_seeds(layer, choices)[: first // 4]
    seeded = np.concatenate(
        [greedy, _sample_with_spatial(rng, tables, choices, first // 2 - len(greedy))]
    )
    # other half, pruned: draw 4x uniformly, keep those that use the most PEs
    n_rand = first - len(seeded)
    idx = rng.integers(0, sizes, size=(4 * n_rand, 8))
    factors = _factors(tables, idx)
    sx = factors[:, :, 1].prod(axis=1)
    sy = factors[:, :, 2].prod(axis=1)
    used = np.where((sx <= arch.pe_x) & (sy <= arch.pe_y), sx * sy, 0)
    order = np.lexsort((rng.random(len(used)), -used))[:n_rand]
    factors = np.concatenate([factors[order], seeded])
    # candidate 0: everything temporal at DRAM (fits whenever the spads hold one word)
    factors[0] = _factors(tables, np.array([[_trivial_index(t) for t in tables]]))[0]
    go = _random_orders(rng, first)
    do = _random_orders(rng, first)
    init = (factors, go, do)
    pool, n_ok, failures = _evaluate(layer, arch, factors, go, do, objective, elite)
    evaluated, valid = first, n_ok
    remaining = budget - first
    step = max(32, min(256, budget // 16))
    while remaining > 0 and pool is not None:
        n = min(remaining, step)
        parents = rng.integers(0, len(pool[0]), size=n)
        factors = pool[0][parents].copy()
        go = pool[1][parents].copy()
        do = pool[2][parents].copy()
        _mutate(rng, factors, go, do, tables, sizes, allowed, spf)
        # a quarter of every round are fresh draws from the pruned initial pool
        fresh = rng.random(n) < 0.25
        pick = rng.integers(0, len(init[0]), size=int(fresh.sum()))
        factors[fresh], go[fresh], do[fresh] = init[0][pick], init[1][pick], init[2][pick]
        cand, n_ok, _ = _evaluate(layer, arch, factors, go, do, objective, elite)
        evaluated += n
        valid += n_ok
        remaining -= n
        if cand is not None:
            merged = [np.concatenate([a, b]) for a, b in zip(pool, cand, strict=True)]
            keep = np.argsort(merged[3], kind="stable")[:elite]
            pool = tuple(a[keep] for a in merged)
    if pool is None:
        worst = max(failures, key=failures.get) if failures else (UNCOVERED, 0)
        raise InvalidDesignError(
            f"layer {layer.name!r} on {arch.name}: no mapping fits; most candidates failed "
            f"because {_violation(arch, worst[0], worst[1])}"
        )
    best_f, best_go, best_do = pool[0][:1], pool[1][:1], pool[2][:1]
    mapping = Mapping(
        tuple(tuple(int(v) for v in row) for row in best_f[0]),
        "".join(DIMS[i] for i in best_go[0]),
        "".join(DIMS[i] for i in best_do[0]),
    )
    out = run_kernel(layer, arch, best_f, best_go, best_do)
    energy, cycles, comp, _status, _over, bound, used, counts = out
    result = _result(
        layer, arch, mapping, energy[0], cycles[0], comp[0], bound[0], used[0], counts[0]
    )
    logger.debug(
        "mapped %s on %s: %d/%d valid, %.3g pJ, %.0f cycles",
        layer.name,
        arch.name,
        valid,
        evaluated,
        result.energy_pj,
        result.cycles,
    )
    return MapperResult(mapping, result, evaluated, int(valid))


def _enumerate_spatial(bounds, allowed, limit) -> list[tuple[int, ...]]:
    """Every assignment of divisors to the allowed dims with product <= limit."""
    out: list[tuple[int, ...]] = []

    def rec(d: int, room: int, acc: list[int]) -> None:
        if d == len(bounds):
            out.append(tuple(acc))
            return
        if not allowed[d]:
            rec(d + 1, room, [*acc, 1])
            return
        for v in _divisors(bounds[d]):
            if v > room:
                break
            rec(d + 1, room // v, [*acc, v])

    rec(0, limit, [])
    return out


@lru_cache(maxsize=1024)
def spatial_choices(
    bounds: tuple[int, ...],
    allowed_x: tuple[bool, ...],
    allowed_y: tuple[bool, ...],
    pe_x: int,
    pe_y: int,
    keep: int = 64,
) -> np.ndarray:
    """The ``keep`` spatial unrollings (x, y factor per dim, shape (n, 8, 2)) that use the
    most PEs, enumerated exhaustively over the dataflow's dims (largest first)."""
    xs = np.array(_enumerate_spatial(bounds, allowed_x, pe_x), dtype=np.int64)
    ys = np.array(_enumerate_spatial(bounds, allowed_y, pe_y), dtype=np.int64)
    b = np.array(bounds, dtype=np.int64)
    pairs_x = np.repeat(xs, len(ys), axis=0)
    pairs_y = np.tile(ys, (len(xs), 1))
    ok = (b % (pairs_x * pairs_y) == 0).all(axis=1)
    pairs_x, pairs_y = pairs_x[ok], pairs_y[ok]
    used = pairs_x.prod(axis=1) * pairs_y.prod(axis=1)
    order = np.argsort(-used, kind="stable")[:keep]
    return np.stack([pairs_x[order], pairs_y[order]], axis=2)


def _greedy_seeds(layer: Layer, choices: np.ndarray) -> np.ndarray:
    """Per spatial choice, all temporal factors in the PE, then all at the global buffer;
    the repair step then pushes out whatever does not fit (largest inner tiles first)."""
    bounds = np.array(layer.dims, dtype=np.int64)
    n = len(choices)
    out = np.ones((2 * n, 8, 5), dtype=np.int64)
    for half, slot in enumerate((0, 3)):
        block = out[half * n : (half + 1) * n]
        block[:, :, 1] = choices[:, :, 0]
        block[:, :, 2] = choices[:, :, 1]
        block[:, :, slot] = bounds // (choices[:, :, 0] * choices[:, :, 1])
    return out


def _sample_with_spatial(rng, tables, choices, n: int) -> np.ndarray:
    """``n`` candidates cycling through ``choices``; temporal splits drawn at random."""
    picked = choices[np.arange(n) % len(choices)]
    out = np.empty((n, 8, 5), dtype=np.int64)
    for d in range(8):
        table = tables[d]
        keys = table[:, 1] * 1_000_003 + table[:, 2]
        want = picked[:, d, 0] * 1_000_003 + picked[:, d, 1]
        for key in np.unique(want):
            rows = np.nonzero(keys == key)[0]
            sel = np.nonzero(want == key)[0]
            out[sel, d] = table[rows[rng.integers(0, len(rows), size=len(sel))]]
    # bias towards big inner tiles: per dim, 30% all temporal factor in the PE, 20% all of
    # it at the global buffer (reuse grows with the inner tile while it fits)
    u = rng.random((n, 8))
    temporal = out[:, :, 0] * out[:, :, 3] * out[:, :, 4]
    in_pe = u < 0.3
    at_glb = (u >= 0.3) & (u < 0.5)
    out[:, :, 0] = np.where(in_pe, temporal, np.where(at_glb, 1, out[:, :, 0]))
    out[:, :, 3] = np.where(in_pe, 1, np.where(at_glb, temporal, out[:, :, 3]))
    out[:, :, 4] = np.where(in_pe | at_glb, 1, out[:, :, 4])
    return out


def _mutate(rng, factors, go, do, tables, sizes, allowed, spf) -> None:
    """In place, per row: re-draw one dim, move one prime factor between slots, move a
    whole temporal factor between levels, or change a loop order."""
    n = factors.shape[0]
    rows = np.arange(n)
    kind = rng.integers(0, 5, size=n)
    dim = rng.integers(0, 8, size=n)
    # kind 0: re-draw one dimension's factorisation
    m = kind == 0
    for d in np.unique(dim[m]):
        r = rows[m & (dim == d)]
        factors[r, d] = tables[d][rng.integers(0, sizes[d], size=len(r))]
    # kind 1: move the smallest prime factor of one slot to another allowed slot
    m = kind == 1
    r = rows[m]
    d = dim[m]
    src = rng.integers(0, 5, size=len(r))
    dst = rng.integers(0, 5, size=len(r))
    val = factors[r, d, src]
    ok = (val > 1) & (src != dst) & allowed[d, dst]
    r, d, src, dst, val = r[ok], d[ok], src[ok], dst[ok], val[ok]
    p = spf[val]
    factors[r, d, src] = val // p
    factors[r, d, dst] *= p
    # kind 4: move a dim's whole temporal factor between pe, glb and dram
    r = rows[kind == 4]
    d = dim[kind == 4]
    temporal = np.array([0, 3, 4])
    src = temporal[rng.integers(0, 3, size=len(r))]
    dst = temporal[rng.integers(0, 3, size=len(r))]
    moved = factors[r, d, src].copy()
    factors[r, d, src] = 1
    factors[r, d, dst] *= moved
    # kinds 2, 3: swap two loops in the global-buffer or DRAM order, or (a third of the
    # time) redraw that order
    for orders, k in ((go, 2), (do, 3)):
        r = rows[kind == k]
        a = rng.integers(0, 8, size=len(r))
        b = rng.integers(0, 8, size=len(r))
        tmp = orders[r, a].copy()
        orders[r, a] = orders[r, b]
        orders[r, b] = tmp
        redraw = r[rng.random(len(r)) < 1 / 3]
        orders[redraw] = _random_orders(rng, len(redraw))


@lru_cache(maxsize=16)
def _smallest_prime_factors(n: int) -> np.ndarray:
    spf = np.arange(n + 1, dtype=np.int64)
    for i in range(2, math.isqrt(n) + 1):
        if spf[i] == i:
            block = spf[i * i :: i]
            np.minimum(block, i, out=block, where=block == np.arange(i * i, n + 1, i))
    return spf


def _trivial_index(table: np.ndarray) -> int:
    hits = np.nonzero((table[:, :4] == 1).all(axis=1))[0]
    return int(hits[0])


def _random_orders(rng: np.random.Generator, n: int) -> np.ndarray:
    """Loop orders: a third uniformly random, two thirds "stationary" for a random operand
    (its irrelevant dims innermost, so its tile stays put across them)."""
    keys = rng.random((n, 8))
    op = rng.integers(-1, 3, size=n)
    has = op >= 0
    keys[has] += RELEVANT[op[has]]
    return np.argsort(keys, axis=1).astype(np.int64)


def _factors(tables: list[np.ndarray], idx: np.ndarray) -> np.ndarray:
    return np.stack([tables[d][idx[:, d]] for d in range(8)], axis=1)


def _evaluate(layer, arch, factors, go, do, objective, elite):
    """Evaluate a batch; return (the best ``elite`` as (factors, go, do, score)), #valid,
    and a count of (status, overflow) failures when nothing was valid."""
    a = arch_arrays(arch)
    repair_batch(factors, layer_array(layer), a.iparams, a.caps, RELEVANT)
    energy, cycles, _comp, status, over, _bound, _used, _counts = run_kernel(
        layer, arch, factors, go, do
    )
    ok = status == OK
    n_ok = int(ok.sum())
    if n_ok == 0:
        failures: dict[tuple[int, int], int] = {}
        for s, o in zip(status[:256], over[:256], strict=True):
            key = (int(s), int(o))
            failures[key] = failures.get(key, 0) + 1
        return None, 0, failures
    score = np.where(ok, _score(objective, energy.sum(axis=1), cycles), np.inf)
    keep = np.argsort(score, kind="stable")[: min(elite, n_ok)]
    return (factors[keep], go[keep], do[keep], score[keep]), n_ok, {}


def search_network(
    network: Network | Layer,
    arch: Architecture,
    *,
    budget: int = 2000,
    objective: str = "edp",
    seed: int = 0,
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
            cache[key] = search(layer, arch, budget=budget, objective=objective, seed=seed)
        per_layer.append(cache[key])
    energy = sum(r.result.energy_pj for r in per_layer)
    cycles = sum(r.result.cycles for r in per_layer)
    return NetworkResult(
        network=network.name,
        energy_pj=float(energy),
        cycles=float(cycles),
        area_mm2=arch.tables.area_mm2,
        macs=network.macs,
        layers=tuple(per_layer),
        n_pes=arch.n_pes,
    )
