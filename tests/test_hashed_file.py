"""Hashed files: a foreign or altered file is refused before its payload is used."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.errors import DatasetError
from archgym.hashed_file import read_hashed, write_hashed
from tests.fuzzing import FUZZ_SETTINGS, mutated


def test_round_trip_returns_the_payload(tmp_path):
    path = write_hashed(tmp_path / "sub" / "x.bin", "archgym-test", b"\x00payload\n\xff")
    assert read_hashed(path, "archgym-test") == b"\x00payload\n\xff"
    assert path.read_bytes().startswith(b"archgym-hashed-file 1 archgym-test ")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (pickle.dumps({"a": 1}), "was not written by archgym"),
        (b"", "was not written by archgym"),
        (b"archgym-hashed-file 1 archgym-test " + b"0" * 64 + b"\npayload", "does not match"),
        (b"archgym-hashed-file 1 archgym-other " + b"0" * 64 + b"\n", "'archgym-other' file"),
    ],
)
def test_foreign_and_altered_files_are_refused(tmp_path, content, expected):
    path = tmp_path / "x.bin"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=expected):
        read_hashed(path, "archgym-test")


@FUZZ_SETTINGS
@given(data=st.data())
def test_any_change_is_detected(tmp_path, data):
    path = write_hashed(tmp_path / "x.bin", "archgym-test", b"the payload " * 20)
    original = path.read_bytes()
    changed = data.draw(mutated(original))
    path.write_bytes(changed)
    if changed == original:
        assert read_hashed(path, "archgym-test") == b"the payload " * 20
    else:
        with pytest.raises(DatasetError, match=str(path)):
            read_hashed(path, "archgym-test")
