"""A sweep killed part-way resumes: every run completes exactly once, no file is corrupt."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from archgym.cli import main
from archgym.experiments import ResultStore, expand_runs, load_spec
from tests.experiments.specs import small_spec

REPO = Path(__file__).resolve().parents[2]
BUDGET = 1000  # about 0.1-0.5 s per run: the kill lands while runs are in progress


def _sweep_args(spec: Path, out: Path) -> list[str]:
    return ["sweep", str(spec), "--out", str(out), "--jobs", "2"]


@pytest.mark.parametrize("kill", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killed_sweep_resumes_and_completes_each_run_once(
    write_spec, tmp_path: Path, kill: signal.Signals, capsys
) -> None:
    spec_path = write_spec(
        small_spec(
            budget=BUDGET,
            seeds=4,
            envs=["archgym/Analytic-v0"],
            agents=[{"name": "random", "grid": {"mode": ["uniform", "walk"]}}],
        )
    )
    runs = expand_runs(load_spec(spec_path))
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "archgym.cli", *_sweep_args(spec_path, out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    # Wait (by reading progress lines, no polling) until 3 runs have finished, then kill.
    lines = [process.stdout.readline() for _ in range(3)]
    process.send_signal(kill)
    process.wait(timeout=60)
    process.stdout.close()
    assert all("completed" in line for line in lines), lines
    assert process.returncode != 0

    store = ResultStore(out)
    first = {k: m for k, m in store.manifests().items() if m["status"] == "completed"}
    assert 3 <= len(first) < len(runs), "the kill must land part-way through the sweep"

    # Rerun the same command (in this process: the fork server is already warm).
    assert main(_sweep_args(spec_path, out)) == 0
    stdout = capsys.readouterr().out
    # The rerun skips exactly the runs finished before it (those seen after the kill, plus
    # at most a run that a dying worker committed a moment later) and runs the others once.
    skipped = int(re.search(r"(\d+) already finished", stdout).group(1))
    assert len(first) <= skipped < len(runs)
    assert stdout.count("] completed") == len(runs) - skipped

    manifests = store.manifests()
    assert set(manifests) == {r.run_id for r in runs}
    assert {m["status"] for m in manifests.values()} == {"completed"}
    # Runs finished before the kill were not run again.
    for run_id, manifest in first.items():
        assert manifests[run_id]["attempt"] == manifest["attempt"]
    # No corrupt or partial file anywhere: every manifest and Parquet file reads back whole.
    for path in out.rglob("*.json"):
        json.loads(path.read_text())
    for run in runs:
        files = store.trajectory_files(run.run_id)
        assert len(files) == 1
        steps = pd.read_parquet(files[0])["step"].tolist()
        assert steps == list(range(BUDGET))
    data = pd.read_parquet(out / "results.parquet")
    assert len(data) == len(runs) * BUDGET
    assert not data.duplicated(["run_id", "step"]).any()
    assert not list((out / ".staging").iterdir())
