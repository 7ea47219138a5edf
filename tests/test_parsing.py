"""archgym.parsing: every failure is an archgym error naming the file, line or field."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym import parsing
from archgym.errors import ConfigError, InvalidDesignError, WorkloadError
from archgym.parsing import (
    INT64_MAX,
    MAX_NESTING,
    check_int,
    check_number,
    errors_at,
    parse_float,
    parse_int,
    read_json,
    read_text,
    read_yaml,
)
from tests.fuzzing import FUZZ_SETTINGS


@given(st.integers(0, INT64_MAX))
def test_parse_int_reads_every_int64_back(value):
    assert parse_int(str(value), "f:1", "cycle") == value
    assert parse_int(hex(value), "f:1", "address", base=0) == value


@FUZZ_SETTINGS
@given(st.text(max_size=30))
def test_parse_int_returns_an_int_in_range_or_names_the_place(text):
    try:
        value = parse_int(text, "trace.stl:7", "cycle", minimum=0, maximum=1000)
    except WorkloadError as error:
        assert str(error).startswith("trace.stl:7: cycle ")
    else:
        assert 0 <= value <= 1000 and text.isascii()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1_000", "is not an integer"),
        ("\u0661\u0662", "is not an integer"),
        (" 5", "is not an integer"),
        ("9" * 5000, "is out of range"),
        ("-1", "is out of range; expected an integer in 0..9223372036854775807"),
        (str(INT64_MAX + 1), "is out of range"),
    ],
)
def test_parse_int_refuses(text, expected):
    with pytest.raises(WorkloadError, match=expected):
        parse_int(text, "f:3", "cycle")


@pytest.mark.parametrize("text", ["nan", "inf", "1e999", "0x1p3", "1_0", "", "1.2.3"])
def test_parse_float_refuses_what_is_not_a_finite_decimal(text):
    with pytest.raises(WorkloadError, match="f:2: column 'A53' "):
        parse_float(text, "f:2", "column 'A53'")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_float_reads_every_finite_float_back(value):
    assert parse_float(repr(value), "f:1", "x") == value


@pytest.mark.parametrize(
    ("value", "ok"),
    [(8, 8), (8.0, 8), (np.int16(3), 3), (True, None), ("8", None), (8.5, None)]
    + [(math.inf, None), (math.nan, None), (None, None), (1j, None), (-2, None)],
)
def test_check_int(value, ok):
    if ok is None:
        with pytest.raises(ConfigError, match=r"^memspec: CL: "):
            check_int(value, "memspec: CL", minimum=0)
    else:
        assert check_int(value, "memspec: CL", minimum=0) == ok


@pytest.mark.parametrize("value", [True, "1.5", math.nan, -math.inf, [1], 1j])
def test_check_number_refuses(value):
    with pytest.raises(ConfigError, match="^x: expected a finite number"):
        check_number(value, "x")


def test_read_text_names_line_and_column_of_a_bad_byte(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbfok\nfine \xc3(\n")
    with pytest.raises(WorkloadError, match=rf"^{path}:2: byte 0xc3 at column 6 is not UTF-8"):
        read_text(path, "trace")
    path.write_bytes(b"\xef\xbb\xbfok\n")
    assert read_text(path, "trace") == "ok\n"  # the byte-order mark is dropped
    with pytest.raises(WorkloadError, match="trace file .* cannot be read"):
        read_text(tmp_path / "missing.txt", "trace")
    with pytest.raises(WorkloadError, match="trace file .* cannot be read: embedded null byte"):
        read_text("a\x00b.txt", "trace")  # a path no file system accepts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1,\n "b": }', ":2: not valid JSON"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ("9" * 5000, "not a usable memspec JSON file"),
        ("[" * 100_000, "not a usable memspec JSON file"),
        ("[" * (MAX_NESTING + 2) + "]" * (MAX_NESTING + 2), "nested deeper"),
    ],
)
def test_read_json_refuses(tmp_path, text, expected):
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected):
        read_json(path, "memspec")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\n  b: 2\n", r":2: not valid YAML \(mapping values are not allowed here\)"),
        ("a: 2001-13-45\n", "ValueError"),
        ("a: &x [*x]\n", "refers to itself"),
        ("a: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
        ("a: \x07\n", ":1: not valid YAML"),
    ],
)
def test_read_yaml_refuses(tmp_path, text, expected):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected):
        read_yaml(path, "sweep spec")


def test_read_yaml_refuses_an_alias_bomb(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_YAML_VALUES", 1000)  # a smaller bomb, same check
    lines = ["a: &a [[1], [1], [1], [1], [1], [1], [1], [1], [1], [1]]"]
    lines += [f"{c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in zip("ab", "bc", strict=True)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match="expands to more than 1000 values through aliases"):
        read_yaml(path, "sweep spec")


def test_errors_at_prefixes_once_and_keeps_the_class():
    def raise_inside(error):
        with errors_at("m.yaml"):
            raise error

    with pytest.raises(InvalidDesignError, match=r"^m\.yaml: mapping covers K=1$"):
        raise_inside(InvalidDesignError("mapping covers K=1"))
    with pytest.raises(WorkloadError, match=r"^m\.yaml:3: bad$"):
        raise_inside(WorkloadError("m.yaml:3: bad"))
