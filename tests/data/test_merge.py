"""archgym.data.merge: datasets of several runs, duplicates handled."""

from __future__ import annotations

import pandas as pd
import pytest

from archgym.data.merge import merge_datasets
from archgym.errors import ConfigError, DatasetError

KNOBS = ["a", "b"]


def frame(rows, run):
    return pd.DataFrame(
        [
            {"run_id": run, "env_id": "e", "workload": "w", "a": a, "b": b, "m": m, "valid": True}
            for a, b, m in rows
        ]
    )


def test_duplicates_are_kept_once():
    one = frame([(1, "x", 1.0), (2, "x", 2.0)], "r1")
    two = frame([(2, "x", 2.0), (3, "y", 3.0)], "r2")
    merged = merge_datasets([one, two], KNOBS, ["m"])
    assert merged[["a", "m"]].values.tolist() == [[1, 1.0], [2, 2.0], [3, 3.0]]
    assert merged["run_id"].tolist() == ["r1", "r1", "r2"]
    last = merge_datasets([one, two], KNOBS, ["m"], duplicates="last")
    assert last.set_index("a").loc[2, "run_id"] == "r2"
    assert len(merge_datasets([one, two], KNOBS, ["m"], duplicates="all")) == 4


def test_conflicting_duplicates_raise_unless_averaged():
    one = frame([(1, "x", 1.0)], "r1")
    two = frame([(1, "x", 3.0)], "r2")
    with pytest.raises(DatasetError, match="different results"):
        merge_datasets([one, two], KNOBS, ["m"])
    mean = merge_datasets([one, two], KNOBS, ["m"], duplicates="mean")
    assert mean["m"].tolist() == [2.0]
    assert len(merge_datasets([one, two], KNOBS, ["m"], check=False)) == 1


def test_same_design_in_another_workload_is_not_a_duplicate():
    one = frame([(1, "x", 1.0)], "r1")
    two = frame([(1, "x", 5.0)], "r2").assign(workload="other")
    assert len(merge_datasets([one, two], KNOBS, ["m"])) == 2


def test_missing_columns_and_bad_policy(tmp_path):
    with pytest.raises(DatasetError, match="lacks column"):
        merge_datasets([frame([(1, "x", 1.0)], "r").drop(columns=["b"])], KNOBS, ["m"])
    with pytest.raises(ConfigError, match="duplicates"):
        merge_datasets([frame([(1, "x", 1.0)], "r")], KNOBS, ["m"], duplicates="max")
    path = tmp_path / "r.parquet"
    frame([(4, "z", 4.0)], "r").to_parquet(path)
    merged = merge_datasets([str(path), frame([(1, "x", 1.0)], "s")], KNOBS, ["m"])
    assert sorted(merged["a"]) == [1, 4]
