"""Cross-checks of the native accelerator model against SCALE-Sim and ZigZag.

ZigZag: ZigZag's shipped hardware files are read as native architectures
(:func:`zigzag_architecture`); :func:`compare_with_zigzag` evaluates ZigZag's own best
mapping in both models (the same-mapping check) and :func:`compare_best_with_zigzag`
sets the native mapper against ZigZag's LOMA (the best-mapping check).

SCALE-Sim: the native systolic preset (:func:`archgym.simulators.accelerator.systolic`)
is evaluated under the mapping that folds the layer onto the array the way SCALE-Sim
does (:func:`scalesim_equivalent_mapping`) and its compute cycles are compared with
SCALE-Sim's "Total Cycles" (CALC mode, so no DRAM stalls).

SCALE-Sim flattens a fold's rows over several loops at once (the R*S*C window in ws, the
P*Q pixels in os); the native mapping needs a factor per loop, so the equivalent mapping
picks the per-loop factors that need the fewest folds; that can still be more folds than
SCALE-Sim's ``ceil(product / array size)`` when no factors divide the array. Layers whose
channels and pixels divide the array fold identically in both (:func:`folds`).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archgym.errors import ConfigError
from archgym.simulators.accelerator.workload import DIMS, Layer

if TYPE_CHECKING:
    from archgym.simulators.accelerator.architecture import Architecture
    from archgym.simulators.accelerator.loopnest import LoopNest
    from archgym.simulators.accelerator.mapping import Mapping
    from archgym.simulators.thirdparty.zigzag import ZigZagLayerResult

#: dataflow -> (loops on the columns, loops on the rows, loops inside the PE)
_FOLDING: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "ws": (("K",), ("C", "S", "R"), ("N", "P", "Q")),
    "os": (("K",), ("Q", "P", "N"), ("C", "R", "S")),
    "is": (("Q", "P", "N"), ("C", "S", "R"), ("K",)),
}


def _fill(layer: Layer, loops: Sequence[str], extent: int) -> dict[str, int]:
    """Spatial factors for ``loops`` (product at most ``extent``) that need the fewest folds.

    Folds are the product of ``ceil(bound / factor)``; ties go to the combination that
    uses more of the array, then to the earlier loops.
    """
    bounds = [getattr(layer, loop) for loop in loops]
    best: tuple[int, int, tuple[int, ...]] | None = None

    def search(i: int, room: int, chosen: tuple[int, ...]) -> None:
        nonlocal best
        if i == len(bounds):
            n_folds = math.prod(math.ceil(b / f) for b, f in zip(bounds, chosen, strict=True))
            key = (n_folds, -math.prod(chosen), tuple(-f for f in chosen))
            if best is None or key < best:
                best = key
            return
        for factor in range(1, min(bounds[i], room) + 1):
            search(i + 1, room // factor, (*chosen, factor))

    search(0, extent, ())
    assert best is not None
    factors = [-f for f in best[2]]
    return {loop: f for loop, f in zip(loops, factors, strict=True) if f > 1}


def scalesim_equivalent_mapping(layer: Layer, rows: int, cols: int, dataflow: str) -> Mapping:
    """The native Mapping that folds ``layer`` onto a rows x cols array as SCALE-Sim does.

    The stationary operand's loops run inside the PE (its one-word register), the other
    two operands' loops are unrolled over rows and columns, and every fold is a DRAM-level
    iteration. Raises ConfigError for a dataflow other than ws, os, is.
    """
    from archgym.simulators.accelerator.mapping import Mapping

    if dataflow not in _FOLDING:
        raise ConfigError(f"dataflow {dataflow!r} is not one of {', '.join(_FOLDING)}")
    col_loops, row_loops, pe_loops = _FOLDING[dataflow]
    return Mapping.from_levels(
        layer,
        pe={loop: getattr(layer, loop) for loop in pe_loops},
        x=_fill(layer, col_loops, cols),
        y=_fill(layer, row_loops, rows),
    )


@dataclass(frozen=True)
class ScaleSimComparison:
    """One layer on one array: SCALE-Sim's and the native model's compute cycles."""

    layer: str
    rows: int
    cols: int
    dataflow: str
    scalesim_cycles: float
    native_cycles: float
    scalesim_seconds: float
    native_seconds: float

    @property
    def relative_error(self) -> float:
        """(native - SCALE-Sim) / SCALE-Sim."""
        return self.native_cycles / self.scalesim_cycles - 1.0


def compare_with_scalesim(
    layers: Sequence[Layer], rows: int, cols: int, dataflow: str
) -> list[ScaleSimComparison]:
    """Run every layer through SCALE-Sim and the native model; times are wall seconds."""
    from archgym.simulators.accelerator import systolic
    from archgym.simulators.accelerator.model import evaluate
    from archgym.simulators.thirdparty.scalesim import ScaleSimConfig, run_scalesim

    arch = systolic(rows, cols, dataflow)
    config = ScaleSimConfig(rows, cols, dataflow)
    out = []
    for layer in layers:
        start = time.perf_counter()
        (reference,) = run_scalesim(layer, config)
        middle = time.perf_counter()
        native = evaluate(layer, arch, scalesim_equivalent_mapping(layer, rows, cols, dataflow))
        end = time.perf_counter()
        out.append(
            ScaleSimComparison(
                layer.name,
                rows,
                cols,
                dataflow,
                reference.compute_cycles,
                native.compute_cycles,
                middle - start,
                end - middle,
            )
        )
    return out


def folds(layer: Layer, rows: int, cols: int, dataflow: str) -> int:
    """SCALE-Sim's number of folds: ceil(flattened rows / rows) * ceil(columns / cols)."""
    if dataflow not in _FOLDING:
        raise ConfigError(f"dataflow {dataflow!r} is not one of {', '.join(_FOLDING)}")
    col_loops, row_loops, _ = _FOLDING[dataflow]
    size_rows = math.prod(getattr(layer, loop) for loop in row_loops)
    size_cols = math.prod(getattr(layer, loop) for loop in col_loops)
    return math.ceil(size_rows / rows) * math.ceil(size_cols / cols)


