"""ZigZag (KU Leuven, ``zigzag-dse``) as an archgym backend: run the tool, read its results.

ZigZag is an analytical cost model of a DNN accelerator (a PE array under a hierarchy of
memories) with a temporal-mapping search (LOMA). :mod:`.zigzag_inputs` writes its inputs
(accelerator, layers, mapping); this module

- runs ZigZag's stage pipeline through its Python API inside :func:`contained_run`
  (:func:`run_zigzag`),
- returns the metrics as ZigZag reports them (:class:`ZigZagLayerResult`),
- and ties both into :class:`ZigZagSimulator` (archgym/ZigZag-v0).

:func:`run_zigzag` also runs ZigZag's own shipped hardware files (``tpu_like``,
``eyeriss_like``, ...), which the fidelity checks use. ``zigzag-dse`` is imported lazily;
without it :class:`~archgym.errors.MissingExtraError` names ``archgym[thirdparty]``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError, InvalidDesignError, MissingExtraError
from archgym.simulator import Metrics, MetricSpec, Simulator
from archgym.simulators.accelerator.workload import Layer, Network, as_network
from archgym.simulators.thirdparty.sandbox import ToolError, contained_run
from archgym.simulators.thirdparty.zigzag_inputs import (
    DATAFLOWS,
    DRAM_PJ_PER_BIT,
    MAC_ENERGY_PJ,
    ZigZagHardware,
    fixed_temporal_ordering,
    layer_to_zigzag,
    mapping_entry,
    spatial_unrolling,
    sram_energy_per_bit_pj,
    zigzag_layer_name,
)
from archgym.spaces import Categorical, Design, DesignSpace, Ordinal

logger = logging.getLogger(__name__)

EXTRA = "thirdparty"
PACKAGE = "zigzag-dse"

SEARCHES = ("loma", "fixed")
OPTIMISATION_CRITERIA = ("latency", "energy", "EDP")

#: ZigZag's loggers; their records are routed to ours at DEBUG during a run.
_ZIGZAG_LOGGERS = ("zigzag",)


def _check_opt(opt: str) -> None:
    if opt not in OPTIMISATION_CRITERIA:
        raise ConfigError(f"ZigZag opt {opt!r} is not one of {', '.join(OPTIMISATION_CRITERIA)}")


# ---------------------------------------------------------------- results and the run


@dataclass(frozen=True)
class ZigZagLayerResult:
    """What ZigZag reports for one layer (energies in pJ, latencies in cycles).

    ``latency_cycles`` is ZigZag's ``latency_total2`` (computation, stalls, on- and
    off-loading); ``ideal_cycles`` is MACs / array size; ``energy_by_level`` maps
    ``"<operand>@<memory>"`` to that memory's read+write energy for the operand and
    ``accesses_by_level`` to its reads+writes (ZigZag's ``memory_word_access``, in accesses
    of the port width, all four directions summed). ``spatial`` is the unrolling ZigZag
    used (per array dimension, ``((loop, factor), ...)`` in its loop names) and
    ``temporal`` its allocated loops (``{"W"|"I"|"O": [[(loop, size), ...] per level]}``,
    innermost first); :func:`~archgym.simulators.thirdparty.crosscheck.loop_nest_from_zigzag`
    turns them into a native LoopNest. ``latency_breakdown`` holds its stall, on-loading,
    off-loading and systolic drain cycles.
    """

    energy_pj: float
    latency_cycles: float
    ideal_cycles: float
    ideal_temporal_cycles: float
    mac_energy_pj: float
    memory_energy_pj: float
    mac_utilization: float
    spatial_utilization: float
    energy_by_level: dict[str, float] = field(default_factory=dict)
    accesses_by_level: dict[str, float] = field(default_factory=dict)
    temporal_mapping: str = ""
    spatial: tuple[tuple[tuple[str, int], ...], ...] = ()
    temporal: dict[str, list[list[tuple[str, int]]]] = field(default_factory=dict)
    latency_breakdown: dict[str, float] = field(default_factory=dict)

    @property
    def dram_energy_pj(self) -> float:
        """Energy of all operands' DRAM accesses (pJ)."""
        return sum(v for k, v in self.energy_by_level.items() if k.endswith("@dram"))

    def accesses_at(self, memory: str) -> float:
        """Reads and writes of all operands at ``memory``, in accesses of its port width."""
        return sum(v for k, v in self.accesses_by_level.items() if k.endswith(f"@{memory}"))


