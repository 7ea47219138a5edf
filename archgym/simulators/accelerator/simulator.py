"""Simulators of the accelerator model: TimeloopGym's architecture knobs over a network
(:class:`AcceleratorSimulator`) and MaestroGym/GAMMA's mapping knobs for one layer on fixed
hardware (:class:`MappingSimulator`)."""

from __future__ import annotations

import itertools
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError, InvalidDesignError, WorkloadError
from archgym.simulator import Metrics, MetricSpec, Simulator
from archgym.simulators.accelerator import energy
from archgym.simulators.accelerator.architecture import Architecture
from archgym.simulators.accelerator.mapper import OBJECTIVES as MAPPER_OBJECTIVES
from archgym.simulators.accelerator.mapper import search_network
from archgym.simulators.accelerator.mapping import Mapping
from archgym.simulators.accelerator.model import evaluate, tile_sizes
from archgym.simulators.accelerator.networks import NETWORKS, get_network, is_network_name
from archgym.simulators.accelerator.templates import Buffer, eyeriss_like, template
from archgym.simulators.accelerator.workload import (
    Layer,
    Network,
    as_network,
    read_gamma_csv,
    read_timeloop_directory,
    read_timeloop_problem,
)
from archgym.spaces import Categorical, Constraint, Design, DesignSpace, Integer, Ordinal

# memory classes in TimeloopGym's parameters.ini order (REFERENCES.md s1)
_CLASSES = ["regfile", "smartbuffer_SRAM", "smartbuffer_RF", "SRAM"]
_DEPTHS = [2**i for i in range(1, 17)]  # 2..65536 (REFERENCES.md s1)
_GLB_DEPTHS = [2**i for i in range(10, 17)]  # 1024..65536
_BLOCKS = [1, 2, 4]
_BANDWIDTHS = [2, 4, 8, 16]
_BANKS = [16, 32, 64, 128]

#: ArchGym's TimeloopGym baselines (energy uJ, area mm^2, cycles), REFERENCES.md s1.
ARCHGYM_BASELINES: dict[str, tuple[float, float, float]] = {
    "alexnet": (29206.0, 2.03, 7885704.0),
    "mobilenet_v2": (76395.0, 2.03, 33515584.0),
    "resnet50": (71230.0, 2.03, 32728064.0),
}
#: ArchGym's target improvements over the baseline: energy 30%, area 15%, cycles 20%.
ARCHGYM_IMPROVEMENT = {"energy_uj": 0.3, "area_mm2": 0.15, "cycles": 0.2}


def _buffer_knobs(prefix: str, label: str, depths: list[int], bandwidth: bool) -> list:
    knobs = [
        Categorical(f"{prefix}_class", _CLASSES, doc=f"{label} memory class"),
        Ordinal(f"{prefix}_memory_depth", depths, unit="entries", doc=f"{label} depth"),
        Ordinal(f"{prefix}_block_size", _BLOCKS, unit="words", doc=f"{label} words per entry"),
    ]
    if bandwidth:
        knobs += [
            Ordinal(f"{prefix}_read_bandwidth", _BANDWIDTHS, unit="words/cycle", doc=label),
            Ordinal(f"{prefix}_write_bandwidth", _BANDWIDTHS, unit="words/cycle", doc=label),
        ]
    return knobs


def timeloop_design_space() -> DesignSpace:
    """TimeloopGym's 26 architecture knobs (REFERENCES.md s1, ArchGym parameters.ini)."""
    params = [
        Ordinal("nPEs", list(range(14, 337, 14)), unit="PEs", doc="number of PEs"),
        Ordinal("meshX", [2, 7, 14], unit="PEs", doc="PE array width (columns)"),
    ]
    params += _buffer_knobs("ifmap", "ifmap scratchpad", _DEPTHS, True)
    params += _buffer_knobs("psum", "psum scratchpad", _DEPTHS, True)
    params += _buffer_knobs("weights", "weights scratchpad", _DEPTHS, True)
    params += _buffer_knobs("db", "dummy buffer (one per column)", _DEPTHS, False)
    params += _buffer_knobs("sgb", "shared global buffer", _GLB_DEPTHS, True)
    params.insert(
        -3, Ordinal("sgb_n_banks", _BANKS, unit="banks", doc="shared global buffer banks")
    )
    return DesignSpace(params)


