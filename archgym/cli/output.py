"""Plain-text tables and value parsing for the command line."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import Any

import yaml

from archgym.errors import ConfigError


def format_value(value: Any) -> str:
    """A number in at most 6 significant digits; anything else as str."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.6g}"
    return str(value)


def format_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A left-aligned text table with a header rule."""
    cells = [[format_value(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join([line.rstrip(), rule, *(b.rstrip() for b in body)])


def parse_assignments(items: Sequence[str] | None, option: str) -> dict[str, Any]:
    """``["a=1", "b=x"]`` as ``{"a": 1, "b": "x"}``; values are read as YAML scalars."""
    out: dict[str, Any] = {}
    for item in items or ():
        key, eq, text = item.partition("=")
        if not eq or not key.strip():
            raise ConfigError(f"{option} {item!r}: expected key=value")
        try:
            out[key.strip()] = yaml.safe_load(text) if text.strip() else ""
        except Exception:  # PyYAML raises ValueError too (2001-13-45): keep the text
            out[key.strip()] = text
    return out


def add_assignments_option(
    parser: argparse.ArgumentParser, flag: str, help: str, *, dest: str | None = None
) -> None:
    """Add a repeatable ``KEY=VALUE`` option; read it back with :func:`parse_assignments`."""
    parser.add_argument(flag, dest=dest, action="append", metavar="KEY=VALUE", help=help)