# ---------------------------------------------------------------- ZigZag

#: ZigZag's hardware files the comparison covers (as shipped with zigzag-dse 3.9.1) and
#: the shipped mapping file whose default spatial unrolling goes with each (None: ZigZag
#: generates the unrolling, as it does for eyeriss_like).
SHIPPED_HARDWARE: dict[str, str | None] = {
    "tpu_like": "tpu_like",
    "eyeriss_like": None,
    "edge_tpu_like": "edge_tpu_like",
    "meta_prototype": "meta_prototype_like",
    "ascend_like": "ascend_like",
}
#: ZigZag's loop names -> the native ones, and back.
ZIGZAG_LOOPS = {"B": "N", "G": "G", "K": "K", "C": "C", "OY": "P", "OX": "Q", "FY": "R", "FX": "S"}
NATIVE_LOOPS = {v: k for k, v in ZIGZAG_LOOPS.items()}
_OPERAND_LINKS = {"O": "O", "W": "I2", "I": "I1"}
#: ZigZag's optimisation criterion -> the native mapper's objective.
CRITERIA = {"latency": "delay", "energy": "energy", "EDP": "edp"}


def zigzag_architecture(hardware: str) -> Architecture:
    """ZigZag's shipped ``<hardware>.yaml`` read as a native Architecture."""
    from archgym.simulators.accelerator.zigzag_hardware import read_zigzag_hardware
    from archgym.simulators.thirdparty.zigzag import shipped_file

    return read_zigzag_hardware(shipped_file("hardware", hardware))


def shipped_spatial(hardware: str) -> dict[str, list[str]] | None:
    """The default spatial unrolling of the mapping file shipped for ``hardware`` (ZigZag's
    format, ``{"D1": ["K, 32"], ...}``), or None when ZigZag generates it."""
    import yaml

    from archgym.simulators.thirdparty.zigzag import shipped_file

    if hardware not in SHIPPED_HARDWARE:
        raise ConfigError(f"hardware {hardware!r} not in {sorted(SHIPPED_HARDWARE)}")
    name = SHIPPED_HARDWARE[hardware]
    if name is None:
        return None
    entries = yaml.safe_load(shipped_file("mapping", name).read_text())
    default = next(e for e in entries if e.get("name") == "default")
    return {dim: list(loops) for dim, loops in default["spatial_mapping"].items()}


