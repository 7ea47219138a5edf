"""The analytical cost model: (layer, architecture, mapping) -> energy, cycles, utilisation.

:func:`evaluate` takes a :class:`~.loopnest.LoopNest` (any hierarchy) or a template
:class:`~.mapping.Mapping`, builds the kernel's arrays once per architecture
(:func:`arch_arrays`), per layer (:func:`layer_array`) and per spatial unrolling
(:func:`spatial_arrays`), and runs :func:`.kernel.evaluate_nest`. The counting rules and
the two conventions are described in :mod:`.kernel`, :mod:`.architecture` and
docs/envs/accelerator.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from archgym.errors import InvalidDesignError
from archgym.simulators.accelerator import kernel
from archgym.simulators.accelerator.architecture import (
    DIRECTIONS,
    OPERANDS,
    OUTPUTS,
    Architecture,
)
from archgym.simulators.accelerator.kernel import MAX_CHAIN, MAX_LOOPS
from archgym.simulators.accelerator.loopnest import LoopNest
from archgym.simulators.accelerator.mapping import Mapping
from archgym.simulators.accelerator.workload import DIMS, Layer

#: Latency terms of the ZigZag convention, as ``LayerResult.latency_breakdown`` names them.
LATENCY_TERMS = ("stall", "onloading", "offloading", "drain")
#: Most activities one port may serve (scratch size of the kernel).
MAX_SERVE = 16


@dataclass(frozen=True)
class LayerResult:
    """Cost of one layer under one mapping.

    ``energy_breakdown_pj`` maps "mac" and each level holding data to pJ; ``accesses``
    maps ``(level, operand)`` to ``{"reads", "fills", "updates"}`` element counts summed
    over instances (reads: to the level below and, ZigZag, to the level above; fills: from
    above; updates: partial sums from below); ``latency_breakdown`` the ZigZag latency
    terms (zero in the timeloop convention); ``edp`` is energy_pj * cycles; ``area_mm2``
    the architecture's area (in its ``area_unit``).
    """

    layer: str
    macs: int
    energy_pj: float
    cycles: float
    compute_cycles: float
    utilisation: float
    used_pes: float
    energy_breakdown_pj: dict[str, float]
    accesses: dict[tuple[str, str], dict[str, float]]
    area_mm2: float
    bound_by: str
    mapping: LoopNest | Mapping | None = None
    latency_breakdown: dict[str, float] = field(default_factory=dict)

    @property
    def edp(self) -> float:
        """Energy-delay product, pJ x cycles."""
        return self.energy_pj * self.cycles

    @property
    def energy_per_mac_pj(self) -> float:
        """Energy per MAC of the layer, pJ."""
        return self.energy_pj / self.macs


# ---------------------------------------------------------------- architecture arrays


@dataclass(frozen=True)
class ArchArrays:
    """The kernel's parameters of an architecture (see :func:`kernel.evaluate_nest`)."""

    iparams: np.ndarray
    fparams: np.ndarray
    chain: np.ndarray
    chain_len: np.ndarray
    lvl_cap: np.ndarray
    lvl_db: np.ndarray
    lvl_cost: np.ndarray
    lvl_word: np.ndarray
    lvl_pe: np.ndarray
    lvl_m: np.ndarray
    pd_port: np.ndarray
    port_info: np.ndarray
    port_serve: np.ndarray
    port_nserve: np.ndarray
    attach: np.ndarray
    lvl_ops: np.ndarray
    lvl_nops: np.ndarray

    def kernel_tuple(self, layer: Layer) -> tuple:
        """The architecture tuple of :func:`kernel.evaluate_nest`, for ``layer``'s MACs."""
        fparams = self.fparams.copy()
        fparams[kernel.FP_MACS] = float(layer.macs)
        return (
            self.iparams,
            fparams,
            self.chain,
            self.chain_len,
            self.lvl_cap,
            self.lvl_db,
            self.lvl_cost,
            self.lvl_word,
            self.lvl_pe,
            self.lvl_m,
            self.pd_port,
            self.port_info,
            self.port_serve,
            self.port_nserve,
            self.lvl_ops,
            self.lvl_nops,
        )