def _level(design: Design, prefix: str, name: str, word_bits: int, banks: int = 1) -> Buffer:
    return Buffer(
        name,
        design[f"{prefix}_class"],
        int(design[f"{prefix}_memory_depth"]),
        word_bits,
        int(design[f"{prefix}_block_size"]),
        float(design.get(f"{prefix}_read_bandwidth", math.inf)),
        float(design.get(f"{prefix}_write_bandwidth", math.inf)),
        banks,
    )


def architecture_from_design(
    design: Design, word_bits: int = 16, node_nm: float = 45.0, dram_type: str = "LPDDR4"
) -> Architecture:
    """The Eyeriss-like architecture a TimeloopGym design describes."""
    return eyeriss_like(
        int(design["nPEs"]),
        int(design["meshX"]),
        word_bits=word_bits,
        node_nm=node_nm,
        dram_type=dram_type,
        ifmap_spad=_level(design, "ifmap", "ifmap_spad", word_bits),
        weights_spad=_level(design, "weights", "weights_spad", word_bits),
        psum_spad=_level(design, "psum", "psum_spad", word_bits),
        glb=_level(design, "sgb", "shared_glb", word_bits, int(design["sgb_n_banks"])),
        dummy_buffer=_level(design, "db", "dummy_buffer", word_bits),
    )


#: ArchGym's eyeriss_like.yaml as a TimeloopGym design (the default/baseline design).
DEFAULT_TIMELOOP_DESIGN: Design = {
    "nPEs": 168,
    "meshX": 14,
    "ifmap_class": "smartbuffer_SRAM",
    "ifmap_memory_depth": 16,
    "ifmap_block_size": 1,
    "ifmap_read_bandwidth": 2,
    "ifmap_write_bandwidth": 2,
    "psum_class": "smartbuffer_SRAM",
    "psum_memory_depth": 16,
    "psum_block_size": 1,
    "psum_read_bandwidth": 2,
    "psum_write_bandwidth": 2,
    "weights_class": "smartbuffer_SRAM",
    "weights_memory_depth": 256,
    "weights_block_size": 1,
    "weights_read_bandwidth": 2,
    "weights_write_bandwidth": 2,
    "db_class": "SRAM",
    "db_memory_depth": 16,
    "db_block_size": 1,
    "sgb_class": "smartbuffer_SRAM",
    "sgb_memory_depth": 16384,
    "sgb_n_banks": 32,
    "sgb_block_size": 4,
    "sgb_read_bandwidth": 16,
    "sgb_write_bandwidth": 16,
}


def resolve_network(workload: Any) -> Network:
    """A Network from a Network, Layer, list of Layers, package network name, a directory
    of Timeloop problem YAMLs, a Timeloop YAML file or a GAMMA CSV file."""
    if isinstance(workload, (Network, Layer, list, tuple)):
        return as_network(workload)
    if not isinstance(workload, (str, Path)):
        raise WorkloadError(f"unsupported accelerator workload {workload!r}")
    text = str(workload)
    if is_network_name(text):
        return get_network(text)
    path = Path(text)
    if path.is_dir():
        return read_timeloop_directory(path)
    if path.suffix in (".yaml", ".yml"):
        return as_network(read_timeloop_problem(path))
    if path.suffix == ".csv":
        return read_gamma_csv(path)
    raise WorkloadError(
        f"unknown accelerator workload {workload!r}: not a network name "
        f"({', '.join(sorted(NETWORKS))}), a Timeloop YAML file or directory, or a GAMMA CSV"
    )