def _import_zigzag() -> dict[str, Any]:
    try:
        from zigzag.mapping.temporal_mapping import TemporalMappingType
        from zigzag.opt.loma.memory_allocator import (
            MemoryHierarchyTooSmallException,
            MemoryTooSmallException,
        )
        from zigzag.stages.evaluation.cost_model_evaluation import CostModelStage
        from zigzag.stages.main import MainStage
        from zigzag.stages.mapping.spatial_mapping_generation import (
            SpatialMappingGeneratorStage,
        )
        from zigzag.stages.mapping.temporal_mapping_generator_stage import (
            TemporalMappingGeneratorStage,
        )
        from zigzag.stages.parser.accelerator_parser import AcceleratorParserStage
        from zigzag.stages.parser.workload_parser import WorkloadParserStage
        from zigzag.stages.results.reduce_stages import (
            MinimalEDPStage,
            MinimalEnergyStage,
            MinimalLatencyStage,
        )
        from zigzag.stages.workload_iterator import WorkloadStage
    except ImportError as exc:
        raise MissingExtraError("the ZigZag backend", EXTRA, PACKAGE) from exc
    return {
        # ZigZag's own "this loop order does not fit in that memory": an infeasible design
        "too_small": (MemoryTooSmallException, MemoryHierarchyTooSmallException),
        "TemporalMappingType": TemporalMappingType,
        "CostModelStage": CostModelStage,
        "MainStage": MainStage,
        "SpatialMappingGeneratorStage": SpatialMappingGeneratorStage,
        "TemporalMappingGeneratorStage": TemporalMappingGeneratorStage,
        "AcceleratorParserStage": AcceleratorParserStage,
        "WorkloadParserStage": WorkloadParserStage,
        "WorkloadStage": WorkloadStage,
        "reduce": {
            "latency": MinimalLatencyStage,
            "energy": MinimalEnergyStage,
            "EDP": MinimalEDPStage,
        },
    }


def zigzag_available() -> bool:
    """True when ``zigzag-dse`` can be imported."""
    try:
        _import_zigzag()
    except MissingExtraError:
        return False
    return True


def shipped_file(kind: str, name: str) -> Path:
    """Path of a file shipped with zigzag-dse: ``kind`` "hardware" or "mapping", ``name`` stem.

    Raises ConfigError listing the shipped names when ``name`` is unknown.
    """
    _import_zigzag()
    import zigzag

    folder = Path(zigzag.__file__).parent / "inputs" / kind
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise ConfigError(f"zigzag-dse ships no {kind} file {name!r}; shipped: {known}")
    return path


