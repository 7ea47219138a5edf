"""Cross-checks of the native accelerator model against SCALE-Sim and ZigZag.

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

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archgym.errors import ConfigError
from archgym.simulators.accelerator.workload import Layer

if TYPE_CHECKING:
    from archgym.simulators.accelerator.architecture import Architecture
    from archgym.simulators.accelerator.mapping import Mapping
    from archgym.simulators.accelerator.model import LayerResult

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

#: Bits per word of each operand in ZigZag's layer description (layer_to_zigzag) and in the
#: native model: 8-bit weights and inputs, 16-bit partial sums, 8-bit final outputs.
_OPERAND_BITS = {"Weights": 8, "Inputs": 8, "Outputs": 16}
_ZIGZAG_OPERAND = {"Weights": "I2", "Inputs": "I1", "Outputs": "O"}


def _word_costs(memory: dict, bits: int) -> tuple[float, float]:
    """pJ per read and per write of one ``bits``-wide word of a ZigZag memory.

    ZigZag charges ``r_cost``/``w_cost`` per access of the port's maximum width and rounds
    each transfer up to the port's minimum width. A PE-private register file
    (``served_dimensions: []``) moves one word per transfer, so a word costs
    ``ceil(bits / min) * min / max`` of an access; a shared buffer moves whole tiles, so a
    word costs ``bits / max``.
    """
    port = max(memory["ports"], key=lambda p: p["bandwidth_max"])
    width = port["bandwidth_max"]
    charged = bits
    if not memory["served_dimensions"]:
        charged = math.ceil(bits / port["bandwidth_min"]) * port["bandwidth_min"]
    return memory["r_cost"] * charged / width, memory["w_cost"] * charged / width


#: ZigZag's shipped hardware files the comparison supports: name -> (weights, inputs,
#: outputs register files per PE (None: the operand bypasses the PE), the shared SRAM and
#: the operands it keeps (Weights 0, Inputs 1, Outputs 2)).
SHIPPED_STRUCTURES: dict[str, tuple[tuple[str | None, str | None, str], str, frozenset]] = {
    # 32 x 32 weight-stationary array; weights bypass the SRAM (TPU v1 style)
    "tpu_like": (("rf_128B", None, "rf_2B"), "sram_2MB", frozenset({1, 2})),
    # 256 x 256 array (FLAT's cloud accelerator) with a register file per operand per PE
    "generic_array_cacti": (("rf_W", "rf_I", "rf_O"), "sram_32MB", frozenset({0, 1, 2})),
}


def native_architecture(name: str, hardware: dict[str, Any]) -> Architecture:
    """The native Architecture with the structure of ZigZag's shipped ``<name>.yaml``.

    ``hardware`` is that YAML loaded. D1 maps to the mesh columns, D2 to the rows; the
    per-PE register files become the native scratchpads, the shared SRAM the global buffer
    (with the operands it keeps and its port width as bandwidth), DRAM's port width is
    matched through the clock (the native LPDDR4 table's 25.6 GB/s over the YAML's DRAM
    bits per cycle). Energies are not taken from the native tables:
    :func:`price_with_zigzag_costs` prices the native access counts with the YAML's costs.
    Raises ConfigError for a file the comparison does not support.
    """
    from archgym.simulators.accelerator.architecture import Architecture, MemoryLevel

    if name not in SHIPPED_STRUCTURES:
        raise ConfigError(
            f"no native counterpart of ZigZag's {name!r}; supported: "
            f"{', '.join(SHIPPED_STRUCTURES)}"
        )
    spad_names, sram_name, keeps = SHIPPED_STRUCTURES[name]
    memories = hardware["memories"]
    cols, rows = hardware["operational_array"]["sizes"]
    spads = []
    for operand, spad in zip(("Weights", "Inputs", "Outputs"), spad_names, strict=True):
        if spad is None:
            spads.append(None)
            continue
        bits = _OPERAND_BITS[operand]
        spads.append(MemoryLevel(spad, "regfile", memories[spad]["size"] // bits, bits))
    sram = memories[sram_name]
    sram_words = max(p["bandwidth_max"] for p in sram["ports"]) / 8
    dram_words = max(p["bandwidth_max"] for p in memories["dram"]["ports"]) / 8
    return Architecture(
        name=f"zigzag_{name}",
        pe_x=cols,
        pe_y=rows,
        mac_bits=8,
        spads=tuple(spads),
        glb=MemoryLevel(sram_name, "SRAM", sram["size"] // 8, 8, 1, sram_words, sram_words),
        glb_keeps=keeps,
        dram_type="LPDDR4",
        dram_word_bits=8,
        # the native LPDDR4 entry is 25.6 GB/s; this clock makes it dram_words per cycle
        clock_ghz=25.6 / dram_words,
        spatial_x=frozenset({"K"}),
        spatial_y=frozenset({"C"}),
        dataflow=name,
    )


def shared_mappings(
    name: str, layer: Layer, rows: int, cols: int
) -> tuple[Mapping, list[dict[str, Any]]]:
    """The same mapping of ``layer`` for the native model and ZigZag's shipped ``name``.

    K over the columns (D1), C over the rows (D2). Innermost temporal loops: the filter
    window (FX, FY) and, where inputs have a per-PE register file, the output columns
    (OX) in the PE; above it output rows (and columns), then K and C, all at the SRAM.
    ZigZag's allocator puts exactly these loops in the register files when they fit and
    the next loop does not. Returns ``(native Mapping, ZigZag mapping entries)``. Raises
    ConfigError unless K and C are multiples of the array's columns and rows.
    """
    from archgym.simulators.accelerator.mapping import Mapping
    from archgym.simulators.thirdparty.zigzag_inputs import mapping_entry

    if layer.K % cols or layer.C % rows or layer.G != 1 or layer.N != 1:
        raise ConfigError(
            f"layer {layer.name!r}: the {name} comparison needs K % {cols} == 0, "
            f"C % {rows} == 0, one group and batch 1"
        )
    k_outer, c_outer = layer.K // cols, layer.C // rows
    columns_in_pe = SHIPPED_STRUCTURES[name][0][1] is not None
    pe = {"R": layer.R, "S": layer.S}
    glb = {"P": layer.P, "K": k_outer, "C": c_outer}
    if columns_in_pe:
        pe["Q"] = layer.Q
        glb_order = "PKCQNGRS"
    else:
        glb["Q"] = layer.Q
        glb_order = "QPKCNGRS"
    native = Mapping.from_levels(
        layer,
        pe=pe,
        x={"K": cols},
        y={"C": rows},
        glb=glb,
        dram={},
        glb_order=glb_order,
        dram_order=glb_order,
    )
    ordering = [
        ["FX", layer.S],
        ["FY", layer.R],
        ["OX", layer.Q],
        ["OY", layer.P],
        ["K", k_outer],
        ["C", c_outer],
    ]
    ordering = [loop for loop in ordering if loop[1] > 1]
    spatial = {"D1": ("K", cols), "D2": ("C", rows)}
    return native, [mapping_entry("default", spatial, ordering)]


def price_with_zigzag_costs(result: LayerResult, hardware: dict[str, Any]) -> dict[str, float]:
    """Energy (pJ) of a native LayerResult with the per-access costs of a ZigZag YAML.

    Returns ``{"<operand>@<memory>": pJ, ..., "mac": pJ}``; reads cost ``r_cost`` shares,
    fills and updates ``w_cost`` shares (see :func:`_word_costs`). Final outputs written
    to DRAM are 8-bit (ZigZag's ``O_final``).
    """
    memories = hardware["memories"]
    out: dict[str, float] = {}
    for (level, operand), counts in result.accesses.items():
        bits = _OPERAND_BITS[operand]
        if level == "dram" and operand == "Outputs":
            bits = 8
        read_pj, write_pj = _word_costs(memories[level], bits)
        short = {"Weights": "W", "Inputs": "I", "Outputs": "O"}[operand]
        out[f"{short}@{level}"] = (
            counts["reads"] * read_pj + (counts["fills"] + counts["updates"]) * write_pj
        )
    out["mac"] = result.macs * hardware["operational_array"]["unit_energy"]
    return out


@dataclass(frozen=True)
class ZigZagComparison:
    """One layer under one mapping on a ZigZag shipped hardware file: both models."""

    layer: str
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


def compare_with_zigzag(
    layers: Sequence[Layer], hardware_name: str = "tpu_like"
) -> list[ZigZagComparison]:
    """Every layer on a ZigZag shipped hardware file, the same mapping in both models."""
    import yaml

    from archgym.simulators.accelerator.model import evaluate
    from archgym.simulators.thirdparty.zigzag import run_zigzag, shipped_file

    path = shipped_file("hardware", hardware_name)
    hardware = yaml.safe_load(path.read_text())
    arch = native_architecture(hardware_name, hardware)
    out = []
    for layer in layers:
        native_mapping, zigzag_mapping = shared_mappings(hardware_name, layer, arch.pe_y, arch.pe_x)
        start = time.perf_counter()
        (reference,) = run_zigzag(layer, path, zigzag_mapping)
        middle = time.perf_counter()
        native = evaluate(layer, arch, native_mapping)
        breakdown = price_with_zigzag_costs(native, hardware)
        end = time.perf_counter()
        zigzag_breakdown = dict(reference.energy_by_level, mac=reference.mac_energy_pj)
        out.append(
            ZigZagComparison(
                layer.name,
                layer.macs,
                reference.energy_pj,
                sum(breakdown.values()),
                reference.latency_cycles,
                native.cycles,
                middle - start,
                end - middle,
                zigzag_breakdown,
                breakdown,
            )
        )
    return out
