"""Template mappings: tiling factors per level, loop order, and spatial unrolling.

A :class:`Mapping` describes a mapping onto the template architectures of
:mod:`.templates` (per-PE scratchpads, one shared buffer, DRAM) the way Timeloop and
GAMMA do; :meth:`Mapping.loop_nest` turns it into the general
:class:`~.loopnest.LoopNest` the model evaluates. It gives, for every loop dimension of
:data:`DIMS`, five factors whose product covers the layer's bound (a product above the
bound pads the loop):

    slot 0 "pe"    temporal loops inside a PE (the per-PE scratchpads hold their tile)
    slot 1 "x"     spatial unrolling over the mesh columns
    slot 2 "y"     spatial unrolling over the mesh rows
    slot 3 "glb"   temporal loops at the global buffer
    slot 4 "dram"  temporal loops at DRAM

and the loop order of the global-buffer and DRAM levels, written innermost first
(e.g. ``"QPKCNGRS"``, Timeloop's permutation convention). Loop order inside the PE does
not change the model's counts (see docs/envs/accelerator.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from archgym.errors import InvalidDesignError
from archgym.simulators.accelerator.workload import DIMS, Layer

if TYPE_CHECKING:
    from archgym.simulators.accelerator.architecture import Architecture
    from archgym.simulators.accelerator.loopnest import LoopNest

SLOTS: tuple[str, ...] = ("pe", "x", "y", "glb", "dram")
DEFAULT_ORDER = "".join(DIMS)


def _check_order(order: str, where: str) -> str:
    if sorted(order) != sorted(DIMS):
        raise InvalidDesignError(
            f"{where} loop order {order!r} must be a permutation of {''.join(DIMS)}"
        )
    return order


@dataclass(frozen=True)
class Mapping:
    """Factors as a tuple of 8 rows (one per dim of DIMS) of 5 slot factors, plus orders."""

    factors: tuple[tuple[int, int, int, int, int], ...]
    glb_order: str = DEFAULT_ORDER
    dram_order: str = DEFAULT_ORDER

    def __post_init__(self) -> None:
        if len(self.factors) != len(DIMS) or any(len(row) != 5 for row in self.factors):
            raise InvalidDesignError("mapping factors must be 8 dims x 5 slots")
        for d, row in zip(DIMS, self.factors, strict=True):
            for slot, f in zip(SLOTS, row, strict=True):
                if not isinstance(f, (int, np.integer)) or f < 1:
                    raise InvalidDesignError(
                        f"mapping factor {d} at {slot} must be a positive int, got {f!r}"
                    )
        _check_order(self.glb_order, "global-buffer")
        _check_order(self.dram_order, "DRAM")

    @classmethod
    def from_levels(
        cls,
        layer: Layer,
        *,
        pe: MappingABC[str, int] | None = None,
        x: MappingABC[str, int] | None = None,
        y: MappingABC[str, int] | None = None,
        glb: MappingABC[str, int] | None = None,
        dram: MappingABC[str, int] | None = None,
        glb_order: str = DEFAULT_ORDER,
        dram_order: str = DEFAULT_ORDER,
    ) -> Mapping:
        """Build from per-level ``{dim: factor}`` dicts; DRAM factors default to what is left.

        A dim missing from ``dram`` gets ``ceil(bound / product of the other factors)``.
        Raises InvalidDesignError for unknown dim names.
        """
        levels = [pe or {}, x or {}, y or {}, glb or {}]
        for level_name, level in zip(SLOTS, [*levels, dram or {}], strict=True):
            bad = set(level) - set(DIMS)
            if bad:
                raise InvalidDesignError(f"mapping level {level_name}: unknown dims {sorted(bad)}")
        rows = []
        for d, bound in zip(DIMS, layer.dims, strict=True):
            inner = [int(level.get(d, 1)) for level in levels]
            if dram is not None and d in dram:
                outer = int(dram[d])
            else:
                outer = math.ceil(bound / math.prod(inner))
            rows.append((*inner, outer))
        return cls(tuple(rows), glb_order, dram_order)

    def as_array(self) -> np.ndarray:
        """Factors as an int64 array of shape (8, 5)."""
        return np.asarray(self.factors, dtype=np.int64)

    def covers(self, layer: Layer) -> None:
        """Raise InvalidDesignError when a dim's factor product is below the layer bound."""
        for d, row, bound in zip(DIMS, self.factors, layer.dims, strict=True):
            if math.prod(row) < bound:
                raise InvalidDesignError(
                    f"mapping covers {d}={math.prod(row)} of the layer's {d}={bound}"
                )

    def level(self, slot: str) -> dict[str, int]:
        """Non-unit factors of one slot as ``{dim: factor}``."""
        i = SLOTS.index(slot)
        return {d: int(row[i]) for d, row in zip(DIMS, self.factors, strict=True) if row[i] > 1}

    def loop_nest(self, layer: Layer, arch: Architecture) -> LoopNest:
        """This mapping on a template architecture as a :class:`~.loopnest.LoopNest`.

        The temporal loops are the PE slot (in :data:`DIMS` order), then the global-buffer
        slot in ``glb_order`` and the DRAM slot in ``dram_order``; per-PE levels cut after
        the PE slot, the shared buffer after its slot; x unrolls over array dimension 0,
        y over dimension 1. Raises ConfigError when ``arch`` is not of the template's
        shape, InvalidDesignError when the mapping does not cover ``layer``.
        """
        from archgym.errors import ConfigError
        from archgym.simulators.accelerator.loopnest import LoopNest
        from archgym.simulators.accelerator.templates import BACKING, PE, SHARED, level_roles

        if len(arch.array) != 2:
            raise ConfigError(
                f"a template Mapping unrolls over 2 array dimensions; {arch.name} has "
                f"{len(arch.array)}: use a LoopNest"
            )
        self.covers(layer)
        roles = level_roles(arch)
        rows = dict(zip(DIMS, self.factors, strict=True))
        pe = [(d, int(rows[d][0])) for d in DIMS if rows[d][0] > 1]
        glb = [(d, int(rows[d][3])) for d in self.glb_order if rows[d][3] > 1]
        dram = [(d, int(rows[d][4])) for d in self.dram_order if rows[d][4] > 1]
        ends = {PE: len(pe), SHARED: len(pe) + len(glb), BACKING: len(pe) + len(glb) + len(dram)}
        cuts = tuple(tuple(ends[roles[lv]] for lv in arch.chains[op]) for op in range(3))
        spatial = tuple(
            tuple((d, int(rows[d][slot])) for d in DIMS if rows[d][slot] > 1) for slot in (1, 2)
        )
        return LoopNest(spatial, (*pe, *glb, *dram), cuts)

    def describe(self) -> str:
        """A Timeloop-like loop nest, outermost first."""
        lines = []
        for slot, order in (("dram", self.dram_order), ("glb", self.glb_order)):
            fac = self.level(slot)
            loops = [f"{d}{fac[d]}" for d in reversed(order) if d in fac]
            lines.append(f"{slot}: " + " ".join(loops))
        lines.append("spatial x: " + " ".join(f"{d}{f}" for d, f in self.level("x").items()))
        lines.append("spatial y: " + " ".join(f"{d}{f}" for d, f in self.level("y").items()))
        lines.append("pe: " + " ".join(f"{d}{f}" for d, f in self.level("pe").items()))
        return "\n".join(lines)