def run_zigzag(
    layers: Sequence[Layer] | Layer | Network,
    accelerator: Mapping[str, Any] | str | Path,
    mapping: Sequence[Mapping[str, Any]],
    *,
    opt: str = "latency",
    lpf_limit: int = 6,
    spatial_candidates: int = 1,
) -> list[ZigZagLayerResult]:
    """Run ZigZag on ``layers`` (named ``layer0``, ``layer1``, ... in ``mapping``).

    ``accelerator`` is an accelerator dict (written to YAML in the private directory) or
    the path of an accelerator YAML; ``mapping`` the list of mapping entries (it must
    contain "default"). A layer whose mapping entry has a complete ``temporal_ordering``
    is evaluated with that loop order only; otherwise LOMA searches with ``lpf_limit``
    and keeps the best by ``opt``. A mapping entry without a ``spatial_mapping`` lets
    ZigZag generate ``spatial_candidates`` unrollings (its API default is 3) and keep the
    best. Raises ConfigError for a missing accelerator file,
    InvalidDesignError when ZigZag rejects the hardware or mapping (an accelerator that
    fails its validation, a temporal ordering that does not match the loops) and
    ToolError when it fails otherwise.
    """
    import yaml

    zz = _import_zigzag()
    _check_opt(opt)
    network = as_network(layers)
    workload = [layer_to_zigzag(layer, i) for i, layer in enumerate(network.layers)]
    if not any(entry.get("name") == "default" for entry in mapping):
        raise ConfigError("ZigZag mapping needs an entry named 'default'")
    reduce_stage = zz["reduce"][opt]
    stages = [
        zz["WorkloadParserStage"],
        zz["AcceleratorParserStage"],
        zz["WorkloadStage"],
        reduce_stage,
        zz["SpatialMappingGeneratorStage"],
        reduce_stage,
        zz["TemporalMappingGeneratorStage"],
        zz["CostModelStage"],
    ]
    accelerator_path = None
    if not isinstance(accelerator, Mapping):
        accelerator_path = Path(accelerator).resolve()  # before the run changes directory
        if not accelerator_path.is_file() or accelerator_path.suffix != ".yaml":
            raise ConfigError(f"ZigZag accelerator {accelerator_path} is not an existing .yaml")
    with contained_run("zigzag", _ZIGZAG_LOGGERS) as run:
        if accelerator_path is None:
            accelerator_path = run.directory / "accelerator.yaml"
            accelerator_path.write_text(yaml.safe_dump(dict(accelerator), sort_keys=False))
        mapping_path = run.directory / "mapping.yaml"
        mapping_path.write_text(yaml.safe_dump([dict(m) for m in mapping], sort_keys=False))
        main = zz["MainStage"](
            stages,
            accelerator=str(accelerator_path),
            workload=workload,
            mapping=str(mapping_path),
            dump_folder=str(run.directory / "outputs"),
            loma_lpf_limit=lpf_limit,
            loma_show_progress_bar=False,
            nb_mappings_generated=spatial_candidates,
            enable_mix_spatial_mapping_generation=False,
            access_same_data_considered_as_no_access=True,
            temporal_mapping_type=zz["TemporalMappingType"]("uneven"),
        )
        try:
            answers = main.run()
        except zz["too_small"] as exc:
            raise InvalidDesignError(f"the mapping does not fit the memories: {exc}") from exc
        except (ValueError, AssertionError, KeyError, IndexError, ZeroDivisionError) as exc:
            raise InvalidDesignError(f"ZigZag rejected the hardware or mapping: {exc!r}") from exc
        except (ToolError, ConfigError, InvalidDesignError):
            raise
        except Exception as exc:  # noqa: BLE001 - any other tool failure becomes ToolError
            raise ToolError(f"ZigZag failed: {exc!r}") from exc
    by_name = {cme.layer.name: cme for cme, _ in answers}
    missing = [w["name"] for w in workload if w["name"] not in by_name]
    if missing:
        raise InvalidDesignError(f"ZigZag found no valid mapping for {', '.join(missing)}")
    return [_result(by_name[w["name"]]) for w in workload]


def _result(cme: Any) -> ZigZagLayerResult:
    levels: dict[str, float] = {}
    accesses: dict[str, float] = {}
    hierarchy = cme.accelerator.memory_hierarchy
    for operand, energies in cme.mem_energy_breakdown.items():
        mem_op = cme.memory_operand_links.layer_to_mem_op(operand)
        memories = hierarchy.get_memory_levels(mem_op=mem_op)
        counts = cme.memory_word_access[operand]
        for level, energy, count in zip(memories, energies, counts, strict=True):
            levels[f"{operand}@{level.name}"] = float(energy)
            accesses[f"{operand}@{level.name}"] = float(sum(count.data.values()))
    return ZigZagLayerResult(
        energy_pj=float(cme.energy_total),
        latency_cycles=float(cme.latency_total2),
        ideal_cycles=float(cme.ideal_cycle),
        ideal_temporal_cycles=float(cme.ideal_temporal_cycle),
        mac_energy_pj=float(cme.mac_energy),
        memory_energy_pj=float(cme.mem_energy),
        mac_utilization=float(cme.mac_utilization2),
        spatial_utilization=float(cme.mac_spatial_utilization),
        energy_by_level=levels,
        accesses_by_level=accesses,
        temporal_mapping=str(cme.temporal_mapping),
        spatial=_spatial_by_dim(cme),
        temporal={
            str(op): [[(str(loop), int(size)) for loop, size in level] for level in levels]
            for op, levels in cme.temporal_mapping.mapping_dic_origin.items()
        },
        latency_breakdown={
            "stall": float(cme.stall_slack_comb),
            "onloading": float(cme.data_onloading_cycle),
            "offloading": float(cme.data_offloading_cycle),
            "drain": float(cme.systolic_drain_cycle),
        },
    )