def arch_arrays(arch: Architecture) -> ArchArrays:
    """The kernel's parameter arrays of ``arch`` (cached on the frozen instance)."""
    cached = arch.__dict__.get("_kernel_arrays")
    if cached is None:
        cached = arch.__dict__["_kernel_arrays"] = _build_arch_arrays(arch)
    return cached


def _build_arch_arrays(arch: Architecture) -> ArchArrays:
    n_levels = len(arch.levels)
    chains = arch.chains
    if max(len(c) for c in chains) > MAX_CHAIN:
        raise InvalidDesignError(f"{arch.name}: an operand has more than {MAX_CHAIN} levels")
    chain = np.zeros((3, MAX_CHAIN), dtype=np.int64)
    chain_len = np.array([len(c) for c in chains], dtype=np.int64)
    lvl_m = np.full((n_levels, 3), -1, dtype=np.int64)
    for op, c in enumerate(chains):
        chain[op, : len(c)] = c
        for m, lv in enumerate(c):
            lvl_m[lv, op] = m
    lvl_cap = np.array([lv.capacity_bits for lv in arch.levels], dtype=np.float64)
    lvl_db = np.array([int(lv.double_buffered) for lv in arch.levels], dtype=np.int64)
    lvl_cost = np.array([(lv.read_pj, lv.write_pj) for lv in arch.levels], dtype=np.float64)
    lvl_word = np.array([lv.word_bits or 0 for lv in arch.levels], dtype=np.int64)
    lvl_pe = np.array([int(not lv.served_dims) for lv in arch.levels], dtype=np.int64)
    ports = [(i, port) for i, lv in enumerate(arch.levels) for port in lv.ports]
    port_info = np.zeros((max(1, len(ports)), 5))
    port_serve = np.zeros((max(1, len(ports)), MAX_SERVE, 3), dtype=np.int64)
    port_nserve = np.zeros(max(1, len(ports)), dtype=np.int64)
    pd_port = np.full((3, MAX_CHAIN, 4), -1, dtype=np.int64)
    for p, (lv, port) in enumerate(ports):
        inputs_served = {op for op, _ in port.serves if op != OUTPUTS}
        port_info[p] = (lv, port.width_bits, port.granularity_bits, port.bandwidth_bits, 0)
        port_info[p, 4] = float(len(inputs_served) > 1)
        if len(port.serves) > MAX_SERVE:
            raise InvalidDesignError(f"{arch.name}: port {port.name} serves too many directions")
        for s, (op, direction) in enumerate(port.serves):
            m = lvl_m[lv, op]
            port_serve[p, s] = (op, m, DIRECTIONS.index(direction))
            pd_port[op, m, DIRECTIONS.index(direction)] = p
        port_nserve[p] = len(port.serves)
    # arch level each array dimension's spatial loops attach to, per operand: the first
    # level of its chain that spans the dimension (ZigZag's served dimensions)
    attach = np.zeros((3, len(arch.array)), dtype=np.int64)
    for op, c in enumerate(chains):
        for d in range(len(arch.array)):
            attach[op, d] = next(
                (m for m, lv in enumerate(c) if d in arch.levels[lv].served_dims), len(c)
            )
    lvl_ops = np.zeros((n_levels, 3), dtype=np.int64)
    lvl_nops = np.array([len(lv.operands) for lv in arch.levels], dtype=np.int64)
    for i, lv in enumerate(arch.levels):
        lvl_ops[i, : len(lv.operands)] = lv.operands
    iparams = np.array(
        [int(arch.convention == "zigzag"), arch.pipeline_fill_cycles, n_levels, len(ports)],
        dtype=np.int64,
    )
    fparams = np.array([arch.mac_energy_pj, 0.0, *map(float, arch.precision)], dtype=np.float64)
    return ArchArrays(
        iparams,
        fparams,
        chain,
        chain_len,
        lvl_cap,
        lvl_db,
        lvl_cost,
        lvl_word,
        lvl_pe,
        lvl_m,
        pd_port,
        port_info,
        port_serve,
        port_nserve,
        attach,
        lvl_ops,
        lvl_nops,
    )


