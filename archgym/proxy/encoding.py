"""Feature encoding of designs for proxy models, built from a DesignSpace schema.

The encoder is pure data (the knob schema, not the DesignSpace, whose constraint
predicates cannot be pickled), so a saved proxy carries it. Features per knob:

- Categorical: one-hot, one column per label.
- Ordinal: index / (n - 1) (powers of two become evenly spaced, i.e. log2).
- Integer: (value - low) / (high - low).
- Real: position in [0, 1] (log-scaled when the knob is).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from archgym.errors import ConfigError, InvalidDesignError

KNOWN_KINDS = ("Categorical", "Ordinal", "Integer", "Real")


class DesignEncoder:
    """Designs (dicts or a DataFrame with one column per knob) to a float64 feature matrix.

    Raises ConfigError for a schema with an unknown knob kind and InvalidDesignError
    (naming the knob and value) for a value outside a knob's domain.
    """

    def __init__(self, schema: Sequence[Mapping[str, Any]]) -> None:
        self.schema = [dict(knob) for knob in schema]
        self.names = tuple(knob["name"] for knob in self.schema)
        self.feature_names: list[str] = []
        self._index_maps: list[dict[Any, int] | None] = []
        for knob in self.schema:
            kind = knob.get("kind")
            if kind not in KNOWN_KINDS:
                raise ConfigError(
                    f"knob {knob.get('name')!r}: kind {kind!r} is not one of "
                    + ", ".join(KNOWN_KINDS)
                )
            if kind == "Categorical":
                self._index_maps.append({v: i for i, v in enumerate(knob["values"])})
                self.feature_names.extend(f"{knob['name']}={v}" for v in knob["values"])
            elif kind == "Ordinal":
                self._index_maps.append({v: i for i, v in enumerate(knob["values"])})
                self.feature_names.append(knob["name"])
            else:
                self._index_maps.append(None)
                self.feature_names.append(knob["name"])
        self.n_features = len(self.feature_names)

    def encode(self, designs: Sequence[Mapping[str, Any]] | pd.DataFrame) -> np.ndarray:
        """Feature matrix of shape (n_designs, n_features)."""
        frame = isinstance(designs, pd.DataFrame)
        if frame:
            missing = [n for n in self.names if n not in designs.columns]
            if missing:
                raise InvalidDesignError(
                    f"designs are missing knob column(s) {', '.join(map(repr, missing))}"
                )
        else:
            designs = designs if isinstance(designs, list) else list(designs)
        n_rows = len(designs)
        out = np.zeros((n_rows, self.n_features), dtype=np.float64)
        col = 0
        for knob, mapping in zip(self.schema, self._index_maps, strict=True):
            name = knob["name"]
            values = designs[name].to_numpy() if frame else _column(designs, name)
            if mapping is not None:
                index = self._indices(name, mapping, values)
                if knob["kind"] == "Categorical":
                    out[np.arange(n_rows), col + index] = 1.0
                    col += len(mapping)
                    continue
                out[:, col] = index / max(len(mapping) - 1, 1)
            else:
                out[:, col] = self._numeric(knob, values)
            col += 1
        return out

    def encode_one(self, design: Mapping[str, Any]) -> np.ndarray:
        """Feature row (shape (1, n_features)) of one design; the fast path for single calls."""
        row = np.zeros((1, self.n_features), dtype=np.float64)
        col = 0
        for knob, mapping in zip(self.schema, self._index_maps, strict=True):
            try:
                value = design[knob["name"]]
            except KeyError:
                raise InvalidDesignError(f"design is missing knob {knob['name']!r}") from None
            if mapping is not None:
                try:
                    index = mapping[value]
                except (KeyError, TypeError):
                    raise self._reject(knob["name"], value) from None
                if knob["kind"] == "Categorical":
                    row[0, col + index] = 1.0
                    col += len(mapping)
                    continue
                row[0, col] = index / max(len(mapping) - 1, 1)
            else:
                row[0, col] = self._numeric_one(knob, value)
            col += 1
        return row

    def _numeric_one(self, knob: Mapping[str, Any], value: Any) -> float:
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise self._reject(knob["name"], value) from None
        low, high = float(knob["low"]), float(knob["high"])
        tolerance = 1e-9 * max(abs(low), abs(high), 1.0)
        if not low - tolerance <= x <= high + tolerance:
            raise self._reject(knob["name"], value)
        if knob.get("log"):
            return math.log(max(x, low) / low) / math.log(high / low)
        return (x - low) / (high - low)

    def _indices(self, name: str, mapping: dict[Any, int], values: Sequence[Any]) -> np.ndarray:
        try:
            return np.array(list(map(mapping.__getitem__, values)), dtype=np.int64)
        except (KeyError, TypeError):
            bad = next(v for v in values if _lookup_fails(mapping, v))
            raise self._reject(name, bad) from None

    def _numeric(self, knob: Mapping[str, Any], values: np.ndarray) -> np.ndarray:
        try:
            x = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise self._reject(knob["name"], values) from None
        low, high = float(knob["low"]), float(knob["high"])
        tolerance = 1e-9 * max(abs(low), abs(high), 1.0)
        outside = ~((x >= low - tolerance) & (x <= high + tolerance))
        if outside.any():
            raise self._reject(knob["name"], x[outside][0])
        if knob.get("log"):
            return np.log(np.maximum(x, low) / low) / math.log(high / low)
        return (x - low) / (high - low)

    @staticmethod
    def _reject(name: str, value: Any) -> InvalidDesignError:
        return InvalidDesignError(f"knob {name!r}: value {value!r} is not in the proxy's schema")


def _column(designs: list[Mapping[str, Any]], name: str) -> list[Any]:
    try:
        return [d[name] for d in designs]
    except KeyError:
        raise InvalidDesignError(f"a design is missing knob {name!r}") from None


def _lookup_fails(mapping: dict[Any, int], value: Any) -> bool:
    try:
        mapping[value]
    except (KeyError, TypeError):
        return True
    return False
