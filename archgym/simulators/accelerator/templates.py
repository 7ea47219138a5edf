"""The Timeloop-style templates: per-PE scratchpads, one shared buffer, DRAM.

A :class:`Buffer` describes a memory the way Timeloop/Accelergy do (memory class, depth,
word size, block size, bandwidths in words per cycle, banks); its energies and area come
from the tables of :mod:`.energy`. :func:`template` builds the general
:class:`~.architecture.Architecture` of the template

    MAC  <-  per-PE scratchpads (one per operand, or bypass)  <-  PE array (X x Y)
         <-  shared global buffer (keeps a subset of operands)  <-  DRAM

and the presets :func:`eyeriss_like` (TimeloopGym's design), :func:`timeloop_reference`
(the Timeloop+Accelergy reference run) and :func:`systolic` use it. All count with the
Timeloop convention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from archgym.errors import ConfigError
from archgym.simulators.accelerator import energy
from archgym.simulators.accelerator.architecture import (
    INPUTS,
    OPERANDS,
    OUTPUTS,
    WEIGHTS,
    Architecture,
    MemoryLevel,
    Port,
)
from archgym.simulators.accelerator.workload import DIMS

#: Roles of the template's levels, as :meth:`Mapping.loop_nest` assigns loops to them.
PE, SHARED, BACKING = "pe", "glb", "dram"


@dataclass(frozen=True)
class Buffer:
    """One Timeloop/Accelergy memory: ``depth`` entries of ``block_size`` words of ``word_bits``.

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
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{self.name}: {attr} must be a positive int, got {value!r}")
        for attr in ("read_bandwidth", "write_bandwidth"):
            if not getattr(self, attr) > 0:
                raise ConfigError(f"{self.name}: {attr} must be positive")

    @property
    def capacity_words(self) -> int:
        """Words the buffer holds: depth x block size."""
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

    def access_energy_pj(self, node_nm: float) -> tuple[float, float]:
        """(read, write) energy of one full-width access (``block_size`` words)."""
        return energy.memory_access_energy_pj(
            self.memory_class, self.depth, self.width_bits, node_nm, self.banks
        )

    def area_um2(self, node_nm: float) -> float:
        """Area of the buffer at ``node_nm`` (um^2), from :func:`.energy.memory_area_um2`."""
        return energy.memory_area_um2(
            self.memory_class, self.depth, self.width_bits, node_nm, self.banks, self.ports
        )

    def level(
        self, operands: tuple[int, ...], served_dims: frozenset[int], node_nm: float
    ) -> MemoryLevel:
        """This buffer as a :class:`MemoryLevel` holding ``operands``: a read port (tl, th)
        and a write port (fh, fl) at its bandwidths, accesses one entry wide, word-granular."""
        read_pj, write_pj = self.access_energy_pj(node_nm)
        word, width = self.word_bits, self.width_bits
        reads = tuple(
            (op, d) for op in operands for d in ("tl", "th") if op == OUTPUTS or d == "tl"
        )
        writes = tuple(
            (op, d) for op in operands for d in ("fh", "fl") if op == OUTPUTS or d == "fh"
        )
        ports = (
            Port("read", "read", width, word, self.read_bandwidth * word, reads),
            Port("write", "write", width, word, self.write_bandwidth * word, writes),
        )
        return MemoryLevel(
            self.name,
            operands,
            float(self.capacity_words * word),
            read_pj,
            write_pj,
            ports if operands else (),
            served_dims,
            self.area_um2(node_nm) * 1e-6,
            word_bits=word,
        )


def dram_level(dram_type: str, word_bits: int, clock_ghz: float, name: str = "dram") -> MemoryLevel:
    """DRAM as the backing store: a flat energy per bit and the type's peak bandwidth."""
    pj = energy.dram_energy_pj_per_bit(dram_type) * word_bits
    bandwidth = energy.dram_bandwidth_gbps(dram_type) * 8 / clock_ghz  # bits per cycle
    serves = tuple((op, d) for op in (WEIGHTS, INPUTS) for d in ("fh", "tl")) + tuple(
        (OUTPUTS, d) for d in ("fh", "tl", "fl", "th")
    )
    port = Port("rw", "read_write", word_bits, word_bits, bandwidth, serves)
    return MemoryLevel(
        name, (0, 1, 2), math.inf, pj, pj, (port,), frozenset({0, 1}), word_bits=word_bits
    )


