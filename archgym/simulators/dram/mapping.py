"""Address mapping: which physical-address bits select channel, rank, bank group, bank, row, column.

A mapping lists, per field, the address bit positions from the field's least significant
bit upwards (DRAMSys's ``CONGEN`` layout), plus optional XOR pairs: before decoding, bit
``first`` is replaced by ``bit(first) XOR bit(second)``. Address bits that no field uses
are ignored (so addresses beyond the capacity wrap around, as in DRAMSys).

Built-in mappings, generated for any MemSpec (lowest bits first):

* ``rbc`` (row-bank-column): byte | column | bank group | bank | rank | row
* ``brc`` (bank-row-column): byte | column | row | bank group | bank | rank
* ``rbc_xor``: ``rbc`` with every bank and bank-group bit XOR-ed with a low row bit, so
  that rows that would map to one bank spread over all of them (permutation interleaving).
* ``rbc_bg``: byte | burst | bank group | rest of column | bank | rank | row: consecutive
  bursts alternate bank groups (DDR4), so a stream pays tCCD_S instead of tCCD_L.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from archgym.errors import ConfigError
from archgym.parsing import check_int, errors_at
from archgym.simulators.dram.spec import MemSpec, read_json

BUILTIN_MAPPINGS = ("rbc", "brc", "rbc_xor", "rbc_bg")

_DRAMSYS_KEYS = {
    "BYTE_BIT": "byte",
    "COLUMN_BIT": "column",
    "BANKGROUP_BIT": "bank_group",
    "BANK_BIT": "bank",
    "RANK_BIT": "rank",
    "ROW_BIT": "row",
    "CHANNEL_BIT": "channel",
}


@dataclass(frozen=True)
class AddressMapping:
    """Bit positions of each address field; see the module docstring."""

    name: str
    byte: tuple[int, ...]
    column: tuple[int, ...]
    bank_group: tuple[int, ...]
    bank: tuple[int, ...]
    rank: tuple[int, ...]
    row: tuple[int, ...]
    channel: tuple[int, ...] = ()
    xor: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        used: dict[int, str] = {}
        for field in ("byte", "column", "bank_group", "bank", "rank", "row", "channel"):
            for bit in getattr(self, field):
                if not isinstance(bit, int) or not 0 <= bit < 64:
                    raise ConfigError(
                        f"address mapping {self.name!r}: {field} bit {bit!r} is not in 0..63"
                    )
                if bit in used:
                    raise ConfigError(
                        f"address mapping {self.name!r}: bit {bit} is used by both "
                        f"{used[bit]} and {field}"
                    )
                used[bit] = field
        for pair in self.xor:
            if len(pair) != 2 or not all(isinstance(b, int) and 0 <= b < 64 for b in pair):
                raise ConfigError(f"address mapping {self.name!r}: bad XOR pair {pair!r}")

    def check(self, spec: MemSpec) -> None:
        """Raise ConfigError unless the field widths match ``spec``'s organisation."""
        expected = {
            "column": spec.columns,
            "bank_group": spec.bank_groups,
            "bank": spec.banks_per_group,
            "rank": spec.ranks,
            "row": spec.rows,
            "channel": spec.channels,
        }
        for field, count in expected.items():
            bits = len(getattr(self, field))
            if 1 << bits != count:
                raise ConfigError(
                    f"address mapping {self.name!r}: {bits} {field} bit(s) address {1 << bits} "
                    f"{field}s, but memspec {spec.name!r} has {count}"
                )

    def decode(self, address: np.ndarray) -> dict[str, np.ndarray]:
        """Split byte addresses into fields: channel, rank, bank_group, bank, row, column."""
        addr = np.asarray(address, dtype=np.uint64)
        if self.xor:
            addr = addr.copy()
            for first, second in self.xor:
                flip = ((addr >> np.uint64(second)) & np.uint64(1)) << np.uint64(first)
                addr ^= flip
        out: dict[str, np.ndarray] = {}
        for field in ("channel", "rank", "bank_group", "bank", "row", "column"):
            value = np.zeros(addr.shape, dtype=np.uint64)
            for start, length, shift in _runs(getattr(self, field)):
                mask = np.uint64((1 << length) - 1)
                value |= ((addr >> np.uint64(start)) & mask) << np.uint64(shift)
            out[field] = value.astype(np.int64)
        return out


