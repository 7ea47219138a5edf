"""Saved proxy models are pickles: a tampered or foreign one is refused before unpickling."""

from __future__ import annotations

import os
import pickle

import gymnasium
import pytest

from archgym.errors import DatasetError
from archgym.proxy import ProxyModel


class _Trap:
    """Unpickling it creates a file: proof that a payload was (or was not) unpickled."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_foreign_pickle_is_refused_before_unpickling(tmp_path):
    marker = tmp_path / "unpickled"
    path = tmp_path / "foreign.joblib"
    path.write_bytes(pickle.dumps(_Trap(str(marker))))
    with pytest.raises(DatasetError, match="not written by archgym.*refusing to unpickle"):
        ProxyModel.load(path)
    with pytest.raises(DatasetError, match="not written by archgym"):
        gymnasium.make("archgym/Analytic-v0", cost_model="proxy", proxy=str(path))
    assert not marker.exists()


def test_tampered_model_is_refused_before_unpickling(model_path, tmp_path):
    marker = tmp_path / "unpickled"
    header = model_path.read_bytes().split(b"\n", 1)[0]
    tampered = tmp_path / "tampered.joblib"
    tampered.write_bytes(header + b"\n" + pickle.dumps(_Trap(str(marker))))
    with pytest.raises(DatasetError, match="does not match the SHA-256"):
        ProxyModel.load(tampered)
    assert not marker.exists()


def test_one_flipped_byte_is_refused(model_path, tmp_path):
    data = bytearray(model_path.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged = tmp_path / "damaged.joblib"
    damaged.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=f"{damaged}: content does not match"):
        ProxyModel.load(damaged)


def test_saved_model_loads_and_keeps_file_mode(model_path):
    assert ProxyModel.load(model_path).metric_names
    assert os.stat(model_path).st_mode & 0o777 == 0o644
