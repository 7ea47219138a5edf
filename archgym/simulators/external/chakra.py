"""Chakra execution traces (ASTRA-sim 2's workload format), written without protobuf.

A Chakra ``.et`` file is a sequence of protobuf messages, each preceded by its length as
a varint: one ``GlobalMetadata`` (``version``), then one ``Node`` per operation. The
field numbers are those of ``schema/protobuf/et_def.proto`` (github.com/mlcommons/chakra):

- ``GlobalMetadata``: 1 version (string);
- ``Node``: 1 id, 2 name, 3 type (NodeType), 5 data_deps (packed), 7 duration_micros,
  10 attr (AttributeProto, repeated);
- ``AttributeProto``: 1 name, then the value, a member of a oneof (so written even when
  zero): 9 int64_val, 27 bool_val.

Only what archgym's workloads need is here: compute nodes (a duration) and collective
nodes (a collective type and a size in bytes), chained by data dependencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: NodeType values of et_def.proto.
COMP_NODE = 4
COMM_COLL_NODE = 7
#: CollectiveCommType values of et_def.proto.
COLLECTIVES = {
    "ALL_REDUCE": 0,
    "ALL_GATHER": 2,
    "ALL_TO_ALL": 6,
    "REDUCE_SCATTER": 7,
}
#: The GlobalMetadata version ASTRA-sim's own trace generators write.
VERSION = "0.0.4"

_VARINT, _LENGTH = 0, 2


def varint(value: int) -> bytes:
    """Protobuf base-128 varint of a non-negative integer (int64 negatives as 2^64 + v)."""
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return varint(field << 3 | wire)


def _varint_field(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + varint(value)


def _bytes_field(field: int, payload: bytes) -> bytes:
    return _key(field, _LENGTH) + varint(len(payload)) + payload


def attribute(name: str, value: int | bool) -> bytes:
    """An AttributeProto with an int64 or a bool value."""
    field = 27 if isinstance(value, bool) else 9
    return _bytes_field(1, name.encode()) + _varint_field(field, int(value))


@dataclass(frozen=True)
class Node:
    """One Chakra node: a computation of ``duration_us`` or a collective of ``size_bytes``."""

    id: int
    name: str
    kind: int
    data_deps: tuple[int, ...] = ()
    duration_us: int = 0
    collective: str | None = None
    size_bytes: int = 0

    def encode(self) -> bytes:
        """The Node message (proto3: fields at their default value are left out)."""
        out = b""
        if self.id:
            out += _varint_field(1, self.id)
        out += _bytes_field(2, self.name.encode())
        out += _varint_field(3, self.kind)
        if self.data_deps:
            out += _bytes_field(5, b"".join(varint(d) for d in self.data_deps))
        if self.duration_us:
            out += _varint_field(7, self.duration_us)
        attributes = [attribute("is_cpu_op", False)]
        if self.kind == COMM_COLL_NODE:
            attributes += [
                attribute("comm_type", COLLECTIVES[self.collective or ""]),
                attribute("comm_size", self.size_bytes),
            ]
        return out + b"".join(_bytes_field(10, a) for a in attributes)


def trace_bytes(nodes: Sequence[Node], version: str = VERSION) -> bytes:
    """A whole ``.et`` file: the length-prefixed GlobalMetadata and nodes."""
    messages = [_bytes_field(1, version.encode())] + [node.encode() for node in nodes]
    return b"".join(varint(len(m)) + m for m in messages)