def layer_array(layer: Layer, zigzag: bool) -> np.ndarray:
    """The kernel's layer array: 8 bounds, strides, dilations, full input rows and columns."""
    key = "_kernel_array_zz" if zigzag else "_kernel_array_tl"
    cached = layer.__dict__.get(key)
    if cached is None:
        full = []
        for a, b, sa, sb in (
            (layer.P, layer.R, layer.stride_h, layer.dilation_h),
            (layer.Q, layer.S, layer.stride_w, layer.dilation_w),
        ):
            if zigzag:
                g = math.gcd(sa, sb)
                full.append(a * b - max(0, b - sa // g) * (a - sb // g))
            else:
                full.append((a - 1) * sa + (b - 1) * sb + 1)
        cached = np.array(
            [
                *layer.dims,
                layer.stride_h,
                layer.stride_w,
                layer.dilation_h,
                layer.dilation_w,
                *full,
            ],
            dtype=np.int64,
        )
        layer.__dict__[key] = cached
    return cached


# ---------------------------------------------------------------- spatial arrays


@dataclass(frozen=True)
class SpatialArrays:
    """Everything the kernel needs from one spatial unrolling of one layer on one arch."""

    sp_req: np.ndarray
    spc_f: np.ndarray
    spc_i: np.ndarray
    units_f: np.ndarray
    units_i: np.ndarray
    boost_f: np.ndarray
    boost_i: np.ndarray
    sp_oir_f: np.ndarray
    sp_oir_i: np.ndarray
    orel_sp: np.ndarray
    drain: float
    used_pes: float

    def kernel_tuple(self) -> tuple:
        """The spatial tuple of :func:`kernel.evaluate_nest`."""
        return (
            self.sp_req,
            self.spc_f,
            self.spc_i,
            self.units_f,
            self.units_i,
            self.boost_f,
            self.boost_i,
            self.sp_oir_f,
            self.sp_oir_i,
            self.orel_sp,
            self.drain,
        )


def effective_unrolling(
    layer: Layer, arch: Architecture, spatial: Sequence[Sequence[tuple[str, int]]]
) -> tuple[np.ndarray, np.ndarray]:
    """Per array dimension and loop dim, the (fractional, integer) unrolling factors.

    Timeloop convention: the factors as given (a non-dividing factor pads). ZigZag's: a
    factor that does not divide its loop becomes ``bound / ceil(bound / factor)`` for
    energy (the idle part of the last iteration is not counted) and its integer part for
    latency (on the first array dimension with the largest factor of that loop).
    """
    n = len(arch.array)
    frac = np.ones((n, 8))
    whole = np.ones((n, 8))
    requested = np.ones((n, 8))
    for d, loops in enumerate(spatial):
        for dim, f in loops:
            requested[d, DIMS.index(dim)] *= f
    if arch.convention != "zigzag":
        return requested.copy(), requested.copy()
    bounds = layer.dims
    for j in range(8):
        column = requested[:, j]
        if (column == 1).all():
            continue
        first_max = int(np.argmax(column))
        for d in range(n):
            f = min(column[d], bounds[j])
            if d != first_max or f == 1:
                frac[d, j] = whole[d, j] = f
                continue
            early_f = float(np.prod(frac[:d, j]))
            early_i = float(np.prod(whole[:d, j]))
            frac[d, j] = bounds[j] / math.ceil(bounds[j] / (f * early_f)) / early_f
            whole[d, j] = int(bounds[j] / math.ceil(bounds[j] / (f * early_i)) / early_i)
    return frac, whole


def spatial_arrays(
    layer: Layer, arch: Architecture, spatial: Sequence[Sequence[tuple[str, int]]]
) -> SpatialArrays:
    """The kernel's spatial arrays of one unrolling (see :func:`effective_unrolling`);
    cached per layer shape and unrolling on the (frozen) architecture."""
    cache = arch.__dict__.setdefault("_spatial_cache", {})
    key = (layer.shape_key(), tuple(tuple(loops) for loops in spatial))
    found = cache.get(key)
    if found is None:
        if len(cache) > 20000:
            cache.clear()
        found = cache[key] = _spatial_arrays(layer, arch, key[1])
    return found


def _spatial_arrays(
    layer: Layer, arch: Architecture, spatial: Sequence[Sequence[tuple[str, int]]]
) -> SpatialArrays:
    a = arch_arrays(arch)
    zigzag = arch.convention == "zigzag"
    frac, whole = effective_unrolling(layer, arch, spatial)
    requested = np.ones(8)
    for loops in spatial:
        for dim, f in loops:
            requested[DIMS.index(dim)] *= f
    arr = layer_array(layer, True)
    n_arch = MAX_CHAIN + 1
    tables = []
    for factors in (frac, whole):
        spc = np.ones((3, n_arch, 8))
        units = np.ones((3, n_arch))
        boost = np.ones((3, n_arch))
        sp_oir = np.zeros(n_arch, dtype=np.int64)
        orel_sp = np.ones(n_arch)
        kernel.spatial_tables(
            factors, a.attach, a.chain_len, arr, zigzag, spc, units, boost, sp_oir, orel_sp
        )
        tables.append((spc, units, boost, sp_oir, orel_sp))
    drain = 0.0
    if zigzag:
        for d in arch.systolic_dims:
            used = math.prod(min(f, layer.dims[DIMS.index(dim)]) for dim, f in spatial[d])
            drain += max(math.ceil(used) - 1, 0)
    (spc_f, units_f, boost_f, oir_f, orel_sp), (spc_i, units_i, boost_i, oir_i, _) = tables
    return SpatialArrays(
        requested,
        spc_f,
        spc_i,
        units_f,
        units_i,
        boost_f,
        boost_i,
        oir_f,
        oir_i,
        orel_sp,
        drain,
        float(units_f[0, 0]),
    )


# ---------------------------------------------------------------- evaluation


def nest_arrays(nest: LoopNest) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """A loop nest as kernel arrays: loop dims, sizes, count, cuts (3, MAX_CHAIN)."""
    n = len(nest.temporal)
    if n > MAX_LOOPS:
        raise InvalidDesignError(f"the loop nest has {n} temporal loops; at most {MAX_LOOPS}")
    ldim = np.zeros(MAX_LOOPS, dtype=np.int64)
    lsize = np.ones(MAX_LOOPS, dtype=np.float64)
    for j, (d, s) in enumerate(nest.temporal):
        ldim[j] = DIMS.index(d)
        lsize[j] = s
    cuts = np.zeros((3, MAX_CHAIN), dtype=np.int64)
    for op, c in enumerate(nest.cuts):
        cuts[op, : len(c)] = c
    return ldim, lsize, n, cuts


def as_loop_nest(layer: Layer, arch: Architecture, mapping: LoopNest | Mapping) -> LoopNest:
    """A LoopNest from a LoopNest or a template Mapping (see :meth:`Mapping.loop_nest`)."""
    if isinstance(mapping, LoopNest):
        return mapping
    if isinstance(mapping, Mapping):
        return mapping.loop_nest(layer, arch)
    raise InvalidDesignError(f"expected a LoopNest or Mapping, got {type(mapping).__name__}")


def evaluate(layer: Layer, arch: Architecture, mapping: LoopNest | Mapping) -> LayerResult:
    """Cost of ``layer`` on ``arch`` under ``mapping``.

    Raises InvalidDesignError naming the level and the overflow when the tiles exceed a
    level's capacity, the spatial factors exceed the array or its dataflow, or the
    mapping misses a bound.
    """
    nest, arrays = _prepared(layer, arch, mapping)
    sp = spatial_arrays(layer, arch, nest.spatial)
    return evaluate_arrays(layer, arch, sp, *arrays, mapping=mapping)


def _prepared(layer: Layer, arch: Architecture, mapping: LoopNest | Mapping):
    """The checked LoopNest of ``mapping`` and its arrays, cached on the (frozen) mapping
    per architecture and layer shape."""
    cache = mapping.__dict__.setdefault("_prepared", {})
    key = (id(arch), layer.shape_key())
    hit = cache.get(key)
    if hit is not None and hit[0] is arch:
        return hit[1], hit[2]
    nest = as_loop_nest(layer, arch, mapping)
    nest.check(layer, arch)
    arrays = nest_arrays(nest)
    if len(cache) > 64:
        cache.clear()
    cache[key] = (arch, nest, arrays)
    return nest, arrays


def evaluate_arrays(
    layer: Layer,
    arch: Architecture,
    sp: SpatialArrays,
    ldim: np.ndarray,
    lsize: np.ndarray,
    n_loops: int,
    cuts: np.ndarray,
    mapping: LoopNest | Mapping | None = None,
) -> LayerResult:
    """Evaluate one nest given as arrays; raises InvalidDesignError for an infeasible one."""
    a = arch_arrays(arch)
    n_levels = len(arch.levels)
    energy = np.zeros(n_levels + 1)
    counts = np.zeros((3, MAX_CHAIN, 4))
    latency = np.zeros(4)
    zigzag = arch.convention == "zigzag"
    work, iwork = kernel.scratch()
    status, over, which, cycles, ideal = kernel.evaluate_nest(
        ldim,
        lsize,
        n_loops,
        cuts,
        layer_array(layer, zigzag),
        a.kernel_tuple(layer),
        sp.kernel_tuple(),
        energy,
        counts,
        latency,
        work,
        iwork,
    )
    if status != kernel.OK:
        raise InvalidDesignError(
            f"layer {layer.name!r} on {arch.name}: {violation(arch, status, over, which)}"
        )
    return _result(layer, arch, sp, energy, counts, latency, cycles, ideal, which, mapping)


def violation(arch: Architecture, status: int, over: float, which: int) -> str:
    """Text of a kernel failure: what overflows and by how much."""
    if status == kernel.UNCOVERED:
        return "the mapping does not cover every loop bound"
    level = arch.levels[which]
    word = level.word_bits
    names = "/".join(OPERANDS[op] for op in level.operands)
    if word:
        excess, capacity, unit = math.ceil(over / word), int(level.capacity_bits // word), "words"
    else:
        excess, capacity, unit = math.ceil(over), int(level.capacity_bits), "bits"
    return f"{level.name} ({names}) overflows by {excess} {unit} (capacity {capacity})"


def _result(layer, arch, sp, energy, counts, latency, cycles, ideal, which, mapping):
    e = energy.tolist()
    c = counts.tolist()
    breakdown = {"mac": e[-1]}
    accesses: dict[tuple[str, str], dict[str, float]] = {}
    for i, name, op, m in _result_keys(arch):
        breakdown[name] = e[i]
        fh, tl, fl, th = c[op][m]
        accesses[(name, OPERANDS[op])] = {"reads": tl + th, "fills": fh, "updates": fl}
    cycles = float(cycles)
    bound = "compute" if which < 0 else arch.levels[int(which)].name
    return LayerResult(
        layer=layer.name,
        macs=layer.macs,
        energy_pj=float(energy.sum()),
        cycles=cycles,
        compute_cycles=float(ideal),
        utilisation=layer.macs / (cycles * arch.n_pes),
        used_pes=sp.used_pes,
        energy_breakdown_pj=breakdown,
        accesses=accesses,
        area_mm2=arch.area,
        bound_by=bound,
        mapping=mapping,
        latency_breakdown=dict(zip(LATENCY_TERMS, map(float, latency), strict=True)),
    )


def _result_keys(arch: Architecture) -> list[tuple[int, str, int, int]]:
    """(level index, name, operand, chain position) of every stored operand, cached."""
    keys = arch.__dict__.get("_result_keys")
    if keys is None:
        keys = [
            (i, level.name, op, arch.chains[op].index(i))
            for i, level in enumerate(arch.levels)
            for op in level.operands
        ]
        arch.__dict__["_result_keys"] = keys
    return keys


def evaluate_many(
    layer: Layer, arch: Architecture, mappings: Sequence[LoopNest | Mapping]
) -> list[LayerResult | InvalidDesignError]:
    """Evaluate several mappings of one layer; failures are returned, not raised."""
    out: list[LayerResult | InvalidDesignError] = []
    for mapping in mappings:
        try:
            out.append(evaluate(layer, arch, mapping))
        except InvalidDesignError as exc:
            out.append(exc)
    return out


def tile_sizes(layer: Layer, mapping: Mapping) -> dict[str, tuple[int, int, int]]:
    """Words of (Weights, Inputs, Outputs) one PE ("pe") and the global buffer ("glb")
    hold under a template Mapping; used to size buffers to a mapping (MAESTRO-style)."""
    f = mapping.as_array()
    arr = layer_array(layer, False)
    out = {}
    for level, extents in (("pe", f[:, 0]), ("glb", f[:, :4].prod(axis=1))):
        cum = extents.astype(np.float64)
        out[level] = tuple(int(kernel.tile_elements(op, cum, arr, False)) for op in range(3))
    return out