#: Metrics of :class:`AcceleratorSimulator`; scales are the order of ArchGym's AlexNet baseline.
ACCELERATOR_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("energy_uj", "uJ", "min", "energy summed over the layers", 3e4),
    MetricSpec("area_mm2", "mm^2", "min", "chip area (PEs, buffers)", 2.0),
    MetricSpec("cycles", "cycles", "min", "cycles summed over the layers", 1e7),
    MetricSpec("edp", "uJ*cycles", "min", "energy x cycles", 3e11),
    MetricSpec("utilisation", "", "max", "MACs per PE per cycle", 0.5),
)


class AcceleratorSimulator(Simulator):
    """TimeloopGym's Eyeriss-like design space, every layer mapped by the built-in mapper.

    Metrics are summed over the layers of the network (cycles: layers run one after another).
    """

    name = "accelerator"

    def __init__(
        self,
        *,
        mapper_budget: int = 1000,
        mapper_objective: str = "edp",
        seed: int = 0,
        word_bits: int = 16,
        node_nm: float = 45.0,
        dram_type: str = "LPDDR4",
    ) -> None:
        if mapper_budget < 16:
            raise ConfigError(f"mapper_budget must be at least 16, got {mapper_budget}")
        if mapper_objective not in MAPPER_OBJECTIVES:
            known = ", ".join(MAPPER_OBJECTIVES)
            raise ConfigError(f"mapper_objective {mapper_objective!r} is not one of {known}")
        energy.dram_energy_pj_per_bit(dram_type)
        self.mapper_budget = mapper_budget
        self.mapper_objective = mapper_objective
        self.seed = seed
        self.word_bits = word_bits
        self.node_nm = node_nm
        self.dram_type = dram_type
        self._space = timeloop_design_space()

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return ACCELERATOR_METRICS

    def config(self) -> dict[str, Any]:
        return {
            "mapper_budget": self.mapper_budget,
            "mapper_objective": self.mapper_objective,
            "seed": self.seed,
            "word_bits": self.word_bits,
            "node_nm": self.node_nm,
            "dram_type": self.dram_type,
        }

    def architecture(self, design: Design) -> Architecture:
        """The Architecture of a (validated) design."""
        design = self._space.validate(design)
        return architecture_from_design(design, self.word_bits, self.node_nm, self.dram_type)

    def evaluate(self, design: Design, workload: Any) -> Metrics:
        """Map every layer and sum; raises InvalidDesignError when a layer fits no mapping."""
        arch = self.architecture(design)
        result = search_network(
            resolve_network(workload),
            arch,
            budget=self.mapper_budget,
            objective=self.mapper_objective,
            seed=self.seed,
        )
        energy_uj = result.energy_pj * 1e-6
        return {
            "energy_uj": energy_uj,
            "area_mm2": result.area_mm2,
            "cycles": result.cycles,
            "edp": energy_uj * result.cycles,
            "utilisation": result.utilisation,
        }


# ------------------------------------------------------------------------ Mapping-v0

#: MaestroGym/GAMMA's loop orders: permutations of K, C, Y, X written outermost first.
LOOP_ORDERS: tuple[str, ...] = tuple("".join(p) for p in itertools.permutations("KCYX"))
PARALLEL_DIMS: tuple[str, ...] = ("K", "C", "Y", "X")
_GAMMA_TO_DIM = {"K": "K", "C": "C", "Y": "P", "X": "Q"}


@lru_cache(maxsize=4096)
def mapping_hardware(
    num_pes: int,
    word_bits: int = 16,
    node_nm: float = 45.0,
    spad_words: tuple[int, int, int] = (192, 64, 32),
    glb_words: int = 65536,
) -> Architecture:
    """Mapping-v0's hardware with ``num_pes`` PEs in one row.

    Defaults (the "fixed" sizing): per PE weights 192, inputs 64, partial sums 32 words
    (smartbuffer_SRAM; Eyeriss-sized weights spad, REFERENCES.md s1); shared global buffer
    65536 x 16 bit (128 KiB), 32 banks, 32 words/cycle; LPDDR4; 45 nm, 16-bit MACs.
    """
    spad = "smartbuffer_SRAM"
    w, i, o = spad_words
    return template(
        f"mapping_hw_{num_pes}pe",
        num_pes,
        1,
        spads=(
            Buffer("weights_spad", spad, w, word_bits, 1, 2, 2),
            Buffer("ifmap_spad", spad, i, word_bits, 1, 2, 2),
            Buffer("psum_spad", spad, o, word_bits, 1, 2, 2),
        ),
        glb=Buffer("shared_glb", "smartbuffer_SRAM", glb_words, word_bits, 1, 32, 32, 32),
        mac_bits=word_bits,
        node_nm=node_nm,
        dram_word_bits=word_bits,
    )


