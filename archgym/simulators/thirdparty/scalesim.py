"""SCALE-Sim (Georgia Tech, ``scalesim`` 3.0.0) as an archgym backend.

SCALE-Sim simulates a systolic array cycle by cycle: it builds the operand matrices of a
convolution, folds them onto the array for the chosen dataflow (``ws`` weight-, ``os``
output-, ``is`` input-stationary), and runs the resulting SRAM demand through
double-buffered scratchpads backed by DRAM. It reports cycles, utilisation and SRAM/DRAM
accesses; it has no energy model.

This module writes the tool's own inputs (an INI config, a topology CSV and an empty
layout CSV) into a private directory, runs it through its Python API
(``scalesim.scale_sim.scalesim``) inside :func:`contained_run` (its prints captured, its
``exit()`` on a missing file turned into :class:`ToolError`), and reads the per-layer
results from the simulator objects. Layers of the same shape are simulated once.

SCALE-Sim has no groups, batch or dilation: a layer with ``G`` groups and batch ``N`` is
simulated as one group of one image and its cycles and accesses multiplied by ``N * G``
(the groups run back to back); dilation > 1 and unequal strides raise WorkloadError.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from archgym.errors import ConfigError, InvalidDesignError, MissingExtraError, WorkloadError
from archgym.simulator import Metrics, MetricSpec, Simulator
from archgym.simulators.accelerator.workload import Layer, Network, as_network
from archgym.simulators.thirdparty.sandbox import ToolError, contained_run
from archgym.spaces import Categorical, Design, DesignSpace, Ordinal

logger = logging.getLogger(__name__)

EXTRA = "thirdparty"
PACKAGE = "scalesim"

#: SCALE-Sim's dataflow names: weight-, output- and input-stationary.
DATAFLOWS = ("ws", "os", "is")

_RUN_NAME = "archgym"


@dataclass(frozen=True)
class ScaleSimConfig:
    """One SCALE-Sim architecture: array, SRAM sizes (KiB of 1-byte words), dataflow.

    ``dram_bandwidth_words`` None runs SCALE-Sim's CALC mode (it sizes the DRAM interface
    so that nothing stalls; its default); an integer runs USER mode with that many words
    per cycle, where too little bandwidth shows up as stall cycles.
    """

    array_rows: int = 16
    array_cols: int = 16
    dataflow: str = "ws"
    ifmap_sram_kb: int = 64
    filter_sram_kb: int = 64
    ofmap_sram_kb: int = 64
    dram_bandwidth_words: int | None = None

    def __post_init__(self) -> None:
        if self.dataflow not in DATAFLOWS:
            raise ConfigError(
                f"SCALE-Sim dataflow {self.dataflow!r} is not one of {', '.join(DATAFLOWS)}"
            )
        for name in (
            "array_rows",
            "array_cols",
            "ifmap_sram_kb",
            "filter_sram_kb",
            "ofmap_sram_kb",
        ):
            _check_positive(name, getattr(self, name))
        if self.dram_bandwidth_words is not None:
            _check_positive("dram_bandwidth_words", self.dram_bandwidth_words)

    @classmethod
    def from_design(cls, design: Design, dram_bandwidth_words: int | None = None) -> ScaleSimConfig:
        """The configuration a design of :func:`scalesim_space` stands for."""
        return cls(
            **{k: design[k] for k in cls.__dataclass_fields__ if k in design},
            dram_bandwidth_words=dram_bandwidth_words,
        )

    def config_text(self) -> str:
        """The SCALE-Sim config file (INI sections as scalesim 3.0.0 reads them)."""
        user = self.dram_bandwidth_words is not None
        bandwidth = self.dram_bandwidth_words if user else 10
        return "\n".join(
            [
                "[general]",
                f"run_name = {_RUN_NAME}",
                "",
                "[architecture_presets]",
                f"ArrayHeight: {self.array_rows}",
                f"ArrayWidth: {self.array_cols}",
                f"IfmapSramSzkB: {self.ifmap_sram_kb}",
                f"FilterSramSzkB: {self.filter_sram_kb}",
                f"OfmapSramSzkB: {self.ofmap_sram_kb}",
                "IfmapOffset: 0",
                "FilterOffset: 10000000",
                "OfmapOffset: 20000000",
                f"Bandwidth: {bandwidth}",
                f"Dataflow: {self.dataflow}",
                "MemoryBanks: 1",
                "ReadRequestBuffer: 512",
                "WriteRequestBuffer: 512",
                "",
                "[layout]",
                "IfmapCustomLayout: False",
                "FilterCustomLayout: False",
                # In USER mode scalesim 3.0.0 feeds the ifmap and filter buffers at this
                # per-bank bandwidth; one bank keeps it equal to the DRAM bandwidth.
                f"IfmapSRAMBankBandwidth: {bandwidth}",
                "IfmapSRAMBankNum: 1",
                "IfmapSRAMBankPort: 2",
                f"FilterSRAMBankBandwidth: {bandwidth}",
                "FilterSRAMBankNum: 1",
                "FilterSRAMBankPort: 2",
                "",
                "[sparsity]",
                "SparsitySupport: false",
                "",
                "[run_presets]",
                f"InterfaceBandwidth: {'USER' if user else 'CALC'}",
                "UseRamulatorTrace: False",
                "",
            ]
        )


def _check_positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"SCALE-Sim: {name} must be a positive int, got {value!r}")


TOPOLOGY_HEADER = (
    "Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,Strides,"
)


def topology_row(layer: Layer, name: str) -> str:
    """The topology CSV row of one group of one image of ``layer``.

    The IFMAP size is the input the outputs touch, padding included, so that SCALE-Sim's
    ``(H - R) / stride + 1`` gives back P x Q. Raises WorkloadError for dilation > 1 or
    unequal strides, which SCALE-Sim cannot express.
    """
    if layer.dilation_h != 1 or layer.dilation_w != 1:
        raise WorkloadError(f"layer {layer.name!r}: SCALE-Sim has no dilation (got > 1)")
    if layer.stride_h != layer.stride_w:
        raise WorkloadError(
            f"layer {layer.name!r}: SCALE-Sim needs equal strides, got "
            f"{layer.stride_h} x {layer.stride_w}"
        )
    fields = (
        name,
        layer.input_h,
        layer.input_w,
        layer.R,
        layer.S,
        layer.C,
        layer.K,
        layer.stride_h,
    )
    return ",".join(str(f) for f in fields) + ","


@dataclass(frozen=True)
class ScaleSimLayerResult:
    """SCALE-Sim's report for one layer (all N x G groups); counts in words, times in cycles.

    ``compute_cycles`` is the COMPUTE_REPORT's "Total Cycles" (compute plus stalls);
    ``total_cycles`` also counts the initial DRAM prefetch ("Total Cycles (incl. prefetch)").
    Utilisations are fractions.
    """

    compute_cycles: float
    total_cycles: float
    stall_cycles: float
    utilization: float
    mapping_efficiency: float
    compute_utilization: float
    sram_ifmap_reads: float
    sram_filter_reads: float
    sram_ofmap_writes: float
    dram_ifmap_reads: float
    dram_filter_reads: float
    dram_ofmap_writes: float
    macs: int

    @property
    def dram_accesses(self) -> float:
        """DRAM reads and writes of all three operands, in words."""
        return self.dram_ifmap_reads + self.dram_filter_reads + self.dram_ofmap_writes


def _import_scalesim() -> Any:
    try:
        from scalesim.scale_sim import scalesim
    except ImportError as exc:
        raise MissingExtraError("the SCALE-Sim backend", EXTRA, PACKAGE) from exc
    return scalesim


def scalesim_available() -> bool:
    """True when ``scalesim`` can be imported."""
    try:
        _import_scalesim()
    except MissingExtraError:
        return False
    return True


def run_scalesim(
    layers: Sequence[Layer] | Layer | Network, config: ScaleSimConfig
) -> list[ScaleSimLayerResult]:
    """Simulate ``layers`` on ``config``; one result per layer, in order.

    Raises WorkloadError for layers SCALE-Sim cannot express, InvalidDesignError when
    SCALE-Sim rejects the configuration (its assertions) and ToolError when it exits or
    fails otherwise.
    """
    scalesim_cls = _import_scalesim()
    network = as_network(layers)
    shapes: dict[tuple[int, ...], int] = {}
    rows: list[str] = []
    for layer in network.layers:
        key = _group_key(layer)
        if key not in shapes:
            shapes[key] = len(rows)
            rows.append(topology_row(layer, f"layer{len(rows)}"))
    with contained_run("scalesim") as run:
        cfg = run.directory / "archgym.cfg"
        topology = run.directory / "topology.csv"
        layout = run.directory / "layout.csv"
        cfg.write_text(config.config_text())
        topology.write_text("\n".join([TOPOLOGY_HEADER, *rows, ""]))
        layout.write_text("Layer name,\n")
        try:
            sim = scalesim_cls(
                save_disk_space=True,
                verbose=False,
                config=str(cfg),
                topology=str(topology),
                layout=str(layout),
                input_type_gemm=False,
            )
            sim.run_scale(top_path=str(run.directory / "out"))
            per_shape = [_read(obj) for obj in sim.runner.single_layer_sim_object_list]
        except AssertionError as exc:
            raise InvalidDesignError(f"SCALE-Sim rejected the configuration: {exc}") from exc
        except (ToolError, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - any other tool failure becomes ToolError
            raise ToolError(f"SCALE-Sim failed: {exc!r}") from exc
    if len(per_shape) != len(rows):
        raise ToolError(f"SCALE-Sim simulated {len(per_shape)} layers, expected {len(rows)}")
    return [
        _scaled(per_shape[shapes[_group_key(layer)]], layer.N * layer.G) for layer in network.layers
    ]


def _group_key(layer: Layer) -> tuple[int, ...]:
    return (layer.K, layer.C, layer.P, layer.Q, layer.R, layer.S, layer.stride_h, layer.stride_w)


def _read(obj: Any) -> ScaleSimLayerResult:
    total, compute, stall, util, mapping_eff, compute_util = obj.get_compute_report_items()
    detail = obj.get_detail_report_items()
    return ScaleSimLayerResult(
        compute_cycles=float(compute),
        total_cycles=float(total),
        stall_cycles=float(stall),
        utilization=float(util) / 100,
        mapping_efficiency=float(mapping_eff) / 100,
        compute_utilization=float(compute_util) / 100,
        sram_ifmap_reads=float(detail[2]),
        sram_filter_reads=float(detail[5]),
        sram_ofmap_writes=float(detail[8]),
        dram_ifmap_reads=float(detail[11]),
        dram_filter_reads=float(detail[14]),
        dram_ofmap_writes=float(detail[17]),
        macs=int(obj.num_compute),
    )


def _scaled(result: ScaleSimLayerResult, times: int) -> ScaleSimLayerResult:
    if times == 1:
        return result
    fractions = ("utilization", "mapping_efficiency", "compute_utilization")
    values = {
        name: getattr(result, name) if name in fractions else getattr(result, name) * times
        for name in result.__dataclass_fields__
    }
    return ScaleSimLayerResult(**values)


# ---------------------------------------------------------------- the simulator


def scalesim_space() -> DesignSpace:
    """The knobs of archgym/ScaleSim-v0 (SCALE-Sim config fields, snake_case)."""
    return DesignSpace(
        [
            Ordinal.powers_of_two(
                "array_rows", 4, 128, unit="PE", doc="systolic array rows (ArrayHeight)"
            ),
            Ordinal.powers_of_two(
                "array_cols", 4, 128, unit="PE", doc="systolic array columns (ArrayWidth)"
            ),
            Categorical("dataflow", DATAFLOWS, doc="ws weight-, os output-, is input-stationary"),
            Ordinal.powers_of_two(
                "ifmap_sram_kb", 8, 2048, unit="KiB", doc="input SRAM (IfmapSramSzkB)"
            ),
            Ordinal.powers_of_two(
                "filter_sram_kb", 8, 2048, unit="KiB", doc="weight SRAM (FilterSramSzkB)"
            ),
            Ordinal.powers_of_two(
                "ofmap_sram_kb", 8, 2048, unit="KiB", doc="output SRAM (OfmapSramSzkB)"
            ),
        ]
    )


SCALESIM_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("cycles", "cycle", "min", "compute cycles incl. stalls (Total Cycles)", 1e5),
    MetricSpec("total_cycles", "cycle", "min", "cycles incl. the initial DRAM prefetch", 1e5),
    MetricSpec("stall_cycles", "cycle", "min", "cycles stalled on DRAM (USER mode)", 1e4),
    MetricSpec("utilization", "fraction", "max", "MACs / (cycles x PEs)"),
    MetricSpec("mapping_efficiency", "fraction", "max", "cycle-weighted mapping efficiency"),
    MetricSpec("sram_ifmap_reads", "word", "min", "input SRAM reads", 1e6),
    MetricSpec("sram_filter_reads", "word", "min", "weight SRAM reads", 1e6),
    MetricSpec("sram_ofmap_writes", "word", "min", "output SRAM writes", 1e6),
    MetricSpec("dram_ifmap_reads", "word", "min", "input DRAM reads", 1e5),
    MetricSpec("dram_filter_reads", "word", "min", "weight DRAM reads", 1e5),
    MetricSpec("dram_ofmap_writes", "word", "min", "output DRAM writes", 1e5),
    MetricSpec("dram_accesses", "word", "min", "all DRAM reads and writes", 1e5),
)


class ScaleSimSimulator(Simulator):
    """SCALE-Sim on one systolic configuration; the workload is a Layer or Network.

    Args:
        dram_bandwidth_words: None for SCALE-Sim's CALC interface mode (no DRAM stalls),
            or the DRAM bandwidth in words per cycle (USER mode, stalls modelled).
    """

    name = "scalesim"

    def __init__(self, dram_bandwidth_words: int | None = None) -> None:
        if dram_bandwidth_words is not None:
            _check_positive("dram_bandwidth_words", dram_bandwidth_words)
        _import_scalesim()
        self.dram_bandwidth_words = dram_bandwidth_words
        self._space = scalesim_space()

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return SCALESIM_METRICS

    def config(self) -> dict[str, Any]:
        return {"dram_bandwidth_words": self.dram_bandwidth_words}

    def run(self, design: Design, workload: Any) -> list[ScaleSimLayerResult]:
        """Per-layer SCALE-Sim results of ``design`` (see :func:`run_scalesim` for errors)."""
        design = self._space.validate(design)
        config = ScaleSimConfig.from_design(design, self.dram_bandwidth_words)
        return run_scalesim(as_network(workload), config)

    def evaluate(self, design: Design, workload: Any) -> Metrics:
        results = self.run(design, workload)
        pes = design["array_rows"] * design["array_cols"]
        cycles = sum(r.compute_cycles for r in results)
        macs = sum(r.macs for r in results)
        metrics = {
            "cycles": cycles,
            "total_cycles": sum(r.total_cycles for r in results),
            "stall_cycles": sum(r.stall_cycles for r in results),
            "utilization": macs / (cycles * pes) if cycles else 0.0,
            "mapping_efficiency": (
                sum(r.mapping_efficiency * r.compute_cycles for r in results) / cycles
                if cycles
                else 0.0
            ),
        }
        for name in (
            "sram_ifmap_reads",
            "sram_filter_reads",
            "sram_ofmap_writes",
            "dram_ifmap_reads",
            "dram_filter_reads",
            "dram_ofmap_writes",
        ):
            metrics[name] = sum(getattr(r, name) for r in results)
        metrics["dram_accesses"] = sum(r.dram_accesses for r in results)
        return metrics