def _spatial_by_dim(cme: Any) -> tuple[tuple[tuple[str, int], ...], ...]:
    """The unrolling per array dimension, empty for a dimension ZigZag left unused."""
    out = []
    for dim in cme.accelerator.operational_array.dimension_sizes:
        loops = cme.layer.spatial_mapping[dim].items() if dim in cme.layer.spatial_mapping else ()
        out.append(tuple((str(loop), int(f)) for loop, f in loops))
    return tuple(out)


# ---------------------------------------------------------------- the simulator


def zigzag_space() -> DesignSpace:
    """The hardware knobs of archgym/ZigZag-v0 (names are ZigZagHardware fields)."""
    return DesignSpace(
        [
            Ordinal.powers_of_two("array_rows", 4, 64, unit="PE", doc="PE array rows (ZigZag D1)"),
            Ordinal.powers_of_two(
                "array_cols", 4, 64, unit="PE", doc="PE array columns (ZigZag D2)"
            ),
            Categorical(
                "dataflow",
                tuple(DATAFLOWS),
                doc="loops unrolled on rows/columns: WS C/K, OS pixels/K, IS C/pixels",
            ),
            Ordinal.powers_of_two(
                "weight_rf_bytes", 1, 256, unit="B", doc="per-PE weight register file"
            ),
            Ordinal.powers_of_two(
                "input_rf_bytes", 1, 256, unit="B", doc="per-PE input register file"
            ),
            Ordinal.powers_of_two(
                "output_rf_bytes", 2, 256, unit="B", doc="per-PE partial-sum register file"
            ),
            Ordinal.powers_of_two(
                "global_buffer_kb", 16, 4096, unit="KiB", doc="shared global buffer"
            ),
            Ordinal.powers_of_two(
                "global_buffer_bandwidth_bits",
                64,
                2048,
                unit="bit/cycle",
                doc="global buffer read and write port width",
            ),
            Ordinal.powers_of_two(
                "dram_bandwidth_bits", 16, 256, unit="bit/cycle", doc="DRAM port width"
            ),
        ]
    )


ZIGZAG_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("energy_pj", "pJ", "min", "ZigZag energy_total, summed over layers", scale=1e8),
    MetricSpec(
        "latency_cycles",
        "cycle",
        "min",
        "ZigZag latency_total2 (compute, stalls, on/off-loading), summed over layers",
        scale=1e5,
    ),
    MetricSpec("edp", "pJ*cycle", "min", "energy_pj * latency_cycles", scale=1e13),
    MetricSpec(
        "mac_utilization",
        "fraction",
        "max",
        "ideal cycles / latency over the network (ZigZag mac_utilization2)",
    ),
    MetricSpec("spatial_utilization", "fraction", "max", "ideal cycles / ideal temporal cycles"),
    MetricSpec("mac_energy_pj", "pJ", "min", "MAC energy", scale=1e7),
    MetricSpec("memory_energy_pj", "pJ", "min", "energy of all memory levels", scale=1e8),
    MetricSpec("dram_energy_pj", "pJ", "min", "energy of DRAM accesses", scale=1e8),
    MetricSpec(
        "global_buffer_accesses",
        "access",
        "min",
        "global buffer reads and writes, in accesses of its port width",
        scale=1e5,
    ),
    MetricSpec(
        "dram_accesses",
        "access",
        "min",
        "DRAM reads and writes, in accesses of its port width",
        scale=1e5,
    ),
)