def _pow2(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def _gamma_bounds(layer: Layer) -> dict[str, int]:
    """GAMMA's K, C, Y, X of a layer; C means groups for a depthwise layer."""
    channels = layer.G if (layer.G > 1 and layer.C == 1) else layer.C
    return {"K": layer.K, "C": channels, "Y": layer.P, "X": layer.Q}


def mapping_design_space(layer: Layer, max_pes: int = 1024) -> DesignSpace:
    """GAMMA's knobs for ``layer``: loop order, parallel dim, L2 and L1 tiles, PE count.

    Constraint: every L1 tile is at most its L2 tile.
    """
    bounds = _gamma_bounds(layer)
    params: list = [
        Categorical("loop_order", list(LOOP_ORDERS), doc="K, C, Y, X loops, outermost first"),
        Categorical("parallel_dim", list(PARALLEL_DIMS), doc="dimension spread over PEs"),
    ]
    for level in ("L2", "L1"):
        for dim in PARALLEL_DIMS:
            params.append(
                Integer(f"{level}_{dim}", 1, bounds[dim], unit="", doc=f"{dim} tile at {level}")
            )
    params.append(Integer("num_pes", 1, max_pes, unit="PEs", doc="number of PEs"))
    constraints = [
        Constraint(
            "L1 tiles must not exceed L2 tiles",
            lambda d: all(d[f"L1_{x}"] <= d[f"L2_{x}"] for x in PARALLEL_DIMS),
        )
    ]
    return DesignSpace(params, constraints)


def mapping_from_design(design: Design, layer: Layer) -> Mapping:
    """Turn GAMMA's knobs into a Mapping of ``layer`` (tiles clamp to the layer's bounds).

    The parallel dim unrolls ceil(L2 / L1) ways (at most num_pes) over the PEs; the
    global buffer iterates the rest of each L2 tile and DRAM the rest of the layer.
    R, S (and N) stay inside the PE.
    """
    bounds = _gamma_bounds(layer)
    depthwise = layer.G > 1 and layer.C == 1
    pe: dict[str, int] = {"R": layer.R, "S": layer.S}
    x: dict[str, int] = {}
    glb: dict[str, int] = {}
    dram: dict[str, int] = {}
    for g in PARALLEL_DIMS:
        dim = "G" if (g == "C" and depthwise) else _GAMMA_TO_DIM[g]
        bound = bounds[g]
        l2 = min(int(design[f"L2_{g}"]), bound)
        l1 = min(int(design[f"L1_{g}"]), l2)
        spatial = 1
        if design["parallel_dim"] == g:
            spatial = min(int(design["num_pes"]), math.ceil(l2 / l1))
        pe[dim] = l1
        x[dim] = spatial
        glb[dim] = math.ceil(l2 / (l1 * spatial))
        dram[dim] = math.ceil(bound / (l1 * spatial * glb[dim]))
    outer_first = [
        "G" if (g == "C" and depthwise) else _GAMMA_TO_DIM[g] for g in design["loop_order"]
    ]
    rest = [d for d in "NGKCPQRS" if d not in outer_first]
    order = "".join(reversed(outer_first)) + "".join(rest)
    if depthwise:
        pe["N"] = layer.N
    return Mapping.from_levels(
        layer, pe=pe, x=x, glb=glb, dram=dram, glb_order=order, dram_order=order
    )


SIZINGS = ("mapping", "fixed")


class MappingSimulator(Simulator):
    """MaestroGym/GAMMA's mapping knobs for one layer.

    ``buffer_sizing="mapping"`` (default, as MAESTRO reports buffer requirements) sizes each
    per-PE scratchpad and the global buffer to the tiles of the mapping, rounded up to a
    power of two (at least 64 entries for the global buffer), so area and access energy
    follow the tiles; ``"fixed"`` uses :func:`mapping_hardware`'s capacities and raises
    InvalidDesignError naming the buffer a tile overflows.
    """

    name = "mapping"

    def __init__(
        self,
        layer: Layer,
        *,
        max_pes: int = 1024,
        word_bits: int = 16,
        buffer_sizing: str = "mapping",
    ) -> None:
        if not isinstance(layer, Layer):
            raise WorkloadError(f"MappingSimulator needs a Layer, got {type(layer).__name__}")
        if max_pes < 1:
            raise ConfigError(f"max_pes must be positive, got {max_pes}")
        if buffer_sizing not in SIZINGS:
            raise ConfigError(f"buffer_sizing {buffer_sizing!r} not in {SIZINGS}")
        self.layer = layer
        self.max_pes = max_pes
        self.word_bits = word_bits
        self.buffer_sizing = buffer_sizing
        self._space = mapping_design_space(layer, max_pes)
        # Scales follow the layer: a 64-PE array's runtime, about 5 pJ per MAC.
        macs = float(layer.macs)
        self._metric_specs = (
            MetricSpec("runtime_cycles", "cycles", "min", "cycles of the layer", macs / 64),
            MetricSpec("throughput", "MACs/cycle", "max", "MACs per cycle", 64.0),
            MetricSpec("energy_uj", "uJ", "min", "energy of the layer", macs * 5e-6),
            MetricSpec("area_mm2", "mm^2", "min", "area of PEs and buffers", 2.0),
        )

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return self._metric_specs

    def config(self) -> dict[str, Any]:
        return {
            "layer": self.layer.shape_key(),
            "max_pes": self.max_pes,
            "word_bits": self.word_bits,
            "buffer_sizing": self.buffer_sizing,
        }

    def hardware(self, design: Design, layer: Layer, mapping: Mapping) -> Architecture:
        """The hardware a design runs on (sized to its tiles unless sizing is "fixed")."""
        num_pes = int(design["num_pes"])
        if self.buffer_sizing == "fixed":
            return mapping_hardware(num_pes, self.word_bits)
        tiles = tile_sizes(layer, mapping)
        spads = tuple(_pow2(t) for t in tiles["pe"])
        glb = max(64, _pow2(sum(tiles["glb"])))
        return mapping_hardware(num_pes, self.word_bits, spad_words=spads, glb_words=glb)

    def evaluate(self, design: Design, workload: Any) -> Metrics:
        """Cost of the mapping on this simulator's layer.

        ``workload`` must be that layer (the knob ranges are built from its shape):
        WorkloadError otherwise. InvalidDesignError names the overflowing buffer.
        """
        if not isinstance(workload, Layer):
            raise WorkloadError(
                f"MappingSimulator evaluates a Layer, got {type(workload).__name__}"
            )
        if workload.shape_key() != self.layer.shape_key():
            raise WorkloadError(
                f"this MappingSimulator's knob ranges were built for layer {self.layer.name!r}, "
                f"not {workload.name!r}; build a MappingSimulator for that layer"
            )
        layer = workload
        design = self._space.validate(design)
        for g in PARALLEL_DIMS:
            if design[f"L1_{g}"] > design[f"L2_{g}"]:
                raise InvalidDesignError(
                    f"L1_{g}={design[f'L1_{g}']} exceeds L2_{g}={design[f'L2_{g}']}"
                )
        mapping = mapping_from_design(design, layer)
        result = evaluate(layer, self.hardware(design, layer, mapping), mapping)
        return {
            "runtime_cycles": result.cycles,
            "throughput": layer.macs / result.cycles,
            "energy_uj": result.energy_pj * 1e-6,
            "area_mm2": result.area_mm2,
        }
