"""Parsers: turn what a tool wrote into metrics.

A parser is any callable ``parser(output: ToolOutput) -> dict[str, float]``. The helpers
here build one for the common output shapes; ``source`` is ``"stdout"``, ``"stderr"`` or
a file the tool wrote in its work directory. ``fields`` maps each metric name to where
its value is; ``scale`` optionally multiplies a metric (unit conversion, e.g.
``{"energy_pj": 1e6}`` for a value printed in uJ).

- :func:`json_values`: dotted paths into a JSON document (``"0.total_energy"``; list
  indices are numbers).
- :func:`key_values`: ``key = value`` (or ``key: value``) lines.
- :func:`regex_values`: the first group of a regular expression (multi-line mode).
- :func:`csv_values`: columns of one row of a CSV file (the last by default).
- :func:`combine`: several parsers, their metrics merged.

Every helper raises :class:`~archgym.simulators.external.runner.ToolOutputError` naming
the source and the missing key or the unreadable value.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from archgym.simulators.external.runner import ToolOutput, ToolOutputError

Parser = Callable[[ToolOutput], dict[str, float]]


def number(value: Any, where: str) -> float:
    """``value`` as a finite float; ToolOutputError naming ``where`` otherwise."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ToolOutputError(f"{where}: {value!r} is not a number") from None
    if not math.isfinite(result):
        raise ToolOutputError(f"{where}: {value!r} is not a finite number")
    return result


def _scaled(values: dict[str, float], scale: Mapping[str, float] | None) -> dict[str, float]:
    for name, factor in (scale or {}).items():
        values[name] *= factor
    return values


def json_values(
    source: str, fields: Mapping[str, str], *, scale: Mapping[str, float] | None = None
) -> Parser:
    """Metrics from a JSON document: ``fields`` maps metric -> dotted path."""

    def parse(output: ToolOutput) -> dict[str, float]:
        text = output.text(source)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ToolOutputError(
                f"{source}: not valid JSON ({error.msg} at line {error.lineno})", text[-500:]
            ) from None
        return _scaled(
            {
                name: number(lookup(document, path, source), f"{source}: {path}")
                for name, path in fields.items()
            },
            scale,
        )

    return parse


def lookup(document: Any, path: str, source: str = "document") -> Any:
    """The value at a dotted ``path`` in nested dicts and lists; ToolOutputError if absent."""
    value = document
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif (
            isinstance(value, list)
            and part.lstrip("-").isdigit()
            and -len(value) <= int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            raise ToolOutputError(f"{source}: no {path!r} (missing at {part!r})")
    return value


def key_values(
    fields: Mapping[str, str],
    source: str = "stdout",
    *,
    separators: str = "=:",
    scale: Mapping[str, float] | None = None,
) -> Parser:
    """Metrics from ``key = value`` lines; ``fields`` maps metric -> key.

    A key may be followed by any of ``separators``; the value is the first token after
    it (so a trailing unit such as ``12.5 ns`` is ignored). The last line with the key wins.
    """

    def parse(output: ToolOutput) -> dict[str, float]:
        found: dict[str, str] = {}
        for line in output.text(source).splitlines():
            for separator in separators:
                key, sep, rest = line.partition(separator)
                if sep and rest.split():
                    found[key.strip()] = rest.split()[0]
                    break
        values = {}
        for name, key in fields.items():
            if key not in found:
                raise ToolOutputError(f"{source}: no line with key {key!r}")
            values[name] = number(found[key], f"{source}: {key}")
        return _scaled(values, scale)

    return parse


def regex_values(
    patterns: Mapping[str, str],
    source: str = "stdout",
    *,
    scale: Mapping[str, float] | None = None,
) -> Parser:
    """Metrics from the first group of each regular expression (first match, multi-line)."""
    compiled = {name: re.compile(pattern, re.MULTILINE) for name, pattern in patterns.items()}

    def parse(output: ToolOutput) -> dict[str, float]:
        text = output.text(source)
        values = {}
        for name, pattern in compiled.items():
            match = pattern.search(text)
            if match is None:
                raise ToolOutputError(f"{source}: nothing matches {pattern.pattern!r}")
            values[name] = number(match.group(1), f"{source}: {pattern.pattern!r}")
        return _scaled(values, scale)

    return parse


def csv_values(
    source: str,
    fields: Mapping[str, str],
    *,
    row: int = -1,
    scale: Mapping[str, float] | None = None,
) -> Parser:
    """Metrics from columns of one CSV row (header row first); ``fields``: metric -> column."""

    def parse(output: ToolOutput) -> dict[str, float]:
        rows = list(csv.DictReader(io.StringIO(output.text(source)), skipinitialspace=True))
        if not rows:
            raise ToolOutputError(f"{source}: no data rows")
        try:
            chosen = rows[row]
        except IndexError:
            raise ToolOutputError(f"{source}: no row {row} (it has {len(rows)})") from None
        values = {}
        for name, column in fields.items():
            if column not in chosen:
                known = ", ".join(k for k in chosen if k)
                raise ToolOutputError(f"{source}: no column {column!r}; columns: {known}")
            values[name] = number(chosen[column], f"{source}: column {column!r}")
        return _scaled(values, scale)

    return parse


def combine(*parsers: Parser) -> Parser:
    """One parser running each of ``parsers``; later ones win on a shared metric."""

    def parse(output: ToolOutput) -> dict[str, float]:
        values: dict[str, float] = {}
        for parser in parsers:
            values.update(parser(output))
        return values

    return parse