def _runs(bits: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """Split a field's bit list into runs of consecutive address bits: (start, length, shift)."""
    runs: list[tuple[int, int, int]] = []
    for k, bit in enumerate(bits):
        if runs and bit == runs[-1][0] + runs[-1][1]:
            start, length, shift = runs[-1]
            runs[-1] = (start, length + 1, shift)
        else:
            runs.append((bit, 1, k))
    return runs


def _bits(start: int, count: int) -> tuple[int, ...]:
    return tuple(range(start, start + count))


def _log2(n: int) -> int:
    return int(n).bit_length() - 1


def builtin_mapping(name: str, spec: MemSpec) -> AddressMapping:
    """One of :data:`BUILTIN_MAPPINGS` laid out for ``spec``; ConfigError for other names."""
    if name not in BUILTIN_MAPPINGS:
        raise ConfigError(
            f"unknown address mapping {name!r}; expected one of {', '.join(BUILTIN_MAPPINGS)} "
            "or a DRAMSys address-mapping JSON path"
        )
    widths = {
        "byte": _log2(spec.bus_bytes),
        "column": _log2(spec.columns),
        "bank_group": _log2(spec.bank_groups),
        "bank": _log2(spec.banks_per_group),
        "rank": _log2(spec.ranks),
        "row": _log2(spec.rows),
        "channel": _log2(spec.channels),
    }
    if name == "brc":
        order = ("byte", "column", "channel", "row", "bank_group", "bank", "rank")
    elif name == "rbc_bg":
        order = ("byte", "burst", "bank_group", "column", "channel", "bank", "rank", "row")
        widths["burst"] = min(_log2(spec.burst_length), widths["column"])
        widths["column"] -= widths["burst"]
    else:
        order = ("byte", "column", "channel", "bank_group", "bank", "rank", "row")
    position = 0
    fields: dict[str, tuple[int, ...]] = {}
    for field in order:
        fields[field] = _bits(position, widths[field])
        position += widths[field]
    if name == "rbc_bg":
        fields["column"] = fields.pop("burst") + fields["column"]
    xor: tuple[tuple[int, int], ...] = ()
    if name == "rbc_xor":
        bank_bits = fields["bank_group"] + fields["bank"]
        xor = tuple(zip(bank_bits, fields["row"][: len(bank_bits)], strict=False))
    return AddressMapping(name=name, xor=xor, **fields)


def mapping_from_dict(data: dict[str, Any], where: str = "address mapping") -> AddressMapping:
    """Parse DRAMSys address-mapping JSON (``{"CONGEN": {...}}`` or ``{"addressmapping": ...}``)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a JSON object")
    body = data.get("CONGEN", data.get("addressmapping", data))
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: expected an object of bit lists")
    fields: dict[str, Any] = {k: () for k in _DRAMSYS_KEYS.values()}
    xor: list[tuple[int, int]] = []
    for key, value in body.items():
        if key == "XOR":
            if not isinstance(value, list):
                raise ConfigError(
                    f"{where}: XOR must be a list of {{FIRST, SECOND}} bit pairs, got {value!r}"
                )
            for i, pair in enumerate(value):
                if not isinstance(pair, dict) or not {"FIRST", "SECOND"} <= set(pair):
                    raise ConfigError(f"{where}: XOR[{i}] must be {{FIRST, SECOND}}, got {pair!r}")
                xor.append(
                    tuple(
                        check_int(pair[key], f"{where}: XOR[{i}].{key}", minimum=0, maximum=63)
                        for key in ("FIRST", "SECOND")
                    )
                )
        elif key in _DRAMSYS_KEYS:
            if not isinstance(value, list) or not all(
                isinstance(b, int) and not isinstance(b, bool) for b in value
            ):
                raise ConfigError(f"{where}: {key} must be a list of bit positions, got {value!r}")
            fields[_DRAMSYS_KEYS[key]] = tuple(value)
        else:
            raise ConfigError(
                f"{where}: unknown field {key!r}; expected {', '.join(_DRAMSYS_KEYS)} or XOR"
            )
    for key in ("COLUMN_BIT", "ROW_BIT"):
        if not fields[_DRAMSYS_KEYS[key]]:
            raise ConfigError(f"{where}: missing field {key!r}")
    return AddressMapping(name=where, xor=tuple(xor), **fields)


def load_mapping(path: str | Path) -> AddressMapping:
    """Read a DRAMSys address-mapping JSON file; ConfigError names the file and the problem."""
    path = Path(path)
    where = f"address mapping file {str(path)!r}"
    with errors_at(where):  # AddressMapping's own checks name the bit, not the file
        mapping = mapping_from_dict(read_json(path, "address mapping"), where=where)
        return AddressMapping(**{**mapping.__dict__, "name": path.stem})


def get_mapping(mapping: str | Path | AddressMapping, spec: MemSpec) -> AddressMapping:
    """A mapping from a built-in name, a DRAMSys JSON path, or an AddressMapping; checked."""
    if isinstance(mapping, AddressMapping):
        result = mapping
    elif str(mapping) in BUILTIN_MAPPINGS:
        result = builtin_mapping(str(mapping), spec)
    elif str(mapping).endswith(".json") or Path(str(mapping)).exists():
        result = load_mapping(mapping)
    else:
        result = builtin_mapping(str(mapping), spec)  # raises with the known names
    result.check(spec)
    return result
