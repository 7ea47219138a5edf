"""TimeloopSimulator: Timeloop's ``timeloop-model`` on a rendered architecture, problem and mapping.

Written against Timeloop v3.0.3 (github.com/NVlabs/timeloop, tag v3.0.3, 2023-10-05),
``timeloop-model`` with its built-in energy model (no Accelergy: the
architecture is written in Timeloop's classic ``arch: {arithmetic, storage}`` form, for
which ``timeloop-model`` does not call Accelergy). The executable is the ``binary``
option, else ``$ARCHGYM_TIMELOOP``, else ``timeloop-model`` on PATH.

The hardware is a weight- or output-stationary PE array: DRAM, a shared global buffer
(``GlobalBuffer``, ``sizeKB``, read/write bandwidth in words per cycle), and per PE a
register file (``RegisterFile``, ``entries``) feeding one MAC; ``mesh_x`` PEs a row.
For each layer of the workload the adapter writes ``arch.yaml``, ``problem.yaml`` (the
layer with the CNN-layer shape written out, so no shape file is needed) and
``map.yaml``, and runs ``timeloop-model arch.yaml problem.yaml map.yaml``; it reads
``Cycles`` and ``Energy`` (uJ) from ``timeloop-model.stats.txt``. A network's energy and
cycles are summed over its layers (a grouped layer counts G times its per-group layer:
the cnn-layer shape has no group dimension). There is no area metric: Timeloop's
built-in models price energy only (area comes from Accelergy, which this classic form
does not call, and ``timeloop-model`` reports 0 mm^2).

The mapping is archgym's, not Timeloop's mapper's: output channels K are spread over a
row of PEs and, weight stationary, input channels C over the columns (each PE keeps an
R x S filter in its register file while the outputs stream past; the global buffer keeps
inputs and outputs), or, output stationary, output rows P over the columns (each PE
accumulates one output in its register file over C, R and S; the global buffer keeps
inputs and weights). The spatial factors are the largest divisors that fit the array;
the output columns Q are tiled so that the global buffer's tile fits, and what is left
of Q, K and C (and N) iterates at DRAM. Checked against a timeloop-model v3.0.3 build
(benchmarks/results/external.md). When a tile does not fit its buffer, Timeloop says
"couldn't map level ..." and the design is infeasible for that workload
(InvalidDesignError).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from archgym.errors import WorkloadError
from archgym.simulator import Metrics, MetricSpec
from archgym.simulators.external.base import NO_CONTEXT, CommandLineSimulator
from archgym.simulators.external.parsers import regex_values
from archgym.simulators.external.runner import ToolOutput
from archgym.spaces import Categorical, Design, DesignSpace, Ordinal

DATAFLOWS = ("weight_stationary", "output_stationary")
STATS_FILE = "timeloop-model.stats.txt"
#: Timeloop's loop dimensions (problem-shapes/cnn-layer.yaml), in its order.
TIMELOOP_DIMS = ("R", "S", "P", "Q", "C", "K", "N")

#: The CNN-layer problem shape of Timeloop's problem-shapes/cnn-layer.yaml, inline.
CNN_LAYER_SHAPE = {
    "name": "CNN-Layer",
    "dimensions": list(TIMELOOP_DIMS),
    "coefficients": [
        {"name": name, "default": 1} for name in ("Wstride", "Hstride", "Wdilation", "Hdilation")
    ],
    "data-spaces": [
        {"name": "Weights", "projection": [[["C"]], [["K"]], [["R"]], [["S"]]]},
        {
            "name": "Inputs",
            "projection": [
                [["N"]],
                [["C"]],
                [["R", "Wdilation"], ["P", "Wstride"]],
                [["S", "Hdilation"], ["Q", "Hstride"]],
            ],
        },
        {"name": "Outputs", "projection": [[["N"]], [["K"]], [["Q"]], [["P"]]], "read-write": True},
    ],
}

METRIC_SPECS = (
    MetricSpec("energy_uj", "uJ", "min", "energy summed over the layers", 3e4),
    MetricSpec("cycles", "cycles", "min", "cycles summed over the layers", 1e7),
    MetricSpec("edp", "uJ*cycles", "min", "energy x cycles", 3e11),
    MetricSpec("utilisation", "", "max", "MACs per PE per cycle", 0.5),
)

_NUMBER = r"([-+]?[0-9.]+(?:[eE][-+]?\d+)?)"
_PARSE = regex_values(
    {
        "cycles": rf"^Cycles:\s*{_NUMBER}",
        "energy_uj": rf"^Energy:\s*{_NUMBER}\s*uJ",
    },
    STATS_FILE,
)


def design_space() -> DesignSpace:
    """The PE array's knobs (see the module docstring)."""
    return DesignSpace(
        [
            Ordinal.powers_of_two("pe_count", 16, 256, doc="processing elements"),
            Ordinal.powers_of_two("mesh_x", 2, 16, doc="PEs per row of the array"),
            Ordinal.powers_of_two("rf_entries", 1, 256, unit="words", doc="register file per PE"),
            Ordinal.powers_of_two("glb_kib", 16, 512, unit="KiB", doc="global buffer"),
            Ordinal(
                "glb_bandwidth", (4, 8, 16, 32), unit="words/cycle", doc="buffer read/write ports"
            ),
            Categorical("dataflow", DATAFLOWS, doc="what each PE's register file keeps"),
        ]
    )


