"""Hypothesis strategies and the reader contract shared by the fuzz tests of every reader.

The contract: a reader given any bytes either returns a valid result or raises the
archgym error it documents, with the file in the message. Anything else (a bare
UnicodeDecodeError, OverflowError, ValueError, KeyError, ...) fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from archgym.errors import ArchGymError

#: Modest example counts (the suite runs on a loaded 2-core machine); no deadline.
FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Text a careless user or a broken tool puts where a number or a token belongs.
HOSTILE_TOKENS = (
    b"99999999999999999999999",
    b"1" * 5000,
    b"-1",
    b"0",
    b"1.5",
    b"1e999",
    b"NaN",
    b"inf",
    b"0x" + b"F" * 20,
    b"0xZZ",
    b"1_0",
    "\u0661\u0662".encode(),  # Arabic-Indic digits, which int() accepts
    b"\xff\xfe",
    b"\xc3",
    b"\x00",
    b"\x0c",
    b"\r",
    b"\t",
    b"\n",
    b",",
    b":",
    b"[",
    b"{",
    b'"',
    b"null",
    b"true",
    b"&a [*a]",
    b"*a",
    b"!!python/object/apply:os.system ['true']",
    b"2001-13-45",
)


def head(data: bytes, lines: int) -> bytes:
    """The first ``lines`` lines of ``data`` (small files keep each example fast)."""
    return b"".join(data.splitlines(keepends=True)[:lines])


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """Random bytes (one draw in five) or ``original`` with a few random edits."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=300))
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(("flip", "insert", "delete", "token", "number", "cut")))
        at = draw(st.integers(0, len(data)))
        if edit == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif edit == "token":
            data[at:at] = draw(st.sampled_from(HOSTILE_TOKENS))
        elif edit == "number":  # replace the next run of digits, where the numbers are
            start = next((i for i in range(at, len(data)) if chr(data[i]).isdigit()), None)
            if start is not None:
                end = start
                while end < len(data) and chr(data[end]).isdigit():
                    end += 1
                data[start:end] = draw(st.sampled_from(HOSTILE_TOKENS))
        elif edit == "cut":
            del data[at:]
    return bytes(data)


def check_reader(
    read: Callable[[Path], Any],
    path: Path,
    error: type[ArchGymError] | tuple[type[ArchGymError], ...],
    names: str | None = None,
) -> Any:
    """Run ``read(path)``: return its result, or check that it raised ``error`` naming
    ``names`` (default: the file). Any other exception propagates and fails the test."""
    try:
        return read(path)
    except error as exc:
        assert (names or str(path)) in str(exc), f"the error does not name the file: {exc}"
        return None
