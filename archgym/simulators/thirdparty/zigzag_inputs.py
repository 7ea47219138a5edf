"""ZigZag's input descriptions written from archgym objects: hardware, layers, mappings.

- :class:`ZigZagHardware`: the accelerator template (array rows x columns, per-PE
  register files for weights, inputs and partial sums, a shared global buffer, DRAM) and
  its accelerator YAML, with per-access energies anchored on CACTI numbers;
- :func:`layer_to_zigzag`: an archgym :class:`~archgym.simulators.accelerator.workload.Layer`
  as a ZigZag layer (``loop_dims``/``loop_sizes``/``dimension_relations``);
- :func:`spatial_unrolling`, :func:`fixed_temporal_ordering` and :func:`mapping_entry`:
  the mapping YAML (spatial unrolling per dataflow, optionally a fixed temporal loop order).

Everything here is plain data (dicts ready for ``yaml.safe_dump``); nothing imports
``zigzag-dse``. :mod:`archgym.simulators.thirdparty.zigzag` runs the tool on them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archgym.errors import ConfigError, WorkloadError
from archgym.simulators.accelerator.workload import Layer
from archgym.spaces import Design

#: Dataflow name -> the layer loops unrolled over the array's rows (D1) and columns (D2).
#: "pixels" is OX (or OY when the layer has a single output column, as a GEMM has).
DATAFLOWS: dict[str, tuple[str, str]] = {
    "weight_stationary": ("C", "K"),
    "output_stationary": ("pixels", "K"),
    "input_stationary": ("C", "pixels"),
}

#: Temporal loop order (innermost first) of the fixed mapping of each dataflow: the loops
#: that keep the stationary operand in the PE register file go innermost.
_FIXED_ORDER: dict[str, tuple[str, ...]] = {
    "weight_stationary": ("OX", "OY", "B", "FX", "FY", "C", "K", "G"),
    "output_stationary": ("C", "FX", "FY", "K", "OX", "OY", "B", "G"),
    "input_stationary": ("K", "FX", "FY", "C", "OX", "OY", "B", "G"),
}

# ---------------------------------------------------------------- energy per access

# REFERENCES.md s3, CACTI via hwcomponents at 45 nm: SRAM 64 x 16 bit reads 0.437 pJ,
# writes 0.718 pJ; SRAM 16384 x 64 bit reads 32.29 pJ, writes 26.07 pJ. Energy per bit
# is fitted as a power law of capacity through these two points.
_SMALL_BITS, _LARGE_BITS = 64 * 16, 16384 * 64
_READ_PJ_PER_BIT = (0.437 / 16, 32.29 / 64)
_WRITE_PJ_PER_BIT = (0.718 / 16, 26.07 / 64)
# REFERENCES.md s3: a 64-bit register costs 0.663 pJ at 45 nm (floor for tiny buffers).
_REGISTER_PJ_PER_BIT = 0.663 / 64
# REFERENCES.md s3: integer MAC (8-bit multiplier + 16-bit adder) 1.033 pJ at 45 nm.
MAC_ENERGY_PJ = 1.033
# REFERENCES.md s3: LPDDR4 8 pJ per bit.
DRAM_PJ_PER_BIT = 8.0


def sram_energy_per_bit_pj(capacity_bits: int, write: bool = False) -> float:
    """Energy per accessed bit (pJ) of an SRAM of ``capacity_bits``, 45 nm, CACTI-anchored."""
    small, large = _WRITE_PJ_PER_BIT if write else _READ_PJ_PER_BIT
    exponent = math.log(large / small) / math.log(_LARGE_BITS / _SMALL_BITS)
    return max(_REGISTER_PJ_PER_BIT, small * (capacity_bits / _SMALL_BITS) ** exponent)


# ---------------------------------------------------------------- hardware template


@dataclass(frozen=True)
class ZigZagHardware:
    """The accelerator template written as ZigZag YAML; sizes in bytes, bandwidths in bits/cycle.

    Every PE has a register file per operand (served_dimensions ``[]``); one global buffer
    holds all three operands for the whole array; DRAM is the top level. Precisions are
    8-bit weights and inputs and 16-bit partial sums. Raises ConfigError for a
    non-positive size or an unknown dataflow.
    """

    array_rows: int = 16
    array_cols: int = 16
    dataflow: str = "weight_stationary"
    weight_rf_bytes: int = 16
    input_rf_bytes: int = 8
    output_rf_bytes: int = 4
    global_buffer_kb: int = 256
    global_buffer_bandwidth_bits: int = 512
    dram_bandwidth_bits: int = 64

    def __post_init__(self) -> None:
        if self.dataflow not in DATAFLOWS:
            raise ConfigError(
                f"ZigZag dataflow {self.dataflow!r} is not one of {', '.join(DATAFLOWS)}"
            )
        for name in (
            "array_rows",
            "array_cols",
            "weight_rf_bytes",
            "input_rf_bytes",
            "output_rf_bytes",
            "global_buffer_kb",
            "global_buffer_bandwidth_bits",
            "dram_bandwidth_bits",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"ZigZag hardware: {name} must be a positive int, got {value!r}")

    @classmethod
    def from_design(cls, design: Design) -> ZigZagHardware:
        """The hardware a design of :func:`zigzag_space` stands for."""
        return cls(**{k: design[k] for k in cls.__dataclass_fields__ if k in design})

    def accelerator_yaml(self) -> dict[str, Any]:
        """The ZigZag accelerator description (a dict ready for ``yaml.safe_dump``)."""
        gb_bits = self.global_buffer_kb * 8192
        gb_bw = self.global_buffer_bandwidth_bits
        dram_bw = self.dram_bandwidth_bits
        memories = {
            "rf_weights": _register_file(self.weight_rf_bytes * 8, "I2", 8),
            "rf_inputs": _register_file(self.input_rf_bytes * 8, "I1", 8),
            "rf_outputs": _register_file(self.output_rf_bytes * 8, "O", 16),
            "global_buffer": {
                "size": gb_bits,
                "r_cost": round(gb_bw * sram_energy_per_bit_pj(gb_bits), 6),
                "w_cost": round(gb_bw * sram_energy_per_bit_pj(gb_bits, write=True), 6),
                "area": 0.0,
                "latency": 1,
                "operands": ["I1", "I2", "O"],
                "ports": [
                    _port("r_port_1", "read", 64, gb_bw, ["I1, tl", "I2, tl", "O, tl", "O, th"]),
                    _port("w_port_1", "write", 64, gb_bw, ["I1, fh", "I2, fh", "O, fh", "O, fl"]),
                ],
                "served_dimensions": ["D1", "D2"],
            },
            "dram": {
                "size": 10**10,
                "r_cost": dram_bw * DRAM_PJ_PER_BIT,
                "w_cost": dram_bw * DRAM_PJ_PER_BIT,
                "area": 0.0,
                "latency": 1,
                "operands": ["I1", "I2", "O"],
                "ports": [
                    _port(
                        "rw_port_1",
                        "read_write",
                        dram_bw,
                        dram_bw,
                        [f"{op}, {d}" for op in ("I1", "I2") for d in ("fh", "tl")]
                        + ["O, fh", "O, tl", "O, fl", "O, th"],
                    )
                ],
                "served_dimensions": ["D1", "D2"],
            },
        }
        return {
            "name": "archgym_zigzag_template",
            "memories": memories,
            "operational_array": {
                "unit_energy": MAC_ENERGY_PJ,
                "unit_area": 1.0,
                "dimensions": ["D1", "D2"],
                "sizes": [self.array_rows, self.array_cols],
            },
        }


def _register_file(bits: int, operand: str, width: int) -> dict[str, Any]:
    read = ["O, tl", "O, th"] if operand == "O" else [f"{operand}, tl"]
    write = ["O, fh", "O, fl"] if operand == "O" else [f"{operand}, fh"]
    return {
        "size": bits,
        "r_cost": round(width * sram_energy_per_bit_pj(bits), 6),
        "w_cost": round(width * sram_energy_per_bit_pj(bits, write=True), 6),
        "area": 0.0,
        "latency": 1,
        "operands": [operand],
        "ports": [
            _port("r_port_1", "read", width, width, read),
            _port("w_port_1", "write", width, width, write),
        ],
        "served_dimensions": [],
    }


def _port(name: str, kind: str, bw_min: int, bw_max: int, allocation: list[str]) -> dict:
    return {
        "name": name,
        "type": kind,
        "bandwidth_min": bw_min,
        "bandwidth_max": bw_max,
        "allocation": allocation,
    }


# ---------------------------------------------------------------- workload and mapping


def layer_to_zigzag(layer: Layer, layer_id: int = 0) -> dict[str, Any]:
    """One archgym layer as a ZigZag layer dict (8-bit operands, 16-bit partial sums).

    Groups become ZigZag's ``G`` loop; strides and dilations its dimension relations.
    Padding is already part of ``P``/``Q`` (archgym layers hold output sizes).
    """
    if not isinstance(layer, Layer):
        raise WorkloadError(f"ZigZag needs archgym Layer objects, got {layer!r}")
    relations = [
        f"ix={layer.stride_w}*ox+{layer.dilation_w}*fx",
        f"iy={layer.stride_h}*oy+{layer.dilation_h}*fy",
    ]
    if layer.G > 1:
        equation = "O[b][g][k][oy][ox]+=W[g][k][c][fy][fx]*I[b][g][c][iy][ix]"
        dims = ["B", "G", "K", "C", "OY", "OX", "FY", "FX"]
        sizes = [layer.N, layer.G, layer.K, layer.C, layer.P, layer.Q, layer.R, layer.S]
    else:
        equation = "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]"
        dims = ["B", "K", "C", "OY", "OX", "FY", "FX"]
        sizes = [layer.N, layer.K, layer.C, layer.P, layer.Q, layer.R, layer.S]
    return {
        "id": layer_id,
        "name": zigzag_layer_name(layer_id),
        "operator_type": "Conv",
        "equation": equation,
        "dimension_relations": relations,
        "loop_dims": dims,
        "loop_sizes": sizes,
        "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
        "operand_source": {"I": layer_id, "W": layer_id},
    }


def zigzag_layer_name(layer_id: int) -> str:
    """The name ZigZag knows layer ``layer_id`` by (what mapping entries refer to)."""
    return f"layer{layer_id}"


def _loop_sizes(layer: Layer) -> dict[str, int]:
    return {
        "B": layer.N,
        "G": layer.G,
        "K": layer.K,
        "C": layer.C,
        "OY": layer.P,
        "OX": layer.Q,
        "FY": layer.R,
        "FX": layer.S,
    }


def spatial_unrolling(
    layer: Layer, dataflow: str, rows: int, cols: int
) -> dict[str, tuple[str, int]]:
    """Loops unrolled over D1 (rows) and D2 (columns), each capped by the loop's size.

    A channel loop of size 1 in a grouped layer (depthwise) is replaced by the groups, G.

    Returns ``{array dimension: (loop, factor)}``, e.g. ``{"D1": ("C", 16), "D2": ("K", 16)}``
    for weight-stationary on a 16 x 16 array.
    """
    sizes = _loop_sizes(layer)
    out: dict[str, Any] = {}
    placements = zip(("D1", "D2"), DATAFLOWS[dataflow], (rows, cols), strict=True)
    used_groups = False
    for array_dim, loop, extent in placements:
        if loop == "pixels":
            loop = "OY" if layer.Q == 1 and layer.P > 1 else "OX"
        elif sizes[loop] == 1 and layer.G > 1 and not used_groups:
            # depthwise (one channel per group): the groups take the channel's place
            loop, used_groups = "G", True
        out[array_dim] = (loop, min(extent, sizes[loop]))
    return out


def fixed_temporal_ordering(
    layer: Layer, dataflow: str, spatial: Mapping[str, tuple[str, int]]
) -> list[list[Any]]:
    """The complete temporal loop order (innermost first) of the fixed mapping.

    Each loop runs ``ceil(size / spatial factor)`` times, as ZigZag's greedy spatial
    mapping requires; loops of size 1 are left out.
    """
    sizes = _loop_sizes(layer)
    for loop, factor in spatial.values():
        sizes[loop] = math.ceil(sizes[loop] / factor)
    return [[loop, sizes[loop]] for loop in _FIXED_ORDER[dataflow] if sizes[loop] > 1]


def mapping_entry(
    name: str,
    spatial: Mapping[str, tuple[str, int]],
    temporal: Sequence[Sequence[Any]] | None = None,
    operand_links: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One ZigZag mapping entry (``name`` is a layer name, an operator type or "default")."""
    entry: dict[str, Any] = {
        "name": name,
        "spatial_mapping": {dim: [f"{loop}, {factor}"] for dim, (loop, factor) in spatial.items()},
        "memory_operand_links": dict(operand_links or {"O": "O", "W": "I2", "I": "I1"}),
    }
    if temporal is not None:
        entry["temporal_ordering"] = [list(loop) for loop in temporal]
    return entry
