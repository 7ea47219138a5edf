"""The SLURM/PBS example config builds valid batch scripts (no batch system needed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sweeps" / "cluster_sweep.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("cluster_sweep_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        (
            "slurm",
            ["#SBATCH -J archgym-worker", "#SBATCH --cpus-per-task=8", "#SBATCH -t 02:00:00"],
        ),
        ("pbs", ["#PBS -N archgym-worker", "#PBS -l select=1:ncpus=8:mem=16GB"]),
    ],
)
def test_jobqueue_example_config_makes_a_job_script(system: str, expected: list[str]) -> None:
    pytest.importorskip("dask_jobqueue")
    module = _load_example()
    cluster = module.make_cluster(system, scheduler_options={"dashboard_address": ":0"})
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in expected:
        assert line in script
    # One single-threaded worker per core: one archgym run per core at a time.
    assert "--nthreads 1" in script and "--nworkers 8" in script
    assert "source ~/archgym/.venv/bin/activate" in script


def test_jobqueue_example_runs_a_sweep_with_local_jobs(write_spec, tmp_path: Path) -> None:
    # The same path as on SLURM (job script, workers connecting back), with the batch
    # "jobs" started as local processes by dask-jobqueue.
    pytest.importorskip("dask_jobqueue")
    from distributed import Client

    from archgym.experiments import DaskExecutor, ResultStore, run_sweep
    from tests.experiments.specs import small_spec

    module = _load_example()
    cluster = module.make_cluster("local", scheduler_options={"dashboard_address": ":0"})
    try:
        cluster.scale(jobs=1)
        with Client(cluster) as client:
            summary = run_sweep(
                write_spec(small_spec()), tmp_path / "out", executor=DaskExecutor(client=client)
            )
    finally:
        cluster.close()
    assert summary.completed == 8
    assert set(ResultStore(tmp_path / "out").statuses().values()) == {"completed"}