class ZigZagSimulator(Simulator):
    """ZigZag on the :class:`ZigZagHardware` template; the workload is a Layer or Network.

    Args:
        search: "fixed" (one loop order per dataflow, 25-160 ms per layer here) or "loma"
            (ZigZag's temporal-mapping search per layer, 1-8 s per layer).
        lpf_limit: LOMA's loop-prime-factor limit (smaller is faster and coarser).
        opt: the criterion LOMA keeps the best mapping by ("latency", "energy", "EDP").
    """

    name = "zigzag"

    def __init__(self, search: str = "fixed", lpf_limit: int = 6, opt: str = "latency") -> None:
        if search not in SEARCHES:
            raise ConfigError(f"ZigZag search {search!r} is not one of {', '.join(SEARCHES)}")
        _check_opt(opt)
        if isinstance(lpf_limit, bool) or not isinstance(lpf_limit, int) or lpf_limit < 1:
            raise ConfigError(f"ZigZag lpf_limit must be a positive int, got {lpf_limit!r}")
        _import_zigzag()
        self.search = search
        self.lpf_limit = lpf_limit
        self.opt = opt
        self._space = zigzag_space()

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return ZIGZAG_METRICS

    def config(self) -> dict[str, Any]:
        return {"search": self.search, "lpf_limit": self.lpf_limit, "opt": self.opt}

    def mapping_for(self, network: Network, hardware: ZigZagHardware) -> list[dict[str, Any]]:
        """The mapping entries written for ``network`` on ``hardware`` (one per layer)."""
        entries = []
        for i, layer in enumerate(network.layers):
            spatial = spatial_unrolling(
                layer, hardware.dataflow, hardware.array_rows, hardware.array_cols
            )
            temporal = (
                fixed_temporal_ordering(layer, hardware.dataflow, spatial)
                if self.search == "fixed"
                else None
            )
            entries.append(mapping_entry(zigzag_layer_name(i), spatial, temporal))
        default = dict(entries[0], name="default")
        default.pop("temporal_ordering", None)
        return [*entries, default]

    def run(self, design: Design, workload: Any) -> list[ZigZagLayerResult]:
        """Per-layer ZigZag results of ``design`` (see :func:`run_zigzag` for errors)."""
        design = self._space.validate(design)
        hardware = ZigZagHardware.from_design(design)
        network = as_network(workload)
        return run_zigzag(
            network,
            hardware.accelerator_yaml(),
            self.mapping_for(network, hardware),
            opt=self.opt,
            lpf_limit=self.lpf_limit,
        )

    def evaluate(self, design: Design, workload: Any) -> Metrics:
        results = self.run(design, workload)
        energy = sum(r.energy_pj for r in results)
        latency = sum(r.latency_cycles for r in results)
        ideal = sum(r.ideal_cycles for r in results)
        ideal_temporal = sum(r.ideal_temporal_cycles for r in results)
        return {
            "energy_pj": energy,
            "latency_cycles": latency,
            "edp": energy * latency,
            "mac_utilization": ideal / latency if latency else 0.0,
            "spatial_utilization": ideal / ideal_temporal if ideal_temporal else 0.0,
            "mac_energy_pj": sum(r.mac_energy_pj for r in results),
            "memory_energy_pj": sum(r.memory_energy_pj for r in results),
            "dram_energy_pj": sum(r.dram_energy_pj for r in results),
            "global_buffer_accesses": sum(r.accesses_at("global_buffer") for r in results),
            "dram_accesses": sum(r.accesses_at("dram") for r in results),
        }


# The input writers of .zigzag_inputs are re-exported: they lived here before the split.
__all__ = [
    "DATAFLOWS",
    "DRAM_PJ_PER_BIT",
    "MAC_ENERGY_PJ",
    "OPTIMISATION_CRITERIA",
    "SEARCHES",
    "ZIGZAG_METRICS",
    "ZigZagHardware",
    "ZigZagLayerResult",
    "ZigZagSimulator",
    "fixed_temporal_ordering",
    "layer_to_zigzag",
    "mapping_entry",
    "run_zigzag",
    "shipped_file",
    "spatial_unrolling",
    "sram_energy_per_bit_pj",
    "zigzag_available",
    "zigzag_space",
]
