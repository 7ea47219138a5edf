"""Checked reading of the files and values users give archgym.

Every reader goes through these instead of ``Path.read_text``, ``json.loads``,
``yaml.safe_load``, ``int`` and ``float``, which raise UnicodeDecodeError, RecursionError,
OverflowError or ValueError without saying which file or line is at fault. Here every
failure is an archgym error whose message starts with where the problem is
(``<file>:<line>`` or ``<file>: <field>``), then what was found and what was expected.
The caller picks the error class: :class:`~archgym.errors.WorkloadError` for workloads,
:class:`~archgym.errors.ConfigError` for configurations,
:class:`~archgym.errors.DatasetError` for datasets.

* :func:`read_bytes`, :func:`read_text`, :func:`read_json`, :func:`read_yaml`: a whole
  file, raw, decoded or parsed.
* :func:`parse_int`, :func:`parse_float`: one number written in a text file.
* :func:`check_int`, :func:`check_number`: one value already parsed (JSON, YAML, options).
* :func:`errors_at`: prefix the errors raised while building something from a file.
"""

from __future__ import annotations

import codecs
import json
import math
import numbers
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from archgym.errors import (
    ArchGymError,
    ConfigError,
    DatasetError,
    InvalidDesignError,
    WorkloadError,
)

#: Largest value of a signed / unsigned 64-bit integer (numpy int64 / uint64).
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
#: Deepest nesting a JSON or YAML file may have; real configurations stay below 20.
MAX_NESTING = 100
#: Most values a YAML file may expand to through its aliases (a "billion laughs" guard).
MAX_YAML_VALUES = 1_000_000

ErrorClass = type[ArchGymError]
PathLike = str | os.PathLike[str]

_DECIMAL = re.compile(r"[+-]?[0-9]+")
_HEXADECIMAL = re.compile(r"[+-]?(0[xX])?[0-9a-fA-F]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


# ------------------------------------------------------------------------ whole files
def read_bytes(path: PathLike, what: str, error: ErrorClass = WorkloadError) -> bytes:
    """The file's bytes; raises ``error`` naming the ``what`` file when it cannot be read
    (missing, a folder, no permission, or a path with a NUL byte)."""
    try:
        return Path(path).read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL byte
        raise error(f"{what} file {str(path)!r} cannot be read: {exc}") from exc


def read_text(path: PathLike, what: str, error: ErrorClass = WorkloadError) -> str:
    """The file decoded as UTF-8 (a leading byte-order mark is dropped).

    ``what`` names the kind of file in messages ("trace", "memspec"). Raises ``error``
    naming the file when it cannot be read, and its line and column at the first byte
    that is not UTF-8 (binary junk, or text in another encoding).
    """
    path = Path(path)
    data = read_bytes(path, what, error)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"{path}:{line}: byte 0x{data[exc.start]:02x} at column {column} is not UTF-8 "
            f"text; expected a {what} text file"
        ) from None


def read_json(path: PathLike, what: str, error: ErrorClass = ConfigError) -> Any:
    """The parsed JSON of a file; NaN and Infinity (not JSON numbers) are refused.

    Raises ``error`` naming the file (and the line and column of a syntax error) for a
    file that cannot be read, is not UTF-8 or not JSON, or nests deeper than
    :data:`MAX_NESTING`.
    """
    text = read_text(path, what, error)

    def refuse(constant: str) -> None:
        raise error(f"{path}: {constant} is not a JSON number; expected a finite number")

    try:
        data = json.loads(text, parse_constant=refuse)
    except ArchGymError:
        raise
    except json.JSONDecodeError as exc:
        raise error(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg} at column {exc.colno}); "
            f"expected a {what} file"
        ) from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, or deep nesting
        raise error(f"{path}: not a usable {what} JSON file: {exc}") from None
    _check_tree(data, path, what, error)
    return data


def read_yaml(path: PathLike, what: str, error: ErrorClass = ConfigError) -> Any:
    """The parsed YAML of a file (safe loader: plain data only, no Python objects).

    Raises ``error`` naming the file (and the line of a syntax error) for a file that
    cannot be read, is not UTF-8 or not YAML, nests deeper than :data:`MAX_NESTING`,
    refers to itself through an anchor, or expands to more than :data:`MAX_YAML_VALUES`
    values through aliases.
    """
    import yaml

    text = read_text(path, what, error)
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = exc.problem or exc.context or "syntax error"
        raise error(f"{where}: not valid YAML ({problem}); expected a {what} file") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise error(
            f"{path}:{line}: not valid YAML ({exc.reason}); expected a {what} file"
        ) from None
    except Exception as exc:  # PyYAML also raises ValueError (a date 2001-13-45), RecursionError
        raise error(
            f"{path}: not valid YAML ({type(exc).__name__}: {exc}); expected a {what} file"
        ) from None
    _check_tree(data, path, what, error)
    return data


def _check_tree(data: Any, path: PathLike, what: str, error: ErrorClass) -> None:
    """Refuse a parsed document that is cyclic, too deep or too large to walk."""
    stack: list[tuple[Any, int, frozenset[int]]] = [(data, 0, frozenset())]
    visited = 0
    while stack:
        value, depth, ancestors = stack.pop()
        if not isinstance(value, dict | list):
            continue
        visited += 1
        if id(value) in ancestors:
            raise error(
                f"{path}: an anchor refers to itself; expected a {what} file without cycles"
            )
        if depth > MAX_NESTING:
            raise error(f"{path}: nested deeper than {MAX_NESTING} levels; expected a {what} file")
        if visited > MAX_YAML_VALUES:
            raise error(
                f"{path}: expands to more than {MAX_YAML_VALUES} values through aliases; "
                f"expected a {what} file"
            )
        inner = ancestors | {id(value)}
        children = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
        stack.extend((child, depth + 1, inner) for child in children)


