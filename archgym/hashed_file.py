"""Files archgym writes and reads back, with a content hash checked before reading.

Saved proxy models are pickles (joblib), and unpickling runs code: a file archgym did
not write, or one changed since, must be refused before it is unpickled. Such a file
starts with one header line::

    archgym-hashed-file 1 <kind> <sha256 of everything after this line>\\n

followed by the payload bytes. :func:`read_hashed` checks the header, the kind and the
hash, and only then returns the payload.

The hash refuses foreign files (a pickle from elsewhere, a file of another kind) and
files changed since archgym wrote them (damage, edits, a truncated copy). It is not a
signature: whoever can write the file can also write a matching header, so load only
files from a source you trust.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from archgym.errors import ArchGymError, DatasetError
from archgym.parsing import read_bytes

MAGIC = "archgym-hashed-file"
VERSION = 1
_HEADER = re.compile(rf"{MAGIC} {VERSION} ([A-Za-z0-9_.-]+) ([0-9a-f]{{64}})")
#: Longest header line read before giving up (a foreign file has no newline early on).
_MAX_HEADER_BYTES = 256


def write_hashed(path: str | os.PathLike[str], kind: str, payload: bytes) -> Path:
    """Write ``payload`` under a header naming ``kind`` and its SHA-256, atomically.

    ``kind`` is a short name ("archgym-proxy") that :func:`read_hashed` must be given
    back. Returns the path.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", kind):
        raise ValueError(f"write_hashed: kind {kind!r} must be letters, digits, '_', '.', '-'")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"{MAGIC} {VERSION} {kind} {hashlib.sha256(payload).hexdigest()}\n".encode()
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(header)
            handle.write(payload)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def read_hashed(
    path: str | os.PathLike[str], kind: str, error: type[ArchGymError] = DatasetError
) -> bytes:
    """The payload of a file :func:`write_hashed` wrote with ``kind``.

    Raises ``error`` naming the file, before anything of the payload is used, when it
    cannot be read, has no archgym header (a foreign file, or one written before archgym
    recorded hashes), holds another kind, or its content does not match the hash.
    """
    path = Path(path)
    data = read_bytes(path, kind, error)
    end = data.find(b"\n", 0, _MAX_HEADER_BYTES)
    match = _HEADER.fullmatch(data[:end].decode("ascii", "replace")) if end >= 0 else None
    if match is None:
        raise error(
            f"{path} was not written by archgym (no '{MAGIC} {VERSION}' header with a "
            f"content hash); refusing to unpickle it, since unpickling runs code. A {kind} "
            "file saved by an archgym without hashes must be saved again"
        )
    found_kind, recorded = match.groups()
    if found_kind != kind:
        raise error(f"{path} holds an archgym {found_kind!r} file, expected {kind!r}")
    payload = data[end + 1 :]
    if hashlib.sha256(payload).hexdigest() != recorded:
        raise error(
            f"{path}: content does not match the SHA-256 archgym recorded when it wrote the "
            "file (changed or damaged since); refusing to unpickle it"
        )
    return payload
