"""Architecture specs: the Eyeriss-like and systolic templates of the accelerator model.

The template has a fixed level structure, innermost first:

    MAC  <-  per-PE scratchpads (one per operand, or bypass)  <-  PE array (X x Y, NoC)
         <-  shared global buffer (keeps a subset of operands)  <-  DRAM

Operands are indexed Weights = 0, Inputs = 1, Outputs = 2 (Timeloop's order).
Specs are frozen and validated once here; :class:`ConfigError` names the bad field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from archgym.errors import ConfigError
from archgym.simulators.accelerator import energy
from archgym.simulators.accelerator.workload import DIMS

OPERANDS: tuple[str, ...] = ("Weights", "Inputs", "Outputs")
WEIGHTS, INPUTS, OUTPUTS = 0, 1, 2


@dataclass(frozen=True)
class MemoryLevel:
    """One buffer: ``depth`` entries of ``block_size`` words of ``word_bits`` bits.

    Bandwidths are words per cycle per instance (``math.inf`` = unlimited).
    """

    name: str
    memory_class: str = "SRAM"
    depth: int = 1
    word_bits: int = 16
    block_size: int = 1
    read_bandwidth: float = math.inf
    write_bandwidth: float = math.inf
    banks: int = 1

    def __post_init__(self) -> None:
        if self.memory_class not in energy.MEMORY_CLASSES:
            raise ConfigError(
                f"{self.name}: memory_class {self.memory_class!r} not in "
                f"{list(energy.MEMORY_CLASSES)}"
            )
        for attr in ("depth", "word_bits", "block_size", "banks"):
            value = getattr(self, attr)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{self.name}: {attr} must be a positive int, got {value!r}")
        for attr in ("read_bandwidth", "write_bandwidth"):
            if not getattr(self, attr) > 0:
                raise ConfigError(f"{self.name}: {attr} must be positive")

    @property
    def capacity_words(self) -> int:
        """Words the level holds: depth x block size."""
        return self.depth * self.block_size

    @property
    def width_bits(self) -> int:
        """Width of one entry in bits: word bits x block size."""
        return self.word_bits * self.block_size

    @property
    def ports(self) -> int:
        """Ports per bank for the bandwidth, 1 for the reference designs (an assumption).

        A port of one bank serves 2 block accesses per cycle (the reference spads: bandwidth
        2, block 1; the reference global buffer: 16 words over 32 banks of 8-word blocks);
        read and write ports count separately, the first pair being the baseline.
        """
        ports = 0
        for bandwidth in (self.read_bandwidth, self.write_bandwidth):
            if math.isinf(bandwidth):
                ports += 1
            else:
                ports += max(1, math.ceil(bandwidth / (2 * self.block_size * self.banks)))
        return ports - 1

    def energy_per_word_pj(self, node_nm: float) -> tuple[float, float]:
        """(read, write) energy per scalar word: a full-width access divided by the block size."""
        read, write = energy.memory_access_energy_pj(
            self.memory_class, self.depth, self.width_bits, node_nm, self.banks
        )
        return read / self.block_size, write / self.block_size

    def area_um2(self, node_nm: float) -> float:
        """Area of the level at ``node_nm`` (um^2), from :func:`.energy.memory_area_um2`."""
        return energy.memory_area_um2(
            self.memory_class, self.depth, self.width_bits, node_nm, self.banks, self.ports
        )


@dataclass(frozen=True)
class Architecture:
    """A DNN accelerator instance of the template.

    ``pe_x`` is the mesh width (Timeloop's meshX, columns), ``pe_y`` the rows.
    ``spads`` holds the per-PE scratchpad of Weights, Inputs, Outputs (None = bypass).
    ``glb_keeps`` lists the operands the global buffer stores (the rest bypass it).
    ``spatial_x``/``spatial_y`` restrict which loop dimensions the mapper may unroll over
    the mesh (the dataflow). ``pipeline_fill`` adds a systolic array's fill and drain to
    every pass of the PE-level loops (:attr:`fill_cycles`, SCALE-Sim's per-fold latency).
    """

    name: str
    pe_x: int
    pe_y: int
    mac_bits: int
    spads: tuple[MemoryLevel | None, MemoryLevel | None, MemoryLevel | None]
    glb: MemoryLevel
    glb_keeps: frozenset[int] = frozenset({WEIGHTS, INPUTS, OUTPUTS})
    dram_type: str = "LPDDR4"
    dram_word_bits: int = 16
    node_nm: float = 45.0
    clock_ghz: float = 1.0
    multicast: bool = True
    noc_energy_pj_per_word: float = 0.0
    dummy_buffer: MemoryLevel | None = None
    spatial_x: frozenset[str] = frozenset(DIMS)
    spatial_y: frozenset[str] = frozenset(DIMS)
    pipeline_fill: bool = False
    dataflow: str = "any"

    def __post_init__(self) -> None:
        for attr in ("pe_x", "pe_y", "mac_bits", "dram_word_bits"):
            value = getattr(self, attr)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"architecture {self.name}: {attr} must be a positive int")
        if len(self.spads) != 3:
            raise ConfigError(f"architecture {self.name}: spads must have 3 entries (W, I, O)")
        if not self.glb_keeps <= {0, 1, 2}:
            raise ConfigError(f"architecture {self.name}: glb_keeps must be a subset of 0, 1, 2")
        if not self.clock_ghz > 0:
            raise ConfigError(f"architecture {self.name}: clock_ghz must be positive")
        energy.dram_energy_pj_per_bit(self.dram_type)
        for attr in ("spatial_x", "spatial_y"):
            bad = set(getattr(self, attr)) - set(DIMS)
            if bad:
                raise ConfigError(f"architecture {self.name}: {attr} has unknown dims {bad}")

    @property
    def n_pes(self) -> int:
        """PEs in the mesh: pe_x x pe_y."""
        return self.pe_x * self.pe_y

    @property
    def fill_cycles(self) -> int:
        """Cycles added per pass: 0 without ``pipeline_fill``; else ``2*pe_y + pe_x - 2``
        (stationary operand preloaded down the rows, then skewed in and drained), or
        ``pe_y + pe_x - 2`` for output stationary, which preloads nothing (SCALE-Sim)."""
        if not self.pipeline_fill:
            return 0
        if self.dataflow == "os":
            return self.pe_y + self.pe_x - 2
        return 2 * self.pe_y + self.pe_x - 2

    @cached_property
    def tables(self) -> ArchTables:
        """Per-word energies, bandwidths and area, computed once per architecture."""
        return ArchTables.build(self)

    def level_names(self) -> tuple[str, ...]:
        """Names of the energy breakdown entries, in the order of ArchTables.level_names."""
        return self.tables.level_names


@dataclass(frozen=True)
class ArchTables:
    """Derived numbers of an Architecture (energies in pJ per word, area in mm^2)."""

    level_names: tuple[str, ...]
    spad_keep: tuple[bool, bool, bool]
    spad_capacity: tuple[int, int, int]
    spad_read_pj: tuple[float, float, float]
    spad_write_pj: tuple[float, float, float]
    spad_read_bw: tuple[float, float, float]
    spad_write_bw: tuple[float, float, float]
    glb_keep: tuple[bool, bool, bool]
    glb_capacity: int
    glb_read_pj: float
    glb_write_pj: float
    glb_read_bw: float
    glb_write_bw: float
    dram_pj_per_word: float
    dram_words_per_cycle: float
    mac_pj: float
    area_breakdown_mm2: tuple[tuple[str, float], ...]

    @property
    def area_mm2(self) -> float:
        """Total area (mm^2): the sum of the breakdown."""
        return sum(a for _, a in self.area_breakdown_mm2)

    @staticmethod
    def build(arch: Architecture) -> ArchTables:
        """Per-level energies, bandwidths, capacities and areas of ``arch``."""
        node = arch.node_nm
        names = []
        keep, cap, rd, wr, rbw, wbw = [], [], [], [], [], []
        area: list[tuple[str, float]] = []
        for op, spad in enumerate(arch.spads):
            names.append(spad.name if spad is not None else f"{OPERANDS[op].lower()}_bypass")
            if spad is None:
                keep.append(False)
                cap.append(0)
                rd.append(0.0)
                wr.append(0.0)
                rbw.append(math.inf)
                wbw.append(math.inf)
                continue
            r, w = spad.energy_per_word_pj(node)
            keep.append(True)
            cap.append(spad.capacity_words)
            rd.append(r)
            wr.append(w)
            rbw.append(spad.read_bandwidth)
            wbw.append(spad.write_bandwidth)
            area.append((spad.name, spad.area_um2(node) * arch.n_pes * 1e-6))
        glb_r, glb_w = arch.glb.energy_per_word_pj(node)
        area.append((arch.glb.name, arch.glb.area_um2(node) * 1e-6))
        if arch.dummy_buffer is not None:
            area.append(
                (arch.dummy_buffer.name, arch.dummy_buffer.area_um2(node) * arch.pe_x * 1e-6)
            )
        area.append(("mac", energy.mac_area_um2(arch.mac_bits, node) * arch.n_pes * 1e-6))
        dram_bits = arch.dram_word_bits
        words_per_cycle = (
            energy.dram_bandwidth_gbps(arch.dram_type) * 8 / dram_bits / arch.clock_ghz
        )
        return ArchTables(
            level_names=("mac", *names, arch.glb.name, "dram", "noc"),
            spad_keep=tuple(keep),
            spad_capacity=tuple(cap),
            spad_read_pj=tuple(rd),
            spad_write_pj=tuple(wr),
            spad_read_bw=tuple(rbw),
            spad_write_bw=tuple(wbw),
            glb_keep=tuple(op in arch.glb_keeps for op in range(3)),
            glb_capacity=arch.glb.capacity_words,
            glb_read_pj=glb_r,
            glb_write_pj=glb_w,
            glb_read_bw=arch.glb.read_bandwidth,
            glb_write_bw=arch.glb.write_bandwidth,
            dram_pj_per_word=energy.dram_energy_pj_per_bit(arch.dram_type) * dram_bits,
            dram_words_per_cycle=words_per_cycle,
            mac_pj=energy.mac_energy_pj(arch.mac_bits, node),
            area_breakdown_mm2=tuple(area),
        )


# ------------------------------------------------------------------------------ presets


def eyeriss_like(
    n_pes: int = 168,
    mesh_x: int = 14,
    *,
    word_bits: int = 16,
    node_nm: float = 45.0,
    dram_type: str = "LPDDR4",
    ifmap_spad: MemoryLevel | None = None,
    weights_spad: MemoryLevel | None = None,
    psum_spad: MemoryLevel | None = None,
    glb: MemoryLevel | None = None,
    dummy_buffer: MemoryLevel | None = None,
) -> Architecture:
    """TimeloopGym's Eyeriss-like design (REFERENCES.md s1): 168 PEs, 14 wide, 45 nm, 16 bit.

    Defaults are ArchGym's eyeriss_like.yaml: smartbuffer_SRAM spads ifmap 12, weights 192,
    psum 16 entries; a 16384 x 64-bit global buffer (block 4, 32 banks, bandwidth 16) that
    weights bypass; a per-column dummy buffer; LPDDR4. Row-stationary spatial constraints
    (REFERENCES.md s3): columns (X) over Q and K, rows (Y) over C, K, S (and groups).
    """
    if n_pes % mesh_x:
        raise ConfigError(f"eyeriss_like: n_pes={n_pes} is not a multiple of mesh_x={mesh_x}")
    spad = "smartbuffer_SRAM"
    ifmap_spad = ifmap_spad or MemoryLevel("ifmap_spad", spad, 12, word_bits, 1, 2, 2)
    weights_spad = weights_spad or MemoryLevel("weights_spad", spad, 192, word_bits, 1, 2, 2)
    psum_spad = psum_spad or MemoryLevel("psum_spad", spad, 16, word_bits, 1, 2, 2)
    glb = glb or MemoryLevel("shared_glb", "smartbuffer_SRAM", 16384, word_bits, 4, 16, 16, 32)
    dummy_buffer = dummy_buffer or MemoryLevel("dummy_buffer", "SRAM", 16, word_bits, 1)
    return Architecture(
        name="eyeriss_like",
        pe_x=mesh_x,
        pe_y=n_pes // mesh_x,
        mac_bits=word_bits,
        spads=(weights_spad, ifmap_spad, psum_spad),
        glb=glb,
        glb_keeps=frozenset({INPUTS, OUTPUTS}),
        dram_type=dram_type,
        dram_word_bits=word_bits,
        node_nm=node_nm,
        dummy_buffer=dummy_buffer,
        spatial_x=frozenset({"Q", "K"}),
        spatial_y=frozenset({"C", "K", "S", "G"}),
        dataflow="row_stationary",
    )


def timeloop_reference() -> Architecture:
    """The Timeloop+Accelergy eyeriss_like reference design of REFERENCES.md s3 (32 nm, 8 bit).

    14 x 12 PEs; ifmap spad smartbuffer_RF 12 x 16 bit, weights 192 x 16, psum 16 x 16
    (16-bit partial sums); global buffer smartbuffer_SRAM 16384 x 64 bit, 32 banks,
    bandwidth 16; LPDDR4 (8 pJ/bit); weights bypass the global buffer.
    """
    return Architecture(
        name="timeloop_eyeriss_like",
        pe_x=14,
        pe_y=12,
        mac_bits=8,
        spads=(
            MemoryLevel("weights_spad", "smartbuffer_RF", 192, 8, 2, 2, 2),
            MemoryLevel("ifmap_spad", "smartbuffer_RF", 12, 8, 2, 2, 2),
            MemoryLevel("psum_spad", "smartbuffer_RF", 16, 16, 1, 2, 2),
        ),
        glb=MemoryLevel("shared_glb", "smartbuffer_SRAM", 16384, 8, 8, 16, 16, 32),
        glb_keeps=frozenset({INPUTS, OUTPUTS}),
        dram_type="LPDDR4",
        dram_word_bits=8,
        node_nm=32.0,
        spatial_x=frozenset({"Q", "K"}),
        spatial_y=frozenset({"C", "K", "S", "G"}),
        dataflow="row_stationary",
    )


#: Dataflow presets of the systolic template: which operand stays in the PE register and
#: which dimensions unroll over the columns (X) and rows (Y) of the array.
SYSTOLIC_DATAFLOWS: dict[str, tuple[int, frozenset[str], frozenset[str]]] = {
    # weight stationary (TPU-like): weights pinned, inputs flow across, psums down the rows
    "ws": (WEIGHTS, frozenset({"K"}), frozenset({"C", "R", "S"})),
    # output stationary: each PE accumulates one output; inputs and weights stream in
    "os": (OUTPUTS, frozenset({"K"}), frozenset({"P", "Q", "N"})),
    # input stationary: inputs pinned, weights stream, psums reduce down the rows
    "is": (INPUTS, frozenset({"P", "Q", "N"}), frozenset({"C", "R", "S"})),
}


def systolic(
    rows: int = 32,
    cols: int = 32,
    dataflow: str = "ws",
    *,
    word_bits: int = 8,
    glb_kib: int = 512,
    glb_bandwidth: float = 64.0,
    node_nm: float = 32.0,
    dram_type: str = "LPDDR4",
) -> Architecture:
    """A rows x cols systolic array with one register per PE for the stationary operand.

    ``dataflow`` is "ws", "os", "is" (see :data:`SYSTOLIC_DATAFLOWS`) or "rs" (the
    row-stationary Eyeriss-like preset at this size). The other operands stream through
    the array from a unified global buffer of ``glb_kib`` KiB (partial sums at 2x width are
    charged as words of the buffer). Fill and drain of the array are charged per pass.
    """
    if dataflow == "rs":
        return eyeriss_like(rows * cols, cols, word_bits=word_bits, node_nm=node_nm)
    if dataflow not in SYSTOLIC_DATAFLOWS:
        raise ConfigError(f"systolic: dataflow {dataflow!r} not in ws, os, is, rs")
    stationary, sx, sy = SYSTOLIC_DATAFLOWS[dataflow]
    bits = 2 * word_bits if stationary == OUTPUTS else word_bits
    reg = MemoryLevel(f"{OPERANDS[stationary].lower()}_reg", "regfile", 1, bits, 1)
    spads: list[MemoryLevel | None] = [None, None, None]
    spads[stationary] = reg
    depth = glb_kib * 1024 * 8 // (word_bits * 8)
    glb = MemoryLevel("shared_glb", "SRAM", depth, word_bits, 8, glb_bandwidth, glb_bandwidth, 32)
    return Architecture(
        name=f"systolic_{dataflow}_{rows}x{cols}",
        pe_x=cols,
        pe_y=rows,
        mac_bits=word_bits,
        spads=tuple(spads),
        glb=glb,
        dram_type=dram_type,
        dram_word_bits=word_bits,
        node_nm=node_nm,
        spatial_x=sx,
        spatial_y=sy,
        pipeline_fill=True,
        dataflow=dataflow,
    )
