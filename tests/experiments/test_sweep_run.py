"""run_sweep with the local executor: results layout, skipping, failures, timeouts, locking."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from archgym.errors import ConfigError, DatasetError
from archgym.experiments import (
    LocalExecutor,
    ResultStore,
    expand_runs,
    load_results,
    load_spec,
    run_sweep,
)
from archgym.experiments.sweep import _FolderLock
from tests.experiments.specs import PLUGIN, small_spec


def test_sweep_writes_one_folder_per_run_and_one_dataset(write_spec, tmp_path: Path) -> None:
    path = write_spec(small_spec())
    events = []
    summary = run_sweep(path, tmp_path / "out", jobs=2, on_result=events.append)
    runs = expand_runs(load_spec(path))
    assert (summary.total, summary.executed, summary.completed) == (8, 8, 8)
    assert sorted(e.done for e in events) == list(range(1, 9))
    store = ResultStore(tmp_path / "out")
    manifests = store.manifests()
    assert set(manifests) == {r.run_id for r in runs}
    for run in runs:
        manifest = manifests[run.run_id]
        assert manifest["status"] == "completed" and manifest["error"] is None
        assert manifest["config"] == run.to_dict() and manifest["seed"] == run.seed
        assert manifest["result"]["evaluations"] == 12
        assert {"python", "archgym", "numpy"} <= set(manifest["versions"])
        assert manifest["duration_s"] > 0 and manifest["started_at"].endswith("+00:00")
    data = pd.read_parquet(summary.results)
    assert len(data) == 8 * 12
    assert data.groupby("run_id")["step"].apply(list).map(lambda s: s == list(range(12))).all()
    best = data.groupby("run_id")["reward"].max()
    for run_id, manifest in manifests.items():
        assert best[run_id] == pytest.approx(manifest["result"]["best_reward"])
    assert set(data["hyperparameters"]) == {"mode=uniform", "mode=walk"}
    table = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert len(table) == 8 and set(table["status"]) == {"completed"}
    assert not list((tmp_path / "out" / ".staging").iterdir())


def test_rerun_skips_finished_runs(write_spec, tmp_path: Path) -> None:
    path = write_spec(small_spec())
    run_sweep(path, tmp_path / "out", jobs=1)
    before = {k: m["attempt"] for k, m in ResultStore(tmp_path / "out").manifests().items()}
    summary = run_sweep(path, tmp_path / "out", jobs=1)
    assert (summary.skipped, summary.executed) == (8, 0)
    after = {k: m["attempt"] for k, m in ResultStore(tmp_path / "out").manifests().items()}
    assert after == before


def test_extended_spec_runs_only_the_new_runs_with_resume(write_spec, tmp_path: Path) -> None:
    run_sweep(write_spec(small_spec()), tmp_path / "out", jobs=1)
    bigger = write_spec(small_spec(seeds=3), "bigger.yaml")
    with pytest.raises(ConfigError, match="another sweep spec.*--resume"):
        run_sweep(bigger, tmp_path / "out", jobs=1)
    summary = run_sweep(bigger, tmp_path / "out", jobs=1, resume=True)
    assert (summary.total, summary.skipped, summary.executed) == (12, 8, 4)
    assert len(load_results(tmp_path / "out")) == 12 * 12


def _flaky_spec(crash_file: Path, **overrides) -> dict:
    return small_spec(
        imports=[str(PLUGIN)],
        envs=[{"id": "archgym/TestFlaky-v0", "options": {"crash_file": str(crash_file)}}],
        agents=["random"],
        **overrides,
    )


def test_failed_runs_are_recorded_and_retried_on_request(write_spec, tmp_path: Path) -> None:
    crash = tmp_path / "crash"
    crash.write_text("raise")
    path = write_spec(_flaky_spec(crash))
    summary = run_sweep(path, tmp_path / "out", jobs=1)
    assert (summary.completed, summary.failed, summary.results) == (0, 2, None)
    manifests = ResultStore(tmp_path / "out").manifests()
    for manifest in manifests.values():
        assert manifest["status"] == "failed"
        assert manifest["error"].startswith("RuntimeError: injected failure")
        run_dir = tmp_path / "out" / "runs" / manifest["run_id"]
        assert not (run_dir / "trajectory").exists()
    crash.unlink()
    assert run_sweep(path, tmp_path / "out", jobs=1).executed == 0
    summary = run_sweep(path, tmp_path / "out", jobs=1, retry_failed=True)
    assert (summary.executed, summary.completed) == (2, 2)
    assert set(ResultStore(tmp_path / "out").statuses().values()) == {"completed"}
    assert len(pd.read_parquet(summary.results)) == 2 * 12


def test_a_dying_worker_fails_only_its_run(write_spec, tmp_path: Path) -> None:
    crash = tmp_path / "crash"
    crash.write_text("exit")
    spec = load_spec(write_spec(_flaky_spec(crash, seeds=1)))
    summary = run_sweep(spec, tmp_path / "out", executor=LocalExecutor(1))
    (manifest,) = ResultStore(tmp_path / "out").manifests().values()
    assert summary.failed == 1
    assert manifest["status"] == "failed" and "exit code 3" in manifest["error"]
    crash.unlink()
    assert run_sweep(spec, tmp_path / "out", retry_failed=True, jobs=1).completed == 1


def test_cooperative_timeout(write_spec, tmp_path: Path) -> None:
    # 10^6 analytic evaluations take far longer than the 0.3 s limit.
    path = write_spec(small_spec(budget=1_000_000, seeds=1, envs=["archgym/Analytic-v0"]))
    summary = run_sweep(path, tmp_path / "out", jobs=2, timeout=0.3)
    assert summary.timeout == 2
    for manifest in ResultStore(tmp_path / "out").manifests().values():
        assert manifest["status"] == "timeout"
        assert "timeout of 0.3 s" in manifest["error"]


def test_stuck_evaluation_is_killed_after_the_grace_period(write_spec, tmp_path: Path) -> None:
    crash = tmp_path / "crash"
    crash.write_text("hang")
    spec = load_spec(write_spec(_flaky_spec(crash, seeds=1, timeout=0.2)))
    summary = run_sweep(spec, tmp_path / "out", executor=LocalExecutor(1, kill_grace_s=0.2))
    (manifest,) = ResultStore(tmp_path / "out").manifests().values()
    assert summary.timeout == 1
    assert manifest["status"] == "timeout" and "was killed" in manifest["error"]


def test_second_sweep_on_a_busy_folder_is_refused(write_spec, tmp_path: Path) -> None:
    path = write_spec(small_spec())
    (tmp_path / "out").mkdir()
    with (
        _FolderLock(tmp_path / "out"),
        pytest.raises(ConfigError, match="another sweep is running"),
    ):
        run_sweep(path, tmp_path / "out", jobs=1)


def test_commit_never_replaces_a_completed_run(write_spec, tmp_path: Path) -> None:
    path = write_spec(small_spec(seeds=1, envs=["archgym/Analytic-v0"], agents=["random"]))
    run_sweep(path, tmp_path / "out", jobs=1)
    store = ResultStore(tmp_path / "out")
    (run_id,) = store.manifests()
    staging = store.staging_dir(run_id)
    (staging / "manifest.json").write_text(json.dumps({"status": "completed", "attempt": "x"}))
    assert store.commit(staging, run_id) is False
    assert store.read_manifest(run_id)["attempt"] != "x"
    assert not staging.exists()


def test_loading_an_unknown_run_names_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no finished run 'ga-0123'"):
        ResultStore(tmp_path).load_trajectories(["ga-0123"])