def order_to_indices(order: str) -> np.ndarray:
    """A loop order string as an int64 array of dim indices (innermost first)."""
    return np.array([DIMS.index(c) for c in order], dtype=np.int64)


_TIMELOOP_DIM = {"M": "K", "N": "N", "C": "C", "P": "P", "Q": "Q", "R": "R", "S": "S", "G": "G"}


def read_timeloop_map(
    path: str | Path,
    layer: Layer,
    *,
    glb: str = "shared_glb",
    dram: str = "DRAM",
) -> Mapping:
    """Read a Timeloop ``*.map.yaml`` (its ``mapping:`` list) as a Mapping of ``layer``.

    Temporal factors of the ``glb`` and ``dram`` targets go to those slots, with their
    permutations; every other temporal target (the per-PE buffers) multiplies into the
    pe slot; spatial factors go to x for the first ``split`` dims of the permutation and
    to y for the rest (Timeloop's convention). Raises WorkloadError for a malformed file.
    """
    import re

    from archgym.errors import WorkloadError
    from archgym.parsing import INT64_MAX, check_int, errors_at, parse_int, read_yaml

    path = Path(path)
    doc = read_yaml(path, "Timeloop mapping YAML", WorkloadError)
    entries = doc.get("mapping") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise WorkloadError(f"{path}: not a Timeloop mapping YAML: expected a 'mapping:' list")
    slots = {s: dict.fromkeys(DIMS, 1) for s in SLOTS}
    orders = {"glb": DEFAULT_ORDER, "dram": DEFAULT_ORDER}
    for i, entry in enumerate(entries):
        where = f"{path}: mapping[{i}]"
        if not isinstance(entry, dict):
            raise WorkloadError(
                f"{where}: expected a mapping of target, type, factors, got {entry!r}"
            )
        kind = entry.get("type")
        if kind not in ("temporal", "spatial"):
            continue
        factors = {}
        for token in str(entry.get("factors", "")).split():
            match = re.fullmatch(r"([A-Z])(\d+)", token)
            if not match or match.group(1) not in _TIMELOOP_DIM:
                raise WorkloadError(f"{path}: bad factor {token!r} for {entry.get('target')}")
            factors[_TIMELOOP_DIM[match.group(1)]] = parse_int(
                match.group(2), where, f"factor {token}", minimum=1, maximum=INT64_MAX
            )
        perm = [_TIMELOOP_DIM[c] for c in str(entry.get("permutation", "")) if c in _TIMELOOP_DIM]
        target = entry.get("target")
        if kind == "spatial":
            split = check_int(
                entry.get("split", len(perm)), f"{where}.split", minimum=0, error=WorkloadError
            )
            for k, d in enumerate(perm):
                slots["x" if k < split else "y"][d] *= factors.get(d, 1)
            continue
        slot = "glb" if target == glb else "dram" if target == dram else "pe"
        for d, f in factors.items():
            slots[slot][d] *= f
        if slot in orders:
            orders[slot] = "".join(perm + [d for d in DIMS if d not in perm])
    rows = tuple(tuple(slots[s][d] for s in SLOTS) for d in DIMS)
    if any(f > INT64_MAX for row in rows for f in row):
        raise WorkloadError(f"{path}: the factors of one level multiply beyond 64 bits")
    with errors_at(str(path)):  # the checks name the dim, not the file
        mapping = Mapping(rows, orders["glb"], orders["dram"])
        mapping.covers(layer)
    return mapping