def loop_nest_from_zigzag(result: ZigZagLayerResult, arch: Architecture) -> LoopNest:
    """The mapping ZigZag chose (its unrolling and allocated loops) as a native LoopNest."""
    from archgym.simulators.accelerator.loopnest import LoopNest

    levels = {op: result.temporal[op] for op in ("W", "I", "O")}
    temporal = tuple((ZIGZAG_LOOPS[d], s) for level in levels["O"] for d, s in level)
    cuts = []
    for op in ("W", "I", "O"):
        counts = [len(level) for level in levels[op]]
        cuts.append(tuple(itertools.accumulate(counts)))
    spatial = tuple(
        tuple((ZIGZAG_LOOPS[d], f) for d, f in loops if f > 1) for loops in result.spatial
    )
    spatial += ((),) * (len(arch.array) - len(spatial))
    return LoopNest(spatial, temporal, tuple(cuts))


def zigzag_entry(nest: LoopNest, layer: Layer, name: str = "default") -> dict[str, Any]:
    """A ZigZag mapping entry that makes ZigZag evaluate ``nest``: its unrolling and its
    complete loop order (ZigZag's allocator then cuts it as the native allocator does)."""
    spatial = {}
    for d, loops in enumerate(nest.spatial):
        items = [f"{NATIVE_LOOPS[dim]}, {f}" for dim, f in loops]
        if not items:  # an unused array dimension: unroll a present loop once
            items = [f"{NATIVE_LOOPS['K']}, 1"]
        spatial[f"D{d + 1}"] = items
    entry: dict[str, Any] = {
        "name": name,
        "spatial_mapping": spatial,
        "memory_operand_links": dict(_OPERAND_LINKS),
    }
    entry["temporal_ordering"] = [[NATIVE_LOOPS[d], s] for d, s in nest.temporal]
    if not entry["temporal_ordering"]:
        entry["temporal_ordering"] = [[NATIVE_LOOPS[DIMS[0]], 1]]
    return entry


@dataclass(frozen=True)
class ZigZagComparison:
    """One layer under one mapping on a ZigZag hardware file: both models' costs.

    The mapping is ZigZag's own (the best LOMA found for ``criterion`` with the shipped
    or generated unrolling), evaluated again by the native model. Breakdowns map "mac"
    and each memory to pJ.
    """

    layer: str
    hardware: str
    macs: int
    zigzag_energy_pj: float
    native_energy_pj: float
    zigzag_cycles: float
    native_cycles: float
    zigzag_seconds: float
    native_seconds: float
    zigzag_breakdown: dict[str, float]
    native_breakdown: dict[str, float]

    @property
    def energy_error(self) -> float:
        """(native - ZigZag) / ZigZag energy."""
        return self.native_energy_pj / self.zigzag_energy_pj - 1.0

    @property
    def latency_error(self) -> float:
        """(native - ZigZag) / ZigZag latency."""
        return self.native_cycles / self.zigzag_cycles - 1.0


def _zigzag_breakdown(result: ZigZagLayerResult) -> dict[str, float]:
    out = {"mac": result.mac_energy_pj}
    for key, pj in result.energy_by_level.items():
        memory = key.split("@", 1)[1]
        out[memory] = out.get(memory, 0.0) + pj
    return out


def _entry(layer: Layer, spatial: dict[str, list[str]] | None) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"name": "default", "memory_operand_links": dict(_OPERAND_LINKS)}
    if spatial is not None:
        entry["spatial_mapping"] = spatial
    return [entry]


def compare_with_zigzag(
    layers: Sequence[Layer],
    hardware: str = "tpu_like",
    *,
    spatial: str | dict[str, list[str]] = "shipped",
    criterion: str = "latency",
) -> list[ZigZagComparison]:
    """Every layer on a shipped ZigZag hardware file under the same mapping in both models.

    ZigZag searches (LOMA, ``criterion``) with ``spatial`` "shipped" (the mapping file's
    unrolling, generated for eyeriss_like), "auto" (generated) or an explicit unrolling;
    the mapping it picks is converted (:func:`loop_nest_from_zigzag`) and evaluated by
    the native model. Times are wall seconds (ZigZag's include its search).
    """
    from archgym.simulators.accelerator.model import evaluate
    from archgym.simulators.thirdparty.zigzag import run_zigzag, shipped_file

    arch = zigzag_architecture(hardware)
    path = shipped_file("hardware", hardware)
    unrolling = shipped_spatial(hardware) if spatial == "shipped" else None
    if isinstance(spatial, dict):
        unrolling = spatial
    out = []
    for layer in layers:
        start = time.perf_counter()
        (reference,) = run_zigzag(layer, path, _entry(layer, unrolling), opt=criterion)
        middle = time.perf_counter()
        native = evaluate(layer, arch, loop_nest_from_zigzag(reference, arch))
        end = time.perf_counter()
        out.append(
            ZigZagComparison(
                layer.name,
                hardware,
                layer.macs,
                reference.energy_pj,
                native.energy_pj,
                reference.latency_cycles,
                native.cycles,
                middle - start,
                end - middle,
                _zigzag_breakdown(reference),
                dict(native.energy_breakdown_pj),
            )
        )
    return out


