"""The analytical cost model: (layer, architecture, mapping) -> energy, cycles, utilisation.

Access counts follow Timeloop's reuse rules (see docs/envs/accelerator.md): a buffer holds
the tile of the loops at and below it; its tile is refetched once per iteration of the
loops above it, except the innermost run of loops irrelevant to the operand (stationary
reuse); operands irrelevant to a spatial loop are multicast, outputs reduced spatially
over C, R, S are summed in the array. Cycles are the larger of the compute cycles and
each level's accesses divided by its bandwidth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from archgym.errors import InvalidDesignError
from archgym.simulators.accelerator import kernel
from archgym.simulators.accelerator.architecture import OPERANDS, Architecture
from archgym.simulators.accelerator.kernel import RELEVANT, evaluate_batch
from archgym.simulators.accelerator.kernel import _tile as tile_kernel
from archgym.simulators.accelerator.mapping import Mapping, order_to_indices
from archgym.simulators.accelerator.workload import Layer

#: What overflows, by kernel status, for the spatial overflows.
_STATUS_TEXT = {
    kernel.OVER_X: "spatial X (mesh columns)",
    kernel.OVER_Y: "spatial Y (mesh rows)",
}
BOUND_NAMES = ("compute", "weights spad", "inputs spad", "outputs spad", "global buffer", "DRAM")


@dataclass(frozen=True)
class LayerResult:
    """Cost of one layer under one mapping.

    ``energy_breakdown_pj`` maps level name (mac, the three spads, the global buffer, dram,
    noc) to pJ; ``accesses`` maps ``(level, operand)`` to ``{"reads", "fills", "updates"}``
    scalar-word counts summed over instances; ``edp`` is energy_pj * cycles.
    """

    layer: str
    macs: int
    energy_pj: float
    cycles: float
    compute_cycles: float
    utilisation: float
    used_pes: int
    energy_breakdown_pj: dict[str, float]
    accesses: dict[tuple[str, str], dict[str, float]]
    area_mm2: float
    bound_by: str
    mapping: Mapping | None = None

    @property
    def edp(self) -> float:
        """Energy-delay product, pJ x cycles."""
        return self.energy_pj * self.cycles

    @property
    def energy_per_mac_pj(self) -> float:
        """Energy per MAC of the layer, pJ."""
        return self.energy_pj / self.macs


@dataclass(frozen=True)
class _ArchArrays:
    iparams: np.ndarray
    caps: np.ndarray
    fparams: np.ndarray
    level_names: tuple[str, ...]
    area_mm2: float
    n_pes: int
    access_keys: tuple[tuple[tuple[str, str], int, int], ...]


def arch_arrays(arch: Architecture) -> _ArchArrays:
    """The kernel's parameter arrays of an architecture (cached on the frozen instance)."""
    cached = arch.__dict__.get("_kernel_arrays")
    if cached is None:
        cached = arch.__dict__["_kernel_arrays"] = _build_arch_arrays(arch)
    return cached


def _build_arch_arrays(arch: Architecture) -> _ArchArrays:
    t = arch.tables
    iparams = np.array(
        [
            arch.pe_x,
            arch.pe_y,
            int(arch.multicast),
            arch.fill_cycles,
            *[int(k) for k in t.spad_keep],
            *[int(k) for k in t.glb_keep],
        ],
        dtype=np.int64,
    )
    caps = np.array([*t.spad_capacity, t.glb_capacity], dtype=np.int64)
    fparams = np.array(
        [
            *t.spad_read_pj,
            *t.spad_write_pj,
            *t.spad_read_bw,
            *t.spad_write_bw,
            t.glb_read_pj,
            t.glb_write_pj,
            t.glb_read_bw,
            t.glb_write_bw,
            t.dram_pj_per_word,
            t.dram_words_per_cycle,
            t.mac_pj,
            arch.noc_energy_pj_per_word,
            0.0,
        ],
        dtype=np.float64,
    )
    keys = []
    for lvl, label in ((0, None), (1, arch.glb.name), (2, "dram")):
        for op in range(3):
            if lvl == 0:
                spad = arch.spads[op]
                if spad is None:
                    continue
                keys.append(((spad.name, OPERANDS[op]), lvl, op))
            elif lvl == 2 or op in arch.glb_keeps:
                keys.append(((label, OPERANDS[op]), lvl, op))
    return _ArchArrays(iparams, caps, fparams, t.level_names, t.area_mm2, arch.n_pes, tuple(keys))


def layer_array(layer: Layer) -> np.ndarray:
    """The kernel's layer array: 8 bounds, stride_h, stride_w, dilation_h, dilation_w."""
    cached = layer.__dict__.get("_kernel_array")
    if cached is None:
        cached = np.array(
            [*layer.dims, layer.stride_h, layer.stride_w, layer.dilation_h, layer.dilation_w],
            dtype=np.int64,
        )
        layer.__dict__["_kernel_array"] = cached
    return cached


