"""The Dask executor gives the same results as the local one, run by run."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from archgym.errors import MissingExtraError
from archgym.experiments import ResultStore, load_results, make_executor, run_sweep
from tests.experiments.specs import small_spec

# Measurements, not results: they differ between any two executions.
TIMING_COLUMNS = ["eval_time_s", "wall_time", "cache_hit"]


def test_local_and_dask_local_cluster_give_identical_results(write_spec, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    spec = small_spec(
        seeds=2,
        agents=[{"name": "random", "grid": {"mode": ["uniform", "walk"]}}],
        envs=[
            {"id": "archgym/Analytic-v0", "workloads": ["default", "shifted"]},
            {"id": "archgym/Analytic-v0", "objectives": ["multi"], "options": {"z_levels": 9}},
        ],
    )
    path = write_spec(spec)
    local = run_sweep(path, tmp_path / "local", executor="local", jobs=2)
    dask = run_sweep(path, tmp_path / "dask", executor="dask", jobs=2)
    assert local.completed == dask.completed == 12
    assert local.run_ids == dask.run_ids

    a = load_results(tmp_path / "local").drop(columns=TIMING_COLUMNS)
    b = load_results(tmp_path / "dask").drop(columns=TIMING_COLUMNS)
    for run_id in local.run_ids:
        pd.testing.assert_frame_equal(
            a[a["run_id"] == run_id].reset_index(drop=True),
            b[b["run_id"] == run_id].reset_index(drop=True),
        )
    ma, mb = ResultStore(tmp_path / "local").manifests(), ResultStore(tmp_path / "dask").manifests()
    for run_id in local.run_ids:
        ra, rb = ma[run_id]["result"], mb[run_id]["result"]
        for key in ("best_reward", "best_design", "best_metrics", "evaluations", "target_met"):
            assert ra[key] == rb[key], (run_id, key)


def test_dask_executor_names_the_extra_when_distributed_is_missing(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtraError, match=r"archgym\[distributed\]"):
        make_executor("dask")