def template(
    name: str,
    pe_x: int,
    pe_y: int,
    *,
    spads: tuple[Buffer | None, Buffer | None, Buffer | None],
    glb: Buffer,
    glb_keeps: frozenset[int] = frozenset({WEIGHTS, INPUTS, OUTPUTS}),
    mac_bits: int = 16,
    node_nm: float = 45.0,
    dram_type: str = "LPDDR4",
    dram_word_bits: int = 16,
    clock_ghz: float = 1.0,
    dummy_buffer: Buffer | None = None,
    spatial_x: frozenset[str] = frozenset(DIMS),
    spatial_y: frozenset[str] = frozenset(DIMS),
    pipeline_fill_cycles: int = 0,
    dataflow: str = "any",
) -> Architecture:
    """The template architecture: ``pe_x`` columns (array dim 0) x ``pe_y`` rows (dim 1).

    ``spads`` are the per-PE scratchpads of Weights, Inputs, Outputs (None = bypass);
    ``glb_keeps`` the operands the shared buffer stores; ``dummy_buffer`` one per column,
    stores nothing (TimeloopGym's). ``spatial_x``/``spatial_y`` are the loop dimensions the
    columns and rows may unroll. Raises ConfigError for bad sizes or an unknown DRAM type.
    """
    for attr, value in (("pe_x", pe_x), ("pe_y", pe_y), ("mac_bits", mac_bits)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"architecture {name}: {attr} must be a positive int")
    if len(spads) != 3:
        raise ConfigError(f"architecture {name}: spads must have 3 entries (W, I, O)")
    if not set(glb_keeps) <= {0, 1, 2}:
        raise ConfigError(f"architecture {name}: glb_keeps must be a subset of 0, 1, 2")
    if not clock_ghz > 0:
        raise ConfigError(f"architecture {name}: clock_ghz must be positive")
    levels: list[MemoryLevel] = []
    for op, spad in enumerate(spads):
        if spad is not None:
            levels.append(spad.level((op,), frozenset(), node_nm))
    if dummy_buffer is not None:
        levels.append(dummy_buffer.level((), frozenset({1}), node_nm))
    kept = tuple(op for op in (WEIGHTS, INPUTS, OUTPUTS) if op in glb_keeps)
    levels.append(glb.level(kept, frozenset({0, 1}), node_nm))
    levels.append(dram_level(dram_type, dram_word_bits, clock_ghz))
    return Architecture(
        name=name,
        array=(pe_x, pe_y),
        levels=tuple(levels),
        mac_energy_pj=energy.mac_energy_pj(mac_bits, node_nm),
        mac_area=energy.mac_area_um2(mac_bits, node_nm) * 1e-6,
        precision=(mac_bits, mac_bits, mac_bits, mac_bits),
        convention="timeloop",
        spatial_dims=(frozenset(spatial_x), frozenset(spatial_y)),
        pipeline_fill_cycles=pipeline_fill_cycles,
        dataflow=dataflow,
        node_nm=node_nm,
        clock_ghz=clock_ghz,
    )


def level_roles(arch: Architecture) -> tuple[str, ...]:
    """Role of each level of a template architecture: per-PE, shared buffer or DRAM.

    Raises ConfigError when ``arch`` is not of the template's shape (per-PE levels, at most
    one shared level below the backing store).
    """
    roles = []
    top = len(arch.levels) - 1
    shared = 0
    for i, level in enumerate(arch.levels):
        if i == top:
            roles.append(BACKING)
        elif not level.served_dims:
            roles.append(PE)
        elif not level.operands:
            roles.append("none")
        else:
            roles.append(SHARED)
            shared += 1
    if shared > 1:
        raise ConfigError(
            f"architecture {arch.name!r} has {shared} shared levels below DRAM; the pe/glb/dram "
            "slots of a Mapping describe the template only: use a LoopNest"
        )
    return tuple(roles)


