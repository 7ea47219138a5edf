"""Hardware blocks of the SoC model: the block library and an allocated SoC.

The library lists block *types*: processing elements (general-purpose cores, or an
accelerator tile that holds the per-task IPs of the tasks mapped to it), memories
(SRAM and DRAM) and buses. An :class:`SoC` is one allocation of up to three of
each, with clocks, queue depths, the burst size, the bus each PE and memory hangs
off, and the task-to-PE and task-to-memory mapping. Buses are bridged in a chain
(bus0 - bus1 - bus2): a transfer between blocks on buses a and b crosses every bus
from a to b, so an unallocated bus in between disconnects them.

Constants name their source: FARSI's database files as ArchGym ships them
(``shared/data/soc/farsi_workloads/misc_database__*.csv``, REFERENCES.md s1) and the
CACTI/Accelergy figures of REFERENCES.md s3; the rest are marked as assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from archgym.errors import ConfigError

MIB = 1024 * 1024

# REFERENCES.md s3, CACTI 32 nm SRAM 16384 x 64 bit (128 KiB): 0.217 mm2.
SRAM_MM2_PER_BYTE = 0.217 / (128 * 1024)


@dataclass(frozen=True)
class PEType:
    """A processing-element type.

    ``kind`` "gpp": runs any task with ``gpp_cycles``, taking
    ``gpp_cycles / (speedup * clock)`` seconds and ``gpp_cycles / speedup *
    energy_per_cycle_j`` joules on one of its ``cores``; area ``cores * area_mm2``.
    ``kind`` "accelerator": runs only tasks that have an accelerator IP, one at a time,
    taking ``ip.cycles / (clock * L)`` seconds with ``L = min(unroll, iterations)``,
    and ``ip.energy_j`` joules (``L * ip.energy_j`` for FARSI's IPs); area is the sum
    of ``L * ip.area_mm2`` over the tasks mapped to it (``area_mm2`` adds a fixed
    overhead). ``max_clock_ratio`` caps its clock: a higher ratio runs at the cap (as
    ``unroll`` is ignored on cores, a core ignores clock settings beyond its range).
    """

    name: str
    kind: Literal["gpp", "accelerator"]
    nominal_hz: float
    cores: int = 1
    speedup: float = 1.0
    energy_per_cycle_j: float = 0.0
    area_mm2: float = 0.0
    doc: str = ""
    max_clock_ratio: float = float("inf")

    def __post_init__(self) -> None:
        if self.kind not in ("gpp", "accelerator"):
            raise ConfigError(f"PE type {self.name!r}: kind {self.kind!r} is not gpp/accelerator")
        _positive(
            f"PE type {self.name!r}",
            nominal_hz=self.nominal_hz,
            speedup=self.speedup,
            max_clock_ratio=self.max_clock_ratio,
        )
        if not (isinstance(self.cores, int) and self.cores >= 1):
            raise ConfigError(f"PE type {self.name!r}: cores must be an integer >= 1")


@dataclass(frozen=True)
class MemoryType:
    """A memory type: capacity (bytes), port width (bytes per cycle) at ``nominal_hz``,
    access latency (s), energy per byte read and written (J) and area (mm2)."""

    name: str
    kind: Literal["sram", "dram"]
    capacity_bytes: int
    width_bytes: int
    nominal_hz: float
    latency_s: float
    read_energy_per_byte_j: float
    write_energy_per_byte_j: float
    area_mm2: float
    doc: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("sram", "dram"):
            raise ConfigError(f"memory type {self.name!r}: kind {self.kind!r} is not sram/dram")
        _positive(
            f"memory type {self.name!r}",
            capacity_bytes=self.capacity_bytes,
            width_bytes=self.width_bytes,
            nominal_hz=self.nominal_hz,
        )

    @property
    def bandwidth_bytes_per_s(self) -> float:
        """Peak bandwidth at the nominal clock: one port width a cycle."""
        return self.width_bytes * self.nominal_hz


@dataclass(frozen=True)
class BusType:
    """A bus or NoC link type: width (bytes per cycle) at ``nominal_hz``, latency per
    hop (cycles), energy per byte carried (J) and area (mm2, without queues)."""

    name: str
    width_bytes: int
    nominal_hz: float
    hop_cycles: int
    energy_per_byte_j: float
    area_mm2: float
    doc: str = ""

    def __post_init__(self) -> None:
        _positive(
            f"bus type {self.name!r}", width_bytes=self.width_bytes, nominal_hz=self.nominal_hz
        )

    @property
    def bandwidth_bytes_per_s(self) -> float:
        """Peak bandwidth at the nominal clock: one port width a cycle."""
        return self.width_bytes * self.nominal_hz


def _positive(what: str, **values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ConfigError(f"{what}: {name} must be > 0, got {value!r}")


@dataclass(frozen=True)
class HardwareLibrary:
    """The block types an SoC may allocate, by name."""

    pe_types: tuple[PEType, ...]
    memory_types: tuple[MemoryType, ...]
    bus_types: tuple[BusType, ...]
    pe: dict[str, PEType] = field(init=False, repr=False, compare=False)
    memory: dict[str, MemoryType] = field(init=False, repr=False, compare=False)
    bus: dict[str, BusType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for attr, kind in (("pe", "pe_types"), ("memory", "memory_types"), ("bus", "bus_types")):
            types = getattr(self, kind)
            if not types:
                raise ConfigError(f"hardware library: {kind} is empty")
            by_name = {t.name: t for t in types}
            if len(by_name) != len(types) or "none" in by_name:
                raise ConfigError(f"hardware library: {kind} names must be unique and not 'none'")
            object.__setattr__(self, attr, by_name)


# FARSI misc_database__Block_Characteristics.csv, row A53 (the reference GPP), as
# FARSI's parse_library.parse_hardware_library uses it: Freq 1 GHz, dhrystone_IPC 2,
# Inst_per_joul 47019607843, Gpp_area 6.5e-7 m2. FARSI counts a task's work as A53
# cycles x IPC instructions, so a cycle costs IPC / Inst_per_joul = 42.5 pJ.
_A53_HZ = 1e9
_A53_J_PER_CYCLE = 2 / 47019607843
_A53_MM2 = 0.65
# FARSI never sweeps GPP clocks; ours go up to 2 GHz (assumption: the top of the
# Cortex-A53's usual range); higher clock settings run at 2 GHz.
_A53_MAX_RATIO = 2.0
# FARSI misc_database__Block_Characteristics.csv: IP Freq 100 MHz; LMEM/GMEM/LMEM_ic
# Freq 100 MHz, hop_latency 1 cycle, reference interconnect width 4 bytes.
_IP_HZ = 100e6
_BLOCK_HZ = 100e6

DEFAULT_LIBRARY = HardwareLibrary(
    pe_types=(
        PEType(
            "A53",
            "gpp",
            _A53_HZ,
            cores=1,
            energy_per_cycle_j=_A53_J_PER_CYCLE,
            area_mm2=_A53_MM2,
            doc="one Arm Cortex-A53 core (FARSI reference GPP)",
            max_clock_ratio=_A53_MAX_RATIO,
        ),
        PEType(
            "A53x2",
            "gpp",
            _A53_HZ,
            cores=2,
            energy_per_cycle_j=_A53_J_PER_CYCLE,
            area_mm2=_A53_MM2,
            doc="dual-core A53 cluster: runs two tasks at once",
            max_clock_ratio=_A53_MAX_RATIO,
        ),
        PEType(
            "IP",
            "accelerator",
            _IP_HZ,
            doc="accelerator tile holding the per-task IPs of the tasks mapped to it",
        ),
    ),
    memory_types=(
        # REFERENCES.md s3, CACTI 32 nm SRAM 16384 x 64 bit: 18.16 / 14.11 pJ per 64-bit
        # read / write, 0.217 mm2 per 128 KiB; a larger SRAM is built of such banks.
        # Port width 8 bytes (the macro's 64-bit word), 1-cycle access (FARSI hop_latency).
        *(
            MemoryType(
                f"sram_{label}",
                "sram",
                capacity_bytes=size,
                width_bytes=8,
                nominal_hz=_BLOCK_HZ,
                latency_s=1 / _BLOCK_HZ,
                read_energy_per_byte_j=18.16e-12 / 8,
                write_energy_per_byte_j=14.11e-12 / 8,
                area_mm2=size * SRAM_MM2_PER_BYTE,
                doc=f"{label} on-chip SRAM",
            )
            for label, size in (("256KiB", 256 * 1024), ("1MiB", MIB), ("4MiB", 4 * MIB))
        ),
        MemoryType(
            "lpddr4",
            "dram",
            capacity_bytes=512 * MIB,  # assumption: one 4 Gb LPDDR4 die
            width_bytes=16,  # LPDDR4-3200 x16 channel: 6.4 GB/s = 16 B x 400 MHz
            nominal_hz=400e6,
            latency_s=40e-9,  # assumption: tRCD + CL (~27 ns, REFERENCES.md s2) + controller
            # REFERENCES.md s3: Accelergy library LPDDR4 flat 8 pJ/bit.
            read_energy_per_byte_j=64e-12,
            write_energy_per_byte_j=64e-12,
            area_mm2=1.0,  # assumption: on-chip controller + PHY
            doc="off-chip LPDDR4 channel (area is the on-chip controller and PHY)",
        ),
    ),
    bus_types=(
        # Widths follow FARSI's interconnect library (LMEM_ic_* BitWidth 4..128 bytes at
        # 100 MHz, hop_latency 1). Energy (assumption): ~0.1 pJ/bit for a few mm of
        # on-chip wire plus arbitration, 1 pJ/byte; area (assumption) 0.01 mm2 per byte
        # of width for the crossbar and arbiter.
        *(
            BusType(
                f"axi{8 * width}",
                width_bytes=width,
                nominal_hz=_BLOCK_HZ,
                hop_cycles=1,
                energy_per_byte_j=1e-12,
                area_mm2=0.01 * width,
                doc=f"{8 * width}-bit shared bus",
            )
            for width in (4, 8, 16)
        ),
        BusType(
            "noc256",
            width_bytes=32,
            nominal_hz=_BLOCK_HZ,
            hop_cycles=2,  # assumption: router pipeline of 2 cycles
            energy_per_byte_j=1.5e-12,  # assumption: router + link
            area_mm2=0.5,  # assumption: router with 256-bit ports
            doc="256-bit network-on-chip link",
        ),
    ),
)


@dataclass(frozen=True)
class PEInstance:
    """An allocated PE: its type, clock ratio (x nominal), unroll factor and bus."""

    type: PEType
    clock_ratio: float = 1.0
    unroll: int = 1
    bus: int = 0

    @property
    def hz(self) -> float:
        """The clock: nominal x clock_ratio, capped at nominal x the type's max_clock_ratio."""
        return self.type.nominal_hz * min(self.clock_ratio, self.type.max_clock_ratio)


@dataclass(frozen=True)
class MemoryInstance:
    """An allocated memory: its type, clock ratio (x nominal) and bus."""

    type: MemoryType
    clock_ratio: float = 1.0
    bus: int = 0

    @property
    def bandwidth_bytes_per_s(self) -> float:
        """Peak bandwidth at this instance's clock."""
        return self.type.bandwidth_bytes_per_s * self.clock_ratio

    @property
    def latency_s(self) -> float:
        """Access latency: an SRAM's scales with its clock; a DRAM's (its core timing)
        does not."""
        if self.type.kind == "sram":
            return self.type.latency_s / self.clock_ratio
        return self.type.latency_s


@dataclass(frozen=True)
class BusInstance:
    """An allocated bus: its type, clock ratio (x nominal) and queue depth
    (outstanding bursts it keeps in flight, each with a buffer of ``burst`` bytes)."""

    type: BusType
    clock_ratio: float = 1.0
    queue: int = 4

    @property
    def bandwidth_bytes_per_s(self) -> float:
        """Peak bandwidth at this instance's clock."""
        return self.type.bandwidth_bytes_per_s * self.clock_ratio

    @property
    def hop_s(self) -> float:
        """Time one transfer spends crossing this bus (its hop cycles at its clock)."""
        return self.type.hop_cycles / (self.type.nominal_hz * self.clock_ratio)


@dataclass(frozen=True)
class SoC:
    """One allocated SoC and mapping (slots that are None are not allocated).

    ``task_pe`` maps every task that does work to a PE slot; ``task_memory`` maps every
    task with outgoing data to the memory slot that holds that data.
    """

    pes: tuple[PEInstance | None, ...]
    memories: tuple[MemoryInstance | None, ...]
    buses: tuple[BusInstance | None, ...]
    task_pe: dict[str, int]
    task_memory: dict[str, int]
    burst_bytes: int = 256