def run_kernel(
    layer: Layer,
    arch: Architecture,
    factors: np.ndarray,
    glb_order: np.ndarray,
    dram_order: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Evaluate a batch of mappings given as arrays (see :mod:`.kernel` for shapes)."""
    a = arch_arrays(arch)
    fparams = a.fparams.copy()
    fparams[kernel.F_MACS] = float(layer.macs)
    return evaluate_batch(
        factors, glb_order, dram_order, layer_array(layer), a.iparams, a.caps, fparams, RELEVANT
    )


def _violation(arch: Architecture, status: int, over: int) -> str:
    if status == kernel.UNCOVERED:
        return "the mapping does not cover every loop bound"
    if kernel.OVER_SPAD <= status < kernel.OVER_SPAD + 3:
        op = status - kernel.OVER_SPAD
        spad = arch.spads[op]
        name = spad.name if spad is not None else OPERANDS[op]
        cap = spad.capacity_words if spad is not None else 0
        return f"{name} ({OPERANDS[op]}) overflows by {over} words (capacity {cap})"
    if status == kernel.OVER_GLB:
        return f"{arch.glb.name} overflows by {over} words (capacity {arch.glb.capacity_words})"
    limit = arch.pe_x if status == kernel.OVER_X else arch.pe_y
    return f"{_STATUS_TEXT[status]} overflows by {over} PEs (size {limit})"


def evaluate(layer: Layer, arch: Architecture, mapping: Mapping) -> LayerResult:
    """Cost of ``layer`` on ``arch`` under ``mapping``.

    Raises InvalidDesignError naming the level and the overflow when a tile exceeds a
    buffer or the spatial factors exceed the mesh, or when the mapping misses a bound.
    """
    factors, go, do = _mapping_arrays(mapping)
    energy, cycles, comp, status, over, bound, used, counts = run_kernel(
        layer, arch, factors, go, do
    )
    if status[0] != kernel.OK:
        if status[0] == kernel.UNCOVERED:
            mapping.covers(layer)  # raises naming the dimension
        raise InvalidDesignError(
            f"layer {layer.name!r} on {arch.name}: {_violation(arch, int(status[0]), int(over[0]))}"
        )
    return _result(
        layer, arch, mapping, energy[0], cycles[0], comp[0], bound[0], used[0], counts[0]
    )


def _mapping_arrays(mapping: Mapping) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cached = mapping.__dict__.get("_kernel_arrays")
    if cached is None:
        cached = (
            mapping.as_array()[None],
            _order_cache(mapping.glb_order)[None],
            _order_cache(mapping.dram_order)[None],
        )
        mapping.__dict__["_kernel_arrays"] = cached
    return cached


@lru_cache(maxsize=64)
def _order_cache(order: str) -> np.ndarray:
    return order_to_indices(order)


def _result(layer, arch, mapping, energy, cycles, comp, bound, used, counts) -> LayerResult:
    a = arch_arrays(arch)
    e = energy.tolist()
    c = counts.tolist()
    accesses = {
        key: {"reads": c[lvl][op][0], "fills": c[lvl][op][1], "updates": c[lvl][op][2]}
        for key, lvl, op in a.access_keys
    }
    cycles = float(cycles)
    return LayerResult(
        layer=layer.name,
        macs=layer.macs,
        energy_pj=sum(e),
        cycles=cycles,
        compute_cycles=float(comp),
        utilisation=layer.macs / (cycles * a.n_pes),
        used_pes=int(used),
        energy_breakdown_pj=dict(zip(a.level_names, e, strict=True)),
        accesses=accesses,
        area_mm2=a.area_mm2,
        bound_by=BOUND_NAMES[int(bound)],
        mapping=mapping,
    )


def evaluate_many(
    layer: Layer, arch: Architecture, mappings: Sequence[Mapping]
) -> list[LayerResult | InvalidDesignError]:
    """Evaluate several mappings of one layer in one kernel call; failures are returned."""
    if not mappings:
        return []
    factors = np.stack([m.as_array() for m in mappings])
    go = np.stack([_order_cache(m.glb_order) for m in mappings])
    do = np.stack([_order_cache(m.dram_order) for m in mappings])
    energy, cycles, comp, status, over, bound, used, counts = run_kernel(
        layer, arch, factors, go, do
    )
    out: list[LayerResult | InvalidDesignError] = []
    for i, m in enumerate(mappings):
        if status[i] != kernel.OK:
            msg = _violation(arch, int(status[i]), int(over[i]))
            out.append(InvalidDesignError(f"layer {layer.name!r} on {arch.name}: {msg}"))
        else:
            out.append(
                _result(layer, arch, m, energy[i], cycles[i], comp[i], bound[i], used[i], counts[i])
            )
    return out


def tile_sizes(layer: Layer, mapping: Mapping) -> dict[str, tuple[int, int, int]]:
    """Words of (Weights, Inputs, Outputs) one PE ("pe") and the global buffer ("glb") hold.

    The same tiles the model checks against buffer capacities; used to size buffers to a
    mapping (MAESTRO-style).
    """
    f = mapping.as_array()
    b1 = f[:, 0]
    b2 = f[:, :4].prod(axis=1)
    arr = layer_array(layer)
    out = {}
    for level, b in (("pe", b1), ("glb", b2)):
        out[level] = tuple(int(tile_kernel(op, b, arr)) for op in range(3))
    return out