# ------------------------------------------------------------------------ numbers in text
def parse_int(
    text: str,
    where: str,
    what: str,
    *,
    base: int = 10,
    minimum: int | None = 0,
    maximum: int | None = INT64_MAX,
    error: ErrorClass = WorkloadError,
) -> int:
    """``text`` as an integer in ``[minimum, maximum]`` (None: unbounded).

    ``base`` 10 reads ASCII decimal digits, 16 hexadecimal digits with an optional
    ``0x`` prefix, 0 either (hexadecimal when ``0x`` leads). No underscores, spaces or
    non-ASCII digits, which Python's ``int`` would accept. ``where`` is the location
    (``"trace.stl:12"``), ``what`` the quantity ("cycle"). Raises ``error``.
    """
    if base not in (0, 10, 16):
        raise ValueError(f"parse_int: base must be 0, 10 or 16, not {base}")
    kind = {0: "a decimal or 0x-hexadecimal", 10: "an", 16: "a hexadecimal"}[base]
    if base == 0:
        base = 16 if text.lstrip("+-")[:2] in ("0x", "0X") else 10
    pattern = _DECIMAL if base == 10 else _HEXADECIMAL
    if not pattern.fullmatch(text):
        raise error(
            f"{where}: {what} {text!r} is not {kind} integer; "
            f"expected {_range_text('an integer', minimum, maximum)}"
        )
    try:
        value = int(text, base)
    except ValueError:  # more digits than Python converts (4,300): far out of any range
        value = math.inf if not text.startswith("-") else -math.inf
    _check_range(value, text, where, what, minimum, maximum, error, "an integer")
    return int(value)


def parse_float(
    text: str,
    where: str,
    what: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    error: ErrorClass = WorkloadError,
) -> float:
    """``text`` (decimal, optional exponent) as a finite float in ``[minimum, maximum]``.

    NaN, infinities, hexadecimal floats and underscores are refused. Raises ``error``.
    """
    if not _FLOAT.fullmatch(text):
        raise error(
            f"{where}: {what} {text!r} is not a number; "
            f"expected {_range_text('a finite number', minimum, maximum)}"
        )
    value = float(text)
    _check_range(value, text, where, what, minimum, maximum, error, "a finite number")
    return value


# ------------------------------------------------------------------------ parsed values
def check_int(
    value: Any,
    where: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    error: ErrorClass = ConfigError,
) -> int:
    """``value`` (from JSON, YAML or an option) as an int in ``[minimum, maximum]``.

    Accepts Python and numpy integers and integral finite floats (``8.0``); refuses
    booleans, text and everything else. ``where`` names the field. Raises ``error``.
    """
    expected = _range_text("an integer", minimum, maximum)
    if (
        not is_real(value)
        or not math.isfinite(value)
        or (not isinstance(value, numbers.Integral) and not float(value).is_integer())
    ):
        raise error(f"{where}: expected {expected}, got {value!r}")
    number = int(value)
    _check_range(number, repr(value), where, "", minimum, maximum, error, "an integer")
    return number


def check_number(
    value: Any,
    where: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    error: ErrorClass = ConfigError,
) -> float:
    """``value`` (from JSON, YAML or an option) as a finite float in ``[minimum, maximum]``.

    Refuses booleans, text, NaN and infinities. Raises ``error`` naming ``where``.
    """
    if not is_real(value) or not math.isfinite(value):
        expected = _range_text("a finite number", minimum, maximum)
        raise error(f"{where}: expected {expected}, got {value!r}")
    number = float(value)
    _check_range(number, repr(value), where, "", minimum, maximum, error, "a finite number")
    return number


def is_real(value: Any) -> bool:
    """True for a real number (Python or numpy int or float), False for bool and the rest."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _range_text(kind: str, minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"{kind} in {minimum}..{maximum}"
    if minimum is not None:
        return f"{kind} >= {minimum}"
    if maximum is not None:
        return f"{kind} <= {maximum}"
    return kind


def _check_range(
    value: float,
    shown: str,
    where: str,
    what: str,
    minimum: float | None,
    maximum: float | None,
    error: ErrorClass,
    kind: str,
) -> None:
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        found = f"{what} {shown}" if what else shown
        raise error(
            f"{where}: {found} is out of range; expected {_range_text(kind, minimum, maximum)}"
        )
    if not math.isfinite(value):
        found = f"{what} {shown}" if what else shown
        raise error(
            f"{where}: {found} is too large; expected {_range_text(kind, minimum, maximum)}"
        )


# ------------------------------------------------------------------------ locating errors
_PREFIXABLE = (ConfigError, WorkloadError, DatasetError, InvalidDesignError)


@contextmanager
def errors_at(where: str) -> Iterator[None]:
    """Put ``where`` (a file, or ``file:line``) in front of the errors raised inside.

    For building specs from a file: a check in a dataclass's ``__post_init__`` knows the
    field but not the file. Errors that already name ``where`` pass unchanged; the class
    (ConfigError, WorkloadError, DatasetError, InvalidDesignError) is kept.
    """
    try:
        yield
    except _PREFIXABLE as exc:
        if where in str(exc):
            raise
        for cls in _PREFIXABLE:
            if type(exc) is cls:
                raise cls(f"{where}: {exc}") from exc
        raise
