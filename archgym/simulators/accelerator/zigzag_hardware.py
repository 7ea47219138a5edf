"""Reader of ZigZag's accelerator YAML (zigzag-dse 3.9 format) as a native Architecture.

The file lists ``memories`` innermost first (each with ``size`` in bits, ``r_cost`` and
``w_cost`` in pJ per access of a port's ``bandwidth_max``, ``area``, ``operands``
among I1, I2, O, ``ports`` with ``type``, ``bandwidth_min``, ``bandwidth_max`` and an
``allocation`` of "<operand>, <direction>" strings, and ``served_dimensions``) and an
``operational_array`` (``dimensions``, ``sizes``, ``unit_energy``, ``unit_area``,
optional ``systolic_dimensions``). Memory operands map to layer operands as ZigZag's
default ``memory_operand_links`` do: I1 inputs, I2 weights, O outputs. The result counts
with the ZigZag convention. Nothing here imports zigzag-dse.

Errors: :class:`ConfigError` naming the file and the field (a missing or mistyped field,
an unknown operand or direction, a file that is not YAML).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError
from archgym.parsing import read_yaml
from archgym.simulators.accelerator.architecture import (
    INPUTS,
    OUTPUTS,
    WEIGHTS,
    Architecture,
    MemoryLevel,
    Port,
)

#: ZigZag's default memory-operand links: memory operand -> layer operand.
OPERAND_LINKS = {"I1": INPUTS, "I2": WEIGHTS, "O": OUTPUTS}
#: Operand precisions of the layers ZigZag is given here (bits of W, I, psum, final O).
DEFAULT_PRECISION = (8, 8, 16, 8)
_PORT_TYPES = {"read": "read", "write": "write", "read_write": "read_write"}


class _Fields:
    """Typed access to one YAML mapping; errors name the file and the field path."""

    def __init__(self, path: Path, data: Any, where: str) -> None:
        self.path, self.where = path, where
        if not isinstance(data, Mapping):
            raise self.error(f"expected a mapping, got {type(data).__name__}")
        self.data = data

    def error(self, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {self.where}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.error(f"missing field {key!r}")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool):
            ok = bool in kinds
        else:
            ok = isinstance(value, kinds) or (float in kinds and isinstance(value, int))
        if not ok:
            names = " or ".join(k.__name__ for k in kinds)
            raise self.error(f"field {key!r} must be {names}, got {value!r}")
        return value

    def sub(self, key: str) -> _Fields:
        return _Fields(self.path, self.get(key, dict), f"{self.where}.{key}")


def read_zigzag_hardware(
    path: str | Path,
    *,
    precision: tuple[int, int, int, int] = DEFAULT_PRECISION,
    name: str | None = None,
) -> Architecture:
    """Read a ZigZag accelerator YAML (e.g. its shipped ``eyeriss_like.yaml``).

    ``precision`` gives the bits of weights, inputs, partial sums and final outputs (the
    layer's operand precisions in ZigZag). Raises ConfigError naming the file and field.
    """
    path = Path(path)
    doc = read_yaml(path, "ZigZag hardware", ConfigError)
    return zigzag_hardware(doc, path, precision=precision, name=name)


def zigzag_hardware(
    doc: Any,
    path: str | Path = "<accelerator>",
    *,
    precision: tuple[int, int, int, int] = DEFAULT_PRECISION,
    name: str | None = None,
) -> Architecture:
    """A ZigZag accelerator description already loaded from YAML (:func:`read_zigzag_hardware`)."""
    path = Path(path)
    top = _Fields(path, doc, "accelerator")
    array = top.sub("operational_array")
    if array.get("is_imc", bool, False):
        raise array.error("in-memory-compute arrays (is_imc) are not supported")
    dims = array.get("dimensions", list)
    sizes = array.get("sizes", list)
    if not dims or len(dims) != len(sizes):
        raise array.error("'dimensions' and 'sizes' must be non-empty lists of equal length")
    if len(set(dims)) != len(dims) or not all(isinstance(d, str) for d in dims):
        raise array.error(f"'dimensions' must be distinct names, got {dims!r}")
    if not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise array.error(f"'sizes' must be positive ints, got {sizes!r}")
    dim_index = {d: i for i, d in enumerate(dims)}
    systolic = array.get("systolic_dimensions", list, [])
    memories = top.sub("memories")
    if not memories.data:
        raise memories.error("no memories")
    levels = []
    for mem_name, mem_data in memories.data.items():
        levels.append(_memory(path, str(mem_name), mem_data, dim_index))
    try:
        return Architecture(
            name=name or top.get("name", str, path.stem),
            array=tuple(sizes),
            levels=tuple(levels),
            mac_energy_pj=float(array.get("unit_energy", float)),
            mac_area=float(array.get("unit_area", float, 0.0)),
            precision=tuple(precision),
            convention="zigzag",
            systolic_dims=frozenset(_dims(array, systolic, dim_index, "systolic_dimensions")),
            area_unit="file units",
            dataflow="any",
        )
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _dims(fields: _Fields, names: list, index: dict[str, int], key: str) -> list[int]:
    out = []
    for dim in names:
        if dim not in index:
            raise fields.error(f"{key} names {dim!r}, not one of {sorted(index)}")
        out.append(index[dim])
    return out


def _memory(path: Path, name: str, data: Any, dim_index: dict[str, int]) -> MemoryLevel:
    mem = _Fields(path, data, f"memories.{name}")
    if mem.get("auto_cost_extraction", bool, False):
        raise mem.error("auto_cost_extraction (CACTI) is not supported: give r_cost and w_cost")
    size = mem.get("size", int)
    if size < 1:
        raise mem.error(f"field 'size' must be positive, got {size}")
    mem_ops = mem.get("operands", list)
    operands = []
    for mem_op in mem_ops:
        if mem_op not in OPERAND_LINKS:
            raise mem.error(f"operand {mem_op!r} is not one of {sorted(OPERAND_LINKS)}")
        operands.append(OPERAND_LINKS[mem_op])
    served = _dims(mem, mem.get("served_dimensions", list), dim_index, "served_dimensions")
    ports_data = mem.get("ports", list)
    # each operand's directions in the order the file allocates them (ZigZag's order)
    directions: dict[int, list[str]] = {op: [] for op in operands}
    port_of: dict[tuple[int, str], int] = {}
    specs = []
    for i, port_data in enumerate(ports_data):
        port = _Fields(path, port_data, f"memories.{name}.ports[{i}]")
        kind = port.get("type", str)
        if kind not in _PORT_TYPES:
            raise port.error(f"type {kind!r} is not one of {sorted(_PORT_TYPES)}")
        bw_min, bw_max = port.get("bandwidth_min", int), port.get("bandwidth_max", int)
        if not 0 < bw_min <= bw_max:
            raise port.error(f"need 0 < bandwidth_min <= bandwidth_max, got {bw_min}, {bw_max}")
        for alloc in port.get("allocation", list):
            parts = [p.strip() for p in str(alloc).split(",")]
            if (
                len(parts) != 2
                or parts[0] not in OPERAND_LINKS
                or parts[1]
                not in (
                    "fh",
                    "tl",
                    "fl",
                    "th",
                )
            ):
                raise port.error(f"allocation {alloc!r} is not '<I1|I2|O>, <fh|tl|fl|th>'")
            op = OPERAND_LINKS[parts[0]]
            if op not in directions:
                raise port.error(f"allocation {alloc!r}: the memory does not hold {parts[0]}")
            if parts[1] not in directions[op]:
                directions[op].append(parts[1])
            port_of[(op, parts[1])] = i
        specs.append((port.get("name", str, f"port_{i}"), _PORT_TYPES[kind], bw_min, bw_max))
    ports = []
    for i, (port_name, kind, bw_min, bw_max) in enumerate(specs):
        serves = tuple(
            (op, d) for op in operands for d in directions[op] if port_of.get((op, d)) == i
        )
        try:
            ports.append(Port(port_name, kind, bw_max, bw_min, float(bw_max), serves))
        except ConfigError as exc:
            raise mem.error(str(exc)) from None
    try:
        return MemoryLevel(
            name,
            tuple(operands),
            float(size),
            float(mem.get("r_cost", float)),
            float(mem.get("w_cost", float)),
            tuple(ports),
            frozenset(served),
            float(mem.get("area", float, 0.0)),
            bool(mem.get("force_double_buffering", bool, False)),
        )
    except ConfigError as exc:
        raise mem.error(str(exc)) from None
