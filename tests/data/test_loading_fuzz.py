"""Trajectory datasets on random bytes and mutated real Parquet files."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.data import load_trajectories
from archgym.data.collect import collect, write_dataset
from archgym.errors import DatasetError
from archgym.experiments.store import load_results
from tests.fuzzing import FUZZ_SETTINGS, check_reader, mutated


@pytest.fixture(scope="module")
def parquet_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("dataset") / "analytic.parquet"
    return write_dataset(collect("archgym/Analytic-v0", 20, seed=0), path).read_bytes()


@pytest.mark.parametrize("reader", [load_trajectories, load_results], ids=lambda f: f.__name__)
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_parquet_loads_or_names_the_file(parquet_bytes, tmp_path, reader, data):
    path = tmp_path / "mutated.parquet"
    path.write_bytes(data.draw(mutated(parquet_bytes)))
    frame = check_reader(reader, path, DatasetError)
    assert frame is None or isinstance(frame, pd.DataFrame)