class TimeloopSimulator(CommandLineSimulator):
    """timeloop-model as an archgym simulator (see the module docstring).

    Args:
        binary: the ``timeloop-model`` executable (see the module docstring).
        word_bits: the width of every data word (weights, inputs, partial sums).
        Other keyword arguments go to :class:`CommandLineSimulator`.
    """

    name = "timeloop"
    tool = "Timeloop"
    binary_names = ("timeloop-model",)
    binary_env_var = "ARCHGYM_TIMELOOP"
    written_against = "Timeloop v3.0.3 (github.com/NVlabs/timeloop), timeloop-model"
    default_timeout_s = 120.0
    rejections = (r"couldn't map level",)

    def __init__(self, binary: str | None = None, *, word_bits: int = 16, **options: Any) -> None:
        self.word_bits = int(word_bits)
        super().__init__(binary, design_space=design_space(), metric_specs=METRIC_SPECS, **options)

    def options(self) -> dict[str, Any]:
        return {"word_bits": self.word_bits}

    # Inputs ------------------------------------------------------------------------
    def render_arch(self, design: Design) -> dict[str, Any]:
        """``arch.yaml``: the classic arithmetic + storage description."""
        pes, mesh_x, bits = design["pe_count"], design["mesh_x"], self.word_bits
        return {
            "arch": {
                "arithmetic": {
                    "name": "MACs",
                    "instances": pes,
                    "meshX": mesh_x,
                    "word-bits": bits,
                },
                "storage": [
                    {
                        "name": "RegisterFile",
                        "entries": design["rf_entries"],
                        "instances": pes,
                        "meshX": mesh_x,
                        "word-bits": bits,
                        "read_bandwidth": 2,
                        "write_bandwidth": 2,
                    },
                    {
                        "name": "GlobalBuffer",
                        "sizeKB": design["glb_kib"],
                        "instances": 1,
                        "word-bits": bits,
                        "block-size": 4,
                        "read_bandwidth": design["glb_bandwidth"],
                        "write_bandwidth": design["glb_bandwidth"],
                    },
                    {"name": "DRAM", "technology": "DRAM", "instances": 1, "word-bits": bits},
                ],
            }
        }

    def write_inputs(
        self,
        directory: Path,
        design: Design,
        workload: Any,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> None:
        layer = workload
        files = {
            "arch.yaml": self.render_arch(design),
            "problem.yaml": render_problem(layer),
            "map.yaml": render_mapping(layer, design, self.word_bits),
        }
        for name, content in files.items():
            (directory / name).write_text(yaml.safe_dump(content, sort_keys=False))

    def command_line(
        self, design: Design, workload: Any, context: Mapping[str, Any] = NO_CONTEXT
    ) -> list[str]:
        return [str(self.binary), "arch.yaml", "problem.yaml", "map.yaml"]

    def parse(self, output: ToolOutput, design: Design, workload: Any) -> Metrics:
        values = _PARSE(output)
        macs = workload.macs
        return {
            **values,
            "edp": values["energy_uj"] * values["cycles"],
            "utilisation": macs / (design["pe_count"] * values["cycles"]),
        }

    # Evaluation --------------------------------------------------------------------
    def evaluate(self, design: Design, workload: Any) -> Metrics:
        """Run every layer of ``workload`` (a Layer, Network or sequence of layers).

        Raises InvalidDesignError when Timeloop cannot map a layer on the design.
        """
        from archgym.simulators.accelerator.workload import as_network

        design = self.design_space.validate(design)
        try:
            layers = as_network(workload).layers
        except (TypeError, AttributeError) as error:
            raise WorkloadError(f"Timeloop needs DNN layers, got {workload!r}") from error
        by_shape: dict[tuple[int, ...], Metrics] = {}
        energy = cycles = 0.0
        macs = 0
        for layer in layers:
            key = layer.shape_key()
            if key not in by_shape:
                by_shape[key] = self.run(design, _one_group(layer))
            result = by_shape[key]
            energy += result["energy_uj"] * layer.G
            cycles += result["cycles"] * layer.G
            macs += layer.macs
        return {
            "energy_uj": energy,
            "cycles": cycles,
            "edp": energy * cycles,
            "utilisation": macs / (design["pe_count"] * cycles),
        }


def _one_group(layer: Any) -> Any:
    from dataclasses import replace

    return replace(layer, G=1) if layer.G > 1 else layer


def render_problem(layer: Any) -> dict[str, Any]:
    """``problem.yaml`` for one group of ``layer`` (archgym P/R pair with Timeloop's W)."""
    return {
        "problem": {
            "shape": CNN_LAYER_SHAPE,
            "R": layer.R,
            "S": layer.S,
            "P": layer.P,
            "Q": layer.Q,
            "C": layer.C,
            "K": layer.K,
            "N": layer.N,
            "Wstride": layer.stride_h,
            "Hstride": layer.stride_w,
            "Wdilation": layer.dilation_h,
            "Hdilation": layer.dilation_w,
        }
    }


def largest_divisor(n: int, limit: int) -> int:
    """The largest divisor of ``n`` that is at most ``limit``."""
    return max(d for d in range(1, min(n, limit) + 1) if n % d == 0)


def _fitting_tile(extent: int, words: Any, capacity: int) -> int:
    """The largest divisor of ``extent`` whose tile ``words(tile)`` fits ``capacity`` (else 1)."""
    fitting = [d for d in range(1, extent + 1) if extent % d == 0 and words(d) <= capacity]
    return max(fitting, default=1)


def _factors(**values: int) -> str:
    return " ".join(f"{dim}{values.get(dim, 1)}" for dim in TIMELOOP_DIMS)


def render_mapping(layer: Any, design: Design, word_bits: int = 16) -> dict[str, Any]:
    """``map.yaml``: archgym's fixed mapping of ``layer`` on ``design`` (module docstring).

    The output columns Q are tiled so that the global buffer's tile fits its
    ``glb_kib`` (the largest tile that does; the rest of Q iterates at DRAM, innermost,
    so the register files keep their weights from one tile to the next).
    """
    columns = design["mesh_x"]
    rows = design["pe_count"] // columns
    capacity = design["glb_kib"] * 1024 * 8 // word_bits
    kx = largest_divisor(layer.K, columns)
    input_h = (layer.P - 1) * layer.stride_h + (layer.R - 1) * layer.dilation_h + 1

    def input_w(q: int) -> int:
        return (q - 1) * layer.stride_w + (layer.S - 1) * layer.dilation_w + 1

    if design["dataflow"] == "weight_stationary":
        cy = largest_divisor(layer.C, rows)
        q = _fitting_tile(layer.Q, lambda q: cy * input_h * input_w(q) + kx * layer.P * q, capacity)
        spatial = _factors(K=kx, C=cy)
        rf = {"keep": ["Weights"], "bypass": ["Inputs", "Outputs"]}
        glb = {"keep": ["Inputs", "Outputs"], "bypass": ["Weights"]}
        rf_loops = _factors(R=layer.R, S=layer.S, P=layer.P, Q=q)
        glb_loops = _factors()
        dram_loops = _factors(Q=layer.Q // q, C=layer.C // cy, K=layer.K // kx, N=layer.N)
        order = ("RSPQCKN", "KCRSPQN", "QCKNRSP")
    else:
        py = largest_divisor(layer.P, rows)
        weights = kx * layer.C * layer.R * layer.S
        q = _fitting_tile(layer.Q, lambda q: weights + layer.C * input_h * input_w(q), capacity)
        spatial = _factors(K=kx, P=py)
        rf = {"keep": ["Outputs"], "bypass": ["Inputs", "Weights"]}
        glb = {"keep": ["Inputs", "Weights"], "bypass": ["Outputs"]}
        rf_loops = _factors(R=layer.R, S=layer.S, C=layer.C)
        glb_loops = _factors(Q=q, P=layer.P // py)
        dram_loops = _factors(Q=layer.Q // q, K=layer.K // kx, N=layer.N)
        order = ("RSCPQKN", "KPRSCQN", "QKNRSPC")
    rf_order, spatial_order, dram_order = order
    return {
        "mapping": [
            {"target": "RegisterFile", "type": "datatype", **rf},
            {"target": "GlobalBuffer", "type": "datatype", **glb},
            {
                "target": "DRAM",
                "type": "datatype",
                "keep": ["Weights", "Inputs", "Outputs"],
                "bypass": [],
            },
            {
                "target": "RegisterFile",
                "type": "temporal",
                "factors": rf_loops,
                "permutation": rf_order,
            },
            {
                "target": "GlobalBuffer",
                "type": "spatial",
                "factors": spatial,
                "permutation": spatial_order,
                "split": 1,
            },
            {
                "target": "GlobalBuffer",
                "type": "temporal",
                "factors": glb_loops,
                "permutation": "QPRSCKN",
            },
            {
                "target": "DRAM",
                "type": "temporal",
                "factors": dram_loops,
                "permutation": dram_order,
            },
        ]
    }
