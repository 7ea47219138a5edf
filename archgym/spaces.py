"""Design spaces: knobs (Parameters), constraints, and every encoding of a design.

A design is a plain ``dict`` mapping knob name to raw value. A :class:`DesignSpace`
converts it to and from MultiDiscrete indices (GA, RL), unit vectors in [0, 1]^d
(BO, CMA-ES) and the matching gymnasium spaces, samples it with a seeded
``numpy.random.Generator`` and validates it with errors that name the knob.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gymnasium import spaces as gym_spaces

from archgym.errors import ConfigError, InvalidDesignError
from archgym.parsing import is_real

Design = dict[str, Any]

_MAX_SAMPLE_TRIES = 10_000
#: Values a knob may have: its MultiDiscrete index is an int64.
_MAX_INDEX_VALUES = 2**63 - 1


@dataclass(frozen=True)
class Parameter(ABC):
    """One design knob. Subclasses define the domain; all share name, unit and doc."""

    name: str
    unit: str = field(default="", kw_only=True)
    doc: str = field(default="", kw_only=True)

    @property
    @abstractmethod
    def n_values(self) -> int:
        """Number of index values in the MultiDiscrete encoding."""

    @property
    def size(self) -> float:
        """Number of distinct raw values (``math.inf`` for a real range)."""
        return self.n_values

    @abstractmethod
    def validate(self, value: Any) -> Any:
        """Return ``value`` in canonical form, or raise InvalidDesignError naming the knob."""

    @abstractmethod
    def index_of(self, value: Any) -> int:
        """Index of a (valid) value; a real value maps to its nearest grid level."""

    @abstractmethod
    def value_at(self, index: int) -> Any:
        """Raw value at an index in ``range(n_values)``."""

    @abstractmethod
    def to_unit(self, value: Any) -> float:
        """Position of a value in [0, 1]."""

    @abstractmethod
    def from_unit(self, u: float) -> Any:
        """Value at a position in [0, 1] (clipped)."""

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Any:
        """One value drawn uniformly."""

    @abstractmethod
    def neighbours(self, value: Any) -> list[Any]:
        """Values one step away from ``value``."""

    @abstractmethod
    def describe(self) -> str:
        """Human-readable description of the allowed values."""

    def schema(self) -> dict[str, Any]:
        """JSON-able description of the knob, used in metadata and comparisons."""
        return {"name": self.name, "kind": type(self).__name__, "unit": self.unit}

    def _reject(self, value: Any) -> InvalidDesignError:
        return InvalidDesignError(
            f"knob {self.name!r}: value {value!r} is not allowed; expected {self.describe()}"
        )

    def _check_index(self, index: int) -> int:
        index = int(index)
        if not 0 <= index < self.n_values:
            raise InvalidDesignError(
                f"knob {self.name!r}: index {index} is out of range 0..{self.n_values - 1}"
            )
        return index

    def _unit_to_index(self, u: float) -> int:
        u = min(max(float(u), 0.0), 1.0)
        return min(int(u * self.n_values), self.n_values - 1)


class _FiniteParameter(Parameter):
    """A knob with an explicit tuple of allowed values (categorical or ordinal)."""

    @property
    @abstractmethod
    def values(self) -> tuple[Any, ...]:
        """The allowed values, in index order."""

    @property
    def n_values(self) -> int:
        return len(self.values)

    def index_of(self, value: Any) -> int:
        return self.values.index(self.validate(value))

    def value_at(self, index: int) -> Any:
        return self.values[self._check_index(index)]

    def to_unit(self, value: Any) -> float:
        return (self.index_of(value) + 0.5) / self.n_values

    def from_unit(self, u: float) -> Any:
        return self.values[self._unit_to_index(u)]

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values[int(rng.integers(self.n_values))]

    def schema(self) -> dict[str, Any]:
        return {**super().schema(), "values": [_plain(v) for v in self.values]}


@dataclass(frozen=True)
class Categorical(_FiniteParameter):
    """Unordered labels, such as a scheduler policy."""

    choices: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(_plain(c) for c in self.choices))
        _require(len(self.choices) >= 1, self.name, "needs at least one choice")
        _require(len(set(self.choices)) == len(self.choices), self.name, "has duplicate choices")

    @property
    def values(self) -> tuple[Any, ...]:
        return self.choices

    def validate(self, value: Any) -> Any:
        if type(value) is bool or isinstance(value, np.ndarray):  # == on an array is no bool
            raise self._reject(value)
        for choice in self.choices:
            if value == choice:
                return choice
        raise self._reject(value)

    def neighbours(self, value: Any) -> list[Any]:
        value = self.validate(value)
        return [c for c in self.choices if c != value]

    def describe(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)


@dataclass(frozen=True)
class Ordinal(_FiniteParameter):
    """Ordered numeric values, such as buffer depths that are powers of two."""

    values: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        values = tuple(_plain(v) for v in self.values)
        _require(len(values) >= 1, self.name, "needs at least one value")
        _require(
            all(a < b for a, b in zip(values, values[1:], strict=False)),
            self.name,
            "values must be strictly increasing",
        )
        object.__setattr__(self, "values", values)

    @classmethod
    def powers_of_two(
        cls, name: str, low: int, high: int, *, unit: str = "", doc: str = ""
    ) -> Ordinal:
        """Powers of two from ``low`` to ``high`` inclusive (both powers of two)."""
        for bound in (low, high):
            _require(
                bound >= 1 and bound & (bound - 1) == 0, name, f"{bound} is not a power of two"
            )
        _require(low <= high, name, f"low {low} exceeds high {high}")
        values = tuple(1 << k for k in range(low.bit_length() - 1, high.bit_length()))
        return cls(name, values, unit=unit, doc=doc)

    def validate(self, value: Any) -> Any:
        if isinstance(value, bool | str) or not isinstance(value, int | float | np.number):
            raise self._reject(value)
        for allowed in self.values:
            if value == allowed:
                return allowed
        raise self._reject(value)

    def neighbours(self, value: Any) -> list[Any]:
        i = self.index_of(value)
        return [self.values[j] for j in (i - 1, i + 1) if 0 <= j < self.n_values]

    def describe(self) -> str:
        return "one of " + ", ".join(str(v) for v in self.values)


@dataclass(frozen=True)
class Integer(Parameter):
    """An inclusive integer range ``low..high``."""

    low: int = 0
    high: int = 0

    def __post_init__(self) -> None:
        _require(int(self.low) <= int(self.high), self.name, f"low {self.low} > high {self.high}")
        object.__setattr__(self, "low", int(self.low))
        object.__setattr__(self, "high", int(self.high))

    @property
    def n_values(self) -> int:
        return self.high - self.low + 1

    def validate(self, value: Any) -> int:
        if not is_real(value) or not math.isfinite(value):
            raise self._reject(value)
        if value != int(value) or not self.low <= value <= self.high:
            raise self._reject(value)
        return int(value)

    def index_of(self, value: Any) -> int:
        return self.validate(value) - self.low

    def value_at(self, index: int) -> int:
        return self.low + self._check_index(index)

    def to_unit(self, value: Any) -> float:
        return (self.index_of(value) + 0.5) / self.n_values

    def from_unit(self, u: float) -> int:
        return self.low + self._unit_to_index(u)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high + 1))

    def neighbours(self, value: Any) -> list[int]:
        value = self.validate(value)
        return [v for v in (value - 1, value + 1) if self.low <= v <= self.high]

    def describe(self) -> str:
        return f"an integer in {self.low}..{self.high}"

    def schema(self) -> dict[str, Any]:
        return {**super().schema(), "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Real(Parameter):
    """A real range ``[low, high]``, optionally log-scaled.

    ``levels`` evenly spaced grid points (in log space when ``log``) give its
    MultiDiscrete encoding; the unit-vector encoding is continuous.
    """

    low: float = 0.0
    high: float = 1.0
    log: bool = False
    levels: int = 33

    def __post_init__(self) -> None:
        _require(float(self.low) < float(self.high), self.name, "needs low < high")
        _require(not self.log or self.low > 0, self.name, "a log-scaled range needs low > 0")
        _require(self.levels >= 2, self.name, "needs at least 2 grid levels")
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))

    @property
    def n_values(self) -> int:
        return self.levels

    @property
    def size(self) -> float:
        return math.inf

    def validate(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise self._reject(value)
        value = float(value)
        # A grid value may land a rounding error outside the range after a log round trip.
        tolerance = 1e-12 * max(abs(self.low), abs(self.high), 1.0)
        if not (self.low - tolerance <= value <= self.high + tolerance) or math.isnan(value):
            raise self._reject(value)
        return min(max(value, self.low), self.high)

    def index_of(self, value: Any) -> int:
        return int(round(self.to_unit(value) * (self.levels - 1)))

    def value_at(self, index: int) -> float:
        return self.from_unit(self._check_index(index) / (self.levels - 1))

    def to_unit(self, value: Any) -> float:
        value = self.validate(value)
        if self.log:
            return math.log(value / self.low) / math.log(self.high / self.low)
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, u: float) -> float:
        u = min(max(float(u), 0.0), 1.0)
        if self.log:
            value = self.low * (self.high / self.low) ** u
        else:
            value = self.low + u * (self.high - self.low)
        return min(max(value, self.low), self.high)

    def sample(self, rng: np.random.Generator) -> float:
        return self.from_unit(float(rng.random()))

    def neighbours(self, value: Any) -> list[float]:
        i = self.index_of(value)
        return [self.value_at(j) for j in (i - 1, i + 1) if 0 <= j < self.levels]

    def describe(self) -> str:
        scale = " (log scale)" if self.log else ""
        return f"a real number in [{self.low:g}, {self.high:g}]{scale}"

    def schema(self) -> dict[str, Any]:
        return {
            **super().schema(),
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "levels": self.levels,
        }


@dataclass(frozen=True)
class Constraint:
    """A feasibility rule over a whole design: ``predicate(design)`` is True when feasible."""

    description: str
    predicate: Callable[[Design], bool]


class DesignSpace:
    """An ordered set of Parameters plus constraints; owns every design encoding."""

    def __init__(
        self, parameters: Sequence[Parameter], constraints: Sequence[Constraint] = ()
    ) -> None:
        self._parameters = tuple(parameters)
        if not self._parameters:
            raise ConfigError("a DesignSpace needs at least one parameter")
        self._by_name = {p.name: p for p in self._parameters}
        if len(self._by_name) != len(self._parameters):
            raise ConfigError("a DesignSpace has two parameters with the same name")
        self.constraints = tuple(constraints)
        for p in self._parameters:
            if p.n_values > _MAX_INDEX_VALUES:
                raise ConfigError(
                    f"parameter {p.name!r} has {p.n_values} values; a MultiDiscrete index "
                    f"holds at most {_MAX_INDEX_VALUES}"
                )
        self.nvec = np.array([p.n_values for p in self._parameters], dtype=np.int64)
        # Index -> value tables for every knob (a real knob's grid levels), for fast decoding.
        self._tables = tuple(
            tuple(p.value_at(i) for i in range(p.n_values)) for p in self._parameters
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        return self._parameters

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._by_name[name]
        except KeyError:
            raise InvalidDesignError(
                f"unknown knob {name!r}; known knobs: {', '.join(self.names)}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def size(self) -> float:
        """Number of designs before constraints (``math.inf`` if any knob is real)."""
        return math.prod(p.size for p in self._parameters)

    def violated_constraints(self, design: Design) -> list[str]:
        """Descriptions of the constraints a (well-formed) design breaks."""
        return [c.description for c in self.constraints if not c.predicate(design)]

    def validate(self, design: Design) -> Design:
        """Return the design in canonical form and knob order.

        Raises InvalidDesignError for a missing or unknown knob, a value outside its
        domain (naming the knob, the value and the allowed values) or a broken constraint.
        """
        design = self.validate_values(design)
        broken = self.violated_constraints(design)
        if broken:
            raise InvalidDesignError("infeasible design: violates " + "; ".join(broken))
        return design

    def validate_values(self, design: Design) -> Design:
        """Like validate, but without checking constraints."""
        if not isinstance(design, dict):
            raise InvalidDesignError(f"a design must be a dict of knob values, not {design!r}")
        unknown = [k for k in design if k not in self._by_name]
        if unknown:
            raise InvalidDesignError(
                f"unknown knob(s) {', '.join(map(repr, unknown))}; known knobs: "
                + ", ".join(self.names)
            )
        missing = [n for n in self.names if n not in design]
        if missing:
            raise InvalidDesignError(f"design is missing knob(s) {', '.join(map(repr, missing))}")
        return {p.name: p.validate(design[p.name]) for p in self._parameters}

    def is_feasible(self, design: Design) -> bool:
        """True when the design is well-formed and meets every constraint."""
        try:
            self.validate(design)
        except InvalidDesignError:
            return False
        return True

    def to_indices(self, design: Design) -> np.ndarray:
        """MultiDiscrete encoding (int64 array, one index per knob)."""
        design = self.validate_values(design)
        return np.array([p.index_of(design[p.name]) for p in self._parameters], dtype=np.int64)

    def from_indices(self, indices: Sequence[int] | np.ndarray) -> Design:
        """Design at MultiDiscrete indices (constraints are not checked).

        Raises InvalidDesignError unless ``indices`` is a flat sequence or 1-D array of
        one integer (or integral float) per knob, each in its knob's range.
        """
        if isinstance(indices, np.ndarray) and indices.ndim == 1:
            values = indices.tolist()
        elif isinstance(indices, list | tuple):
            values = list(indices)
        else:
            raise InvalidDesignError(
                f"indices must be a flat sequence of {len(self)} integers, got {indices!r:.80}"
            )
        if len(values) != len(self):
            raise InvalidDesignError(
                f"indices have length {len(values)}; the space has {len(self)} knobs"
            )
        design = {}
        for name, table, index in zip(self._by_name, self._tables, values, strict=True):
            if type(index) is not int:
                if not is_real(index) or not float(index).is_integer():  # bool, text, None
                    raise InvalidDesignError(f"knob {name!r}: index {index!r} is not an integer")
                index = int(index)
            if not 0 <= index < len(table):
                raise InvalidDesignError(
                    f"knob {name!r}: index {index} is out of range 0..{len(table) - 1}"
                )
            design[name] = table[index]
        return design

    def to_unit(self, design: Design) -> np.ndarray:
        """Unit-vector encoding in [0, 1]^d."""
        design = self.validate_values(design)
        return np.array([p.to_unit(design[p.name]) for p in self._parameters], dtype=np.float64)

    def from_unit(self, vector: Sequence[float] | np.ndarray) -> Design:
        """Design at a point of [0, 1]^d (values outside are clipped).

        Raises InvalidDesignError unless ``vector`` is a flat sequence or 1-D array of one
        real number per knob, none of them NaN.
        """
        vector = self._check_vector(vector, "unit vector")
        for p, u in zip(self._parameters, vector, strict=True):
            if math.isnan(u):
                raise InvalidDesignError(f"knob {p.name!r}: unit value {u} is not a number")
        return {
            p.name: p.from_unit(float(u)) for p, u in zip(self._parameters, vector, strict=True)
        }

    def multidiscrete_space(self) -> gym_spaces.MultiDiscrete:
        return gym_spaces.MultiDiscrete(self.nvec.copy())

    def box_space(self) -> gym_spaces.Box:
        return gym_spaces.Box(0.0, 1.0, shape=(len(self),), dtype=np.float32)

    def sample(self, rng: np.random.Generator, n: int | None = None) -> Design | list[Design]:
        """Uniform feasible design(s) by rejection; ``n=None`` returns one design."""
        if n is None:
            return self._sample_one(rng)
        return [self._sample_one(rng) for _ in range(n)]

    def sample_unseen(
        self,
        rng: np.random.Generator,
        seen: Callable[[Design], bool],
        n_seen: int,
        tries: int = 200,
    ) -> Design:
        """A uniform feasible design for which ``seen`` is False, if one turns up.

        ``n_seen`` counts the designs already seen: once it reaches :attr:`size` the first
        draw is returned as is. Otherwise up to ``tries`` more draws replace a seen one, and
        the last draw is returned even if seen (a nearly exhausted space).
        """
        design = self._sample_one(rng)
        if n_seen >= self.size:
            return design
        for _ in range(tries):
            if not seen(design):
                return design
            design = self._sample_one(rng)
        return design

    def _sample_one(self, rng: np.random.Generator) -> Design:
        for _ in range(_MAX_SAMPLE_TRIES):
            design = {p.name: p.sample(rng) for p in self._parameters}
            if not self.violated_constraints(design):
                return design
        raise InvalidDesignError(
            f"no feasible design found in {_MAX_SAMPLE_TRIES} uniform draws; "
            "the constraints may exclude the whole space"
        )

    def neighbours(self, design: Design) -> list[Design]:
        """Feasible designs that differ from ``design`` in exactly one knob by one step."""
        design = self.validate_values(design)
        result = []
        for p in self._parameters:
            for value in p.neighbours(design[p.name]):
                candidate = {**design, p.name: value}
                if not self.violated_constraints(candidate):
                    result.append(candidate)
        return result

    def key(self, design: Design) -> tuple[Any, ...]:
        """Hashable identity of a canonical design in knob order (caches, de-duplication)."""
        return tuple([design[n] for n in self._by_name])

    def schema(self) -> list[dict[str, Any]]:
        """JSON-able description of every knob, in order."""
        return [p.schema() for p in self._parameters]

    def _check_vector(self, vector: Sequence[Any] | np.ndarray, what: str) -> np.ndarray:
        if isinstance(vector, np.ndarray):
            flat_numbers = vector.ndim == 1 and vector.dtype.kind in "iuf"
        else:
            flat_numbers = isinstance(vector, list | tuple) and all(map(is_real, vector))
        if not flat_numbers:
            raise InvalidDesignError(
                f"{what} must be a flat sequence of {len(self)} real numbers, got {vector!r:.80}"
            )
        array = np.asarray(vector, dtype=np.float64)
        if array.ndim != 1 or array.shape[0] != len(self):
            raise InvalidDesignError(
                f"{what} has length {array.shape[0]}; the space has {len(self)} knobs"
            )
        return array

    def __repr__(self) -> str:
        return f"DesignSpace({', '.join(self.names)}; size={self.size})"


def _plain(value: Any) -> Any:
    """A numpy scalar as the matching Python scalar (for hashing and JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def _require(condition: bool, name: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"parameter {name!r}: {message}")