# ------------------------------------------------------------------------------ presets


def eyeriss_like(
    n_pes: int = 168,
    mesh_x: int = 14,
    *,
    word_bits: int = 16,
    node_nm: float = 45.0,
    dram_type: str = "LPDDR4",
    ifmap_spad: Buffer | None = None,
    weights_spad: Buffer | None = None,
    psum_spad: Buffer | None = None,
    glb: Buffer | None = None,
    dummy_buffer: Buffer | None = None,
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
    ifmap_spad = ifmap_spad or Buffer("ifmap_spad", spad, 12, word_bits, 1, 2, 2)
    weights_spad = weights_spad or Buffer("weights_spad", spad, 192, word_bits, 1, 2, 2)
    psum_spad = psum_spad or Buffer("psum_spad", spad, 16, word_bits, 1, 2, 2)
    glb = glb or Buffer("shared_glb", "smartbuffer_SRAM", 16384, word_bits, 4, 16, 16, 32)
    dummy_buffer = dummy_buffer or Buffer("dummy_buffer", "SRAM", 16, word_bits, 1)
    return template(
        "eyeriss_like",
        mesh_x,
        n_pes // mesh_x,
        spads=(weights_spad, ifmap_spad, psum_spad),
        glb=glb,
        glb_keeps=frozenset({INPUTS, OUTPUTS}),
        mac_bits=word_bits,
        node_nm=node_nm,
        dram_type=dram_type,
        dram_word_bits=word_bits,
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
    return template(
        "timeloop_eyeriss_like",
        14,
        12,
        spads=(
            Buffer("weights_spad", "smartbuffer_RF", 192, 8, 2, 2, 2),
            Buffer("ifmap_spad", "smartbuffer_RF", 12, 8, 2, 2, 2),
            Buffer("psum_spad", "smartbuffer_RF", 16, 16, 1, 2, 2),
        ),
        glb=Buffer("shared_glb", "smartbuffer_SRAM", 16384, 8, 8, 16, 16, 32),
        glb_keeps=frozenset({INPUTS, OUTPUTS}),
        mac_bits=8,
        node_nm=32.0,
        dram_type="LPDDR4",
        dram_word_bits=8,
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
    charged as words of the buffer). Every pass of the per-PE loops pays the array's fill
    and drain: ``2*rows + cols - 2`` cycles (stationary operand preloaded down the rows,
    then skewed in and drained), ``rows + cols - 2`` for output stationary, which preloads
    nothing (SCALE-Sim's per-fold latency).
    """
    if dataflow == "rs":
        return eyeriss_like(rows * cols, cols, word_bits=word_bits, node_nm=node_nm)
    if dataflow not in SYSTOLIC_DATAFLOWS:
        raise ConfigError(f"systolic: dataflow {dataflow!r} not in ws, os, is, rs")
    stationary, sx, sy = SYSTOLIC_DATAFLOWS[dataflow]
    bits = 2 * word_bits if stationary == OUTPUTS else word_bits
    reg = Buffer(f"{OPERANDS[stationary].lower()}_reg", "regfile", 1, bits, 1)
    spads: list[Buffer | None] = [None, None, None]
    spads[stationary] = reg
    depth = glb_kib * 1024 * 8 // (word_bits * 8)
    glb = Buffer("shared_glb", "SRAM", depth, word_bits, 8, glb_bandwidth, glb_bandwidth, 32)
    fill = rows + cols - 2 if dataflow == "os" else 2 * rows + cols - 2
    return template(
        f"systolic_{dataflow}_{rows}x{cols}",
        cols,
        rows,
        spads=tuple(spads),
        glb=glb,
        mac_bits=word_bits,
        node_nm=node_nm,
        dram_type=dram_type,
        dram_word_bits=word_bits,
        spatial_x=sx,
        spatial_y=sy,
        pipeline_fill_cycles=fill,
        dataflow=dataflow,
    )
