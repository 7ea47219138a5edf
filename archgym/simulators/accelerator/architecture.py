"""Architecture specs of the accelerator model: a PE array under any hierarchy of memories.

An :class:`Architecture` is a PE array of any number of dimensions (ZigZag's D1, D2, ...;
the first is Timeloop's meshX) and a tuple of :class:`MemoryLevel`, innermost first.
Each level holds a chosen subset of the operands (Weights = 0, Inputs = 1, Outputs = 2,
Timeloop's order); an operand that a level does not hold bypasses it. A level has its own
capacity, per-access energies, ports (each with a width, a transfer granularity, a
bandwidth and the operand directions it serves) and the array dimensions one instance
spans (ZigZag's ``served_dimensions``: none for a per-PE register file, all of them for a
shared buffer). The last level is the backing store (DRAM) and holds every operand.

Operand directions are ZigZag's: ``fh`` filled from the level above, ``tl`` read out to
the level below, ``fl`` filled from below (partial sums written back), ``th`` read out to
the level above (partial or final sums drained).

Two counting conventions (``convention``) reproduce the two reference tools where they
differ; docs/envs/accelerator.md lists the differences:

- ``"timeloop"``: every MAC reads its operands from the innermost level, the first
  update of an output needs no read, energies per stored word, latency = the larger of
  the compute cycles and each port's transfer time (Timeloop/Accelergy).
- ``"zigzag"``: an operand held still by the innermost loops is read once per run, every
  update reads the partial sum, transfers are rounded up to the port granularity and
  latency adds stalls, on- and off-loading to the compute cycles (ZigZag 3.9).

Specs are frozen and validated once here; :class:`ConfigError` names the bad field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from archgym.errors import ConfigError
from archgym.simulators.accelerator.workload import DIMS

OPERANDS: tuple[str, ...] = ("Weights", "Inputs", "Outputs")
WEIGHTS, INPUTS, OUTPUTS = 0, 1, 2
#: Data directions at a memory (ZigZag's allocation names): filled from higher, read to
#: lower, filled from lower, read to higher.
DIRECTIONS: tuple[str, ...] = ("fh", "tl", "fl", "th")
#: Directions an input operand (weights, inputs) uses, and those outputs use.
INPUT_DIRECTIONS = ("fh", "tl")
OUTPUT_DIRECTIONS = DIRECTIONS
PORT_KINDS = ("read", "write", "read_write")
_READS, _WRITES = ("tl", "th"), ("fh", "fl")
CONVENTIONS = ("timeloop", "zigzag")


@dataclass(frozen=True)
class Port:
    """One memory port: what it moves, how wide, how fast.

    ``width_bits`` is one access (what the level's per-access energy is charged for),
    ``granularity_bits`` the smallest transfer (ZigZag's ``bandwidth_min``: a transfer
    is rounded up to a multiple of it and charged ``granularity / width`` of an access per
    unit), ``bandwidth_bits`` bits per cycle per instance (``math.inf``: unlimited).
    ``serves`` lists ``(operand, direction)`` pairs in the order the port serves them.
    """

    name: str
    kind: str
    width_bits: int
    granularity_bits: int
    bandwidth_bits: float
    serves: tuple[tuple[int, str], ...]

    def __post_init__(self) -> None:
        where = f"port {self.name!r}"
        if self.kind not in PORT_KINDS:
            raise ConfigError(f"{where}: kind {self.kind!r} not in {PORT_KINDS}")
        for attr in ("width_bits", "granularity_bits"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{where}: {attr} must be a positive int, got {value!r}")
        if self.granularity_bits > self.width_bits:
            raise ConfigError(
                f"{where}: granularity_bits {self.granularity_bits} exceeds width_bits "
                f"{self.width_bits}"
            )
        if not self.bandwidth_bits > 0:
            raise ConfigError(f"{where}: bandwidth_bits must be positive")
        for operand, direction in self.serves:
            if operand not in (WEIGHTS, INPUTS, OUTPUTS) or direction not in DIRECTIONS:
                raise ConfigError(f"{where}: cannot serve ({operand!r}, {direction!r})")
            if self.kind == "read" and direction in _WRITES:
                raise ConfigError(f"{where}: a read port cannot serve {direction}")
            if self.kind == "write" and direction in _READS:
                raise ConfigError(f"{where}: a write port cannot serve {direction}")


@dataclass(frozen=True)
class MemoryLevel:
    """One memory of the hierarchy (every instance of it).

    ``operands`` (ordered) are the operands it stores; ``capacity_bits`` per instance
    (``math.inf`` for DRAM); ``read_pj``/``write_pj`` per access of a port's width;
    ``served_dims`` the array dimensions one instance spans (instances = product of the
    other dimensions' sizes); ``area`` per instance (mm^2 for the templates, the source
    file's unit for read files); ``double_buffered`` doubles the space a tile needs
    while the next one loads (ZigZag's ``force_double_buffering``); ``word_bits`` (the
    Timeloop templates) stores every operand as words of that size. A level with no
    operands stores nothing and only adds area.
    """

    name: str
    operands: tuple[int, ...]
    capacity_bits: float
    read_pj: float
    write_pj: float
    ports: tuple[Port, ...] = ()
    served_dims: frozenset[int] = frozenset()
    area: float = 0.0
    double_buffered: bool = False
    word_bits: int | None = None

    def __post_init__(self) -> None:
        where = f"memory level {self.name!r}"
        if len(set(self.operands)) != len(self.operands) or not set(self.operands) <= {0, 1, 2}:
            raise ConfigError(f"{where}: operands must be distinct among 0, 1, 2")
        if not self.capacity_bits > 0:
            raise ConfigError(f"{where}: capacity_bits must be positive")
        for attr in ("read_pj", "write_pj", "area"):
            value = getattr(self, attr)
            if not (isinstance(value, (int, float)) and value >= 0 and math.isfinite(value)):
                raise ConfigError(f"{where}: {attr} must be a non-negative number, got {value!r}")
        if self.word_bits is not None and (
            isinstance(self.word_bits, bool) or not isinstance(self.word_bits, int)
        ):
            raise ConfigError(f"{where}: word_bits must be an int or None")
        served: dict[tuple[int, str], str] = {}
        for port in self.ports:
            for key in port.serves:
                if key in served:
                    raise ConfigError(
                        f"{where}: {OPERANDS[key[0]]} {key[1]} is served by ports "
                        f"{served[key]!r} and {port.name!r}"
                    )
                if key[0] not in self.operands:
                    raise ConfigError(
                        f"{where}: port {port.name!r} serves {OPERANDS[key[0]]}, which the "
                        "level does not hold"
                    )
                served[key] = port.name

    def port_for(self, operand: int, direction: str) -> Port | None:
        """The port serving ``operand`` in ``direction``, or None."""
        for port in self.ports:
            if (operand, direction) in port.serves:
                return port
        return None


@dataclass(frozen=True)
class Architecture:
    """A DNN accelerator: PE array, memory hierarchy, MAC, precisions, counting convention.

    ``array`` holds the sizes of the PE array dimensions; ``levels`` the memories,
    innermost first, each operand's levels forming its chain; ``precision`` the bits of
    (weights, inputs, partial sums, final outputs); ``spatial_dims`` the loop dimensions
    each array dimension may unroll (the dataflow; None: any); ``systolic_dims`` the
    array dimensions whose results leave one PE per cycle (ZigZag's drain);
    ``pipeline_fill_cycles`` cycles added per pass of the per-PE loops (a systolic array's
    fill and drain, SCALE-Sim's per-fold latency, timeloop convention). ``area`` sums
    instances x level area plus PEs x ``mac_area`` in ``area_unit``.
    """

    name: str
    array: tuple[int, ...]
    levels: tuple[MemoryLevel, ...]
    mac_energy_pj: float
    mac_area: float = 0.0
    precision: tuple[int, int, int, int] = (8, 8, 16, 8)
    convention: str = "timeloop"
    spatial_dims: tuple[frozenset[str], ...] | None = None
    systolic_dims: frozenset[int] = frozenset()
    pipeline_fill_cycles: int = 0
    area_unit: str = "mm^2"
    dataflow: str = "any"
    node_nm: float | None = None
    clock_ghz: float = 1.0

    def __post_init__(self) -> None:
        where = f"architecture {self.name!r}"
        if not self.array or any(
            isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in self.array
        ):
            raise ConfigError(f"{where}: array sizes must be positive ints, got {self.array!r}")
        if self.convention not in CONVENTIONS:
            raise ConfigError(f"{where}: convention {self.convention!r} not in {CONVENTIONS}")
        if len(self.precision) != 4 or any(
            isinstance(p, bool) or not isinstance(p, int) or p < 1 for p in self.precision
        ):
            raise ConfigError(f"{where}: precision must be 4 positive ints (W, I, psum, final)")
        if not self.mac_energy_pj >= 0 or not self.clock_ghz > 0:
            raise ConfigError(f"{where}: mac_energy_pj >= 0 and clock_ghz > 0 are required")
        if not self.levels or set(self.levels[-1].operands) != {0, 1, 2}:
            raise ConfigError(f"{where}: the last (outermost) level must hold all three operands")
        names = [level.name for level in self.levels]
        if len(set(names)) != len(names):
            raise ConfigError(f"{where}: memory level names must be unique, got {names}")
        n_dims = len(self.array)
        for level in self.levels:
            bad = [d for d in level.served_dims if not (isinstance(d, int) and 0 <= d < n_dims)]
            if bad:
                raise ConfigError(f"{where}: level {level.name!r} serves unknown dims {bad}")
        bad = [d for d in self.systolic_dims if not 0 <= d < n_dims]
        if bad:
            raise ConfigError(f"{where}: systolic_dims {bad} are not array dimensions")
        if self.spatial_dims is not None:
            if len(self.spatial_dims) != n_dims:
                raise ConfigError(f"{where}: spatial_dims needs one set per array dimension")
            for allowed in self.spatial_dims:
                if not set(allowed) <= set(DIMS):
                    raise ConfigError(f"{where}: spatial_dims has unknown loop dims {allowed}")
        top = len(self.levels) - 1
        for op in range(3):
            for index in self.chains[op]:
                level = self.levels[index]
                needed = INPUT_DIRECTIONS if op != OUTPUTS else OUTPUT_DIRECTIONS
                for direction in needed:
                    if index == top and direction in ("fh", "th"):
                        continue  # nothing above the backing store
                    if level.port_for(op, direction) is None:
                        raise ConfigError(
                            f"{where}: level {level.name!r} has no port for "
                            f"{OPERANDS[op]} {direction}"
                        )

    # ---------------------------------------------------------------- derived structure

    @cached_property
    def chains(self) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """For each operand, the indices of the levels holding it, innermost first."""
        return tuple(
            tuple(i for i, level in enumerate(self.levels) if op in level.operands)
            for op in range(3)
        )

    @property
    def n_pes(self) -> int:
        """PEs (MAC units) in the array."""
        return math.prod(self.array)

    def instances(self, level: MemoryLevel | int) -> int:
        """Instances of a level: the product of the array dimensions it does not span."""
        if isinstance(level, int):
            level = self.levels[level]
        return math.prod(s for d, s in enumerate(self.array) if d not in level.served_dims)

    def level(self, name: str) -> MemoryLevel:
        """The level called ``name``; ConfigError lists the names otherwise."""
        for level in self.levels:
            if level.name == name:
                return level
        raise ConfigError(
            f"architecture {self.name!r} has no level {name!r}; levels: "
            f"{', '.join(lv.name for lv in self.levels)}"
        )

    @cached_property
    def area_breakdown(self) -> dict[str, float]:
        """Area per level (all instances) and of the MACs, in ``area_unit``."""
        out = {level.name: level.area * self.instances(level) for level in self.levels}
        out["mac"] = self.mac_area * self.n_pes
        return out

    @property
    def area(self) -> float:
        """Total area in ``area_unit``."""
        return sum(self.area_breakdown.values())

    @property
    def area_mm2(self) -> float:
        """Total area in mm^2 (the templates); the same number as :attr:`area`."""
        return self.area

    def allowed_spatial(self, dim: int) -> frozenset[str]:
        """Loop dimensions array dimension ``dim`` may unroll."""
        if self.spatial_dims is None:
            return frozenset(DIMS)
        return self.spatial_dims[dim]

    def level_names(self) -> tuple[str, ...]:
        """Names of the energy breakdown entries: "mac" then every level holding data."""
        return ("mac", *(level.name for level in self.levels if level.operands))
