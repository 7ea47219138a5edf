"""Loop nests: the general mapping of a layer onto any memory hierarchy.

A :class:`LoopNest` is ZigZag's (and, as a special case, Timeloop's) description of a
mapping:

- ``spatial``: for each array dimension, the loops unrolled over it, as
  ``((dim, factor), ...)``; a factor that does not divide its loop leaves the last
  iteration partly idle;
- ``temporal``: the temporal loops, innermost first, as ``((dim, size), ...)``; the
  same dimension may appear several times (split loops);
- ``cuts``: for each operand (Weights, Inputs, Outputs), how many of the temporal loops
  lie at or below each level of its chain (the levels holding it, innermost first). The
  last cut is all of them.

Timeloop's per-level loops are the case where every operand a level holds is cut at the
same place; :meth:`LoopNest.from_level_loops` builds that case from ``{level: loops}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from archgym.errors import InvalidDesignError
from archgym.simulators.accelerator.architecture import OPERANDS, Architecture
from archgym.simulators.accelerator.workload import DIMS, Layer

Loops = tuple[tuple[str, int], ...]


def _loops(loops: Sequence[Sequence], where: str) -> Loops:
    out = []
    for item in loops:
        if len(item) != 2:
            raise InvalidDesignError(f"{where}: a loop is (dim, size), got {item!r}")
        dim, size = item
        if dim not in DIMS:
            raise InvalidDesignError(f"{where}: unknown loop dim {dim!r}; dims are {DIMS}")
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise InvalidDesignError(f"{where}: loop {dim} size must be an int, got {size!r}")
        size = int(size)
        if size < 1:
            raise InvalidDesignError(f"{where}: loop {dim} size must be positive, got {size}")
        if size > 1:
            out.append((dim, size))
    return tuple(out)


@dataclass(frozen=True)
class LoopNest:
    """Spatial unrolling per array dimension, temporal loops (innermost first), cuts per operand.

    Loops of size 1 are dropped. Raises InvalidDesignError for unknown dims, non-positive
    sizes, or cuts that are not non-decreasing ending at the number of temporal loops.
    """

    spatial: tuple[Loops, ...]
    temporal: Loops
    cuts: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]

    def __post_init__(self) -> None:
        spatial = tuple(_loops(loops, f"spatial dim {i}") for i, loops in enumerate(self.spatial))
        object.__setattr__(self, "spatial", spatial)
        object.__setattr__(self, "temporal", _loops(self.temporal, "temporal"))
        if len(self.cuts) != 3:
            raise InvalidDesignError("a loop nest needs cuts for Weights, Inputs and Outputs")
        n = len(self.temporal)
        for op, cuts in enumerate(self.cuts):
            cuts = tuple(int(c) for c in cuts)
            if not cuts or any(b < a for a, b in zip(cuts, cuts[1:], strict=False)):
                raise InvalidDesignError(f"{OPERANDS[op]} cuts {cuts} must be non-decreasing")
            if cuts[0] < 0 or cuts[-1] != n:
                raise InvalidDesignError(
                    f"{OPERANDS[op]} cuts {cuts} must lie in 0..{n} and end at {n} "
                    "(the outermost level holds every loop)"
                )
        object.__setattr__(self, "cuts", tuple(tuple(int(c) for c in cuts) for cuts in self.cuts))

    # ---------------------------------------------------------------- constructors

    @classmethod
    def from_level_loops(
        cls,
        arch: Architecture,
        spatial: Sequence[Sequence[Sequence]] | MappingABC[int, Sequence[Sequence]],
        loops: MappingABC[str, Sequence[Sequence]],
    ) -> LoopNest:
        """Timeloop-style: the temporal loops of each level (by name, innermost first).

        Levels are stacked in the architecture's order; an operand's cut at a level is the
        end of that level's loops, so a level it bypasses lies inside its next level.
        ``spatial`` is a list (or ``{array dim: loops}``) of loops per array dimension.
        Raises InvalidDesignError for an unknown level name.
        """
        names = [level.name for level in arch.levels]
        bad = set(loops) - set(names)
        if bad:
            raise InvalidDesignError(f"no levels {sorted(bad)} in {arch.name}; levels: {names}")
        temporal: list[tuple[str, int]] = []
        ends = []
        for name in names:
            temporal += list(_loops(loops.get(name, ()), f"level {name}"))
            ends.append(len(temporal))
        cuts = tuple(tuple(ends[i] for i in arch.chains[op]) for op in range(3))
        if isinstance(spatial, MappingABC):
            spatial = [spatial.get(d, ()) for d in range(len(arch.array))]
        return cls(tuple(tuple(s) for s in spatial), tuple(temporal), cuts)

    # ---------------------------------------------------------------- views

    def spatial_factor(self, dim: str) -> int:
        """Product of the spatial factors of loop ``dim`` over all array dimensions."""
        return math.prod(f for loops in self.spatial for d, f in loops if d == dim)

    def temporal_factor(self, dim: str) -> int:
        """Product of the temporal loop sizes of ``dim``."""
        return math.prod(s for d, s in self.temporal if d == dim)

    def used_pes(self) -> int:
        """PEs the spatial unrolling occupies (padding included)."""
        return math.prod(f for loops in self.spatial for _, f in loops)

    def level_loops(self, arch: Architecture, op: int) -> list[Loops]:
        """The temporal loops of each level of operand ``op``'s chain, innermost first."""
        out, start = [], 0
        for cut in self.cuts[op]:
            out.append(self.temporal[start:cut])
            start = cut
        return out

    def check(self, layer: Layer, arch: Architecture) -> None:
        """Raise InvalidDesignError unless the nest fits ``arch`` and covers ``layer``.

        Checks: one spatial entry per array dimension, factors within the dimension's size
        and its allowed loops, one cut per level of each chain, and every bound covered.
        """
        if len(self.spatial) != len(arch.array):
            raise InvalidDesignError(
                f"the loop nest unrolls {len(self.spatial)} array dimensions; "
                f"{arch.name} has {len(arch.array)}"
            )
        for i, (loops, size) in enumerate(zip(self.spatial, arch.array, strict=True)):
            used = math.prod(f for _, f in loops)
            if used > size:
                raise InvalidDesignError(
                    f"spatial dim {i} of {arch.name} overflows by {used - size} PEs (size {size})"
                )
            bad = {d for d, _ in loops} - arch.allowed_spatial(i)
            if bad:
                raise InvalidDesignError(
                    f"array dim {i} of {arch.name} may unroll {sorted(arch.allowed_spatial(i))}, "
                    f"not {sorted(bad)}"
                )
        for op in range(3):
            if len(self.cuts[op]) != len(arch.chains[op]):
                raise InvalidDesignError(
                    f"{OPERANDS[op]} has {len(arch.chains[op])} levels in {arch.name}, the loop "
                    f"nest cuts it into {len(self.cuts[op])}"
                )
        for dim, bound in zip(DIMS, layer.dims, strict=True):
            covered = self.spatial_factor(dim) * self.temporal_factor(dim)
            if covered < bound:
                raise InvalidDesignError(
                    f"mapping covers {dim}={covered} of the layer's {dim}={bound}"
                )

    def describe(self, arch: Architecture) -> str:
        """The nest as text, outermost level first, one line per level and operand group."""
        lines = []
        for i, level in reversed(list(enumerate(arch.levels))):
            if not level.operands:
                continue
            parts = []
            for op in level.operands:
                m = arch.chains[op].index(i)
                loops = self.level_loops(arch, op)[m]
                parts.append(
                    f"{OPERANDS[op][0]}: "
                    + (" ".join(f"{d}{s}" for d, s in reversed(loops)) or "-")
                )
            lines.append(f"{level.name}: " + "; ".join(parts))
        for i, loops in enumerate(self.spatial):
            lines.append(f"spatial D{i + 1}: " + (" ".join(f"{d}{f}" for d, f in loops) or "-"))
        return "\n".join(lines)