@dataclass(frozen=True)
class BestMappingComparison:
    """ZigZag's LOMA best against the native mapper's best, one layer and criterion.

    ``zigzag_best``: ZigZag's value (cycles or pJ) of its best mapping; ``native_best``:
    the native mapper's best in the native model; ``native_best_in_zigzag``: ZigZag's own
    value of the native best mapping (the mapper judged by ZigZag's model);
    ``zigzag_best_in_native``: the native model's value of ZigZag's best mapping (a
    same-mapping check on every search).
    """

    layer: str
    hardware: str
    criterion: str
    zigzag_best: float
    native_best: float
    native_best_in_zigzag: float
    zigzag_best_in_native: float
    zigzag_seconds: float
    native_seconds: float
    zigzag_spatial: tuple
    native_spatial: tuple

    @property
    def error(self) -> float:
        """(native best - ZigZag best) / ZigZag best, each in its own model."""
        return self.native_best / self.zigzag_best - 1.0

    @property
    def error_in_zigzag(self) -> float:
        """(ZigZag's value of the native best - ZigZag best) / ZigZag best."""
        return self.native_best_in_zigzag / self.zigzag_best - 1.0

    @property
    def same_mapping_error(self) -> float:
        """(native - ZigZag) / ZigZag value of ZigZag's best mapping."""
        return self.zigzag_best_in_native / self.zigzag_best - 1.0


def compare_best_with_zigzag(
    layers: Sequence[Layer],
    hardware: str,
    *,
    criterion: str = "latency",
    budget: int = 3000,
    spatial_candidates: int = 3,
) -> list[BestMappingComparison]:
    """Both searches free (ZigZag: generated unrollings, its API's 3 candidates, LOMA;
    native: :func:`~archgym.simulators.accelerator.mapper.search` at ``budget``) on every
    layer, by ``criterion`` ("latency" or "energy"); the native best is also run in ZigZag."""
    from archgym.simulators.accelerator.mapper import search
    from archgym.simulators.accelerator.model import evaluate
    from archgym.simulators.thirdparty.zigzag import run_zigzag, shipped_file

    if criterion not in CRITERIA:
        raise ConfigError(f"criterion {criterion!r} not in {sorted(CRITERIA)}")
    arch = zigzag_architecture(hardware)
    path = shipped_file("hardware", hardware)

    def value(energy: float, cycles: float) -> float:
        return {"latency": cycles, "energy": energy, "EDP": energy * cycles}[criterion]

    out = []
    for layer in layers:
        start = time.perf_counter()
        (reference,) = run_zigzag(
            layer, path, _entry(layer, None), opt=criterion, spatial_candidates=spatial_candidates
        )
        middle = time.perf_counter()
        best = search(layer, arch, budget=budget, objective=CRITERIA[criterion])
        end = time.perf_counter()
        (check,) = run_zigzag(layer, path, [zigzag_entry(best.mapping, layer)], opt=criterion)
        theirs = evaluate(layer, arch, loop_nest_from_zigzag(reference, arch))
        out.append(
            BestMappingComparison(
                layer.name,
                hardware,
                criterion,
                value(reference.energy_pj, reference.latency_cycles),
                value(best.result.energy_pj, best.result.cycles),
                value(check.energy_pj, check.latency_cycles),
                value(theirs.energy_pj, theirs.cycles),
                middle - start,
                end - middle,
                reference.spatial,
                best.mapping.spatial,
            )
        )
    return out
