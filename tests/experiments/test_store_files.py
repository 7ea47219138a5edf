"""A sweep's results folder with damaged files: skipped with a warning, or a DatasetError."""

from __future__ import annotations

import logging

import pytest

from archgym.errors import DatasetError
from archgym.experiments.store import ResultStore


@pytest.mark.parametrize("content", [b"\xff\xfe\x00junk", b"[1, 2]", b'{"status": ', b"[" * 5000])
def test_damaged_manifest_counts_as_unfinished(tmp_path, caplog, content):
    store = ResultStore(tmp_path)
    (store.runs_dir / "run-1").mkdir(parents=True)
    (store.runs_dir / "run-1" / "manifest.json").write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assert store.read_manifest("run-1") is None
        assert store.statuses() == {}
    assert "manifest" in caplog.text


def test_damaged_trajectory_of_a_completed_run_names_the_file(tmp_path):
    store = ResultStore(tmp_path)
    folder = store.runs_dir / "run-1"
    (folder / "trajectory").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"status": "completed"}')
    part = folder / "trajectory" / "part-0.parquet"
    part.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(DatasetError, match=f"cannot read trajectory file {part}"):
        store.load_trajectories()
