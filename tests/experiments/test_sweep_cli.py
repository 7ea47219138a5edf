"""``archgym sweep`` and ``archgym report`` through the CLI entry point."""

from __future__ import annotations

from pathlib import Path

from archgym.cli import main
from tests.experiments.specs import small_spec


def test_sweep_cli_runs_reports_progress_and_resumes(write_spec, tmp_path: Path, capsys) -> None:
    path = write_spec(small_spec(output="results"))
    assert main(["sweep", str(path), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("] completed ") == 8 and "[8/8]" in out
    assert (tmp_path / "results" / "results.parquet").is_file()
    assert main(["sweep", str(path), "--jobs", "2"]) == 0
    assert "8 already finished, 0 executed" in capsys.readouterr().out


def test_dry_run_lists_runs_and_executes_nothing(write_spec, tmp_path: Path, capsys) -> None:
    path = write_spec(small_spec())
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "8 runs to execute, 0 already finished" in out
    assert out.count("archgym/Analytic-v0") == 8
    assert not (tmp_path / "out").exists()


def test_invalid_spec_exits_2_naming_the_key(write_spec, tmp_path: Path, capsys) -> None:
    path = write_spec(small_spec(agents=[{"name": "random", "grid": {"mode": ["walk", "run"]}}]))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "agents[0].grid.mode" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_scheduler_without_dask_is_refused(write_spec, tmp_path: Path, capsys) -> None:
    path = write_spec(small_spec())
    argv = ["sweep", str(path), "--out", str(tmp_path / "o"), "--scheduler", "tcp://h:1"]
    assert main(argv) == 2
    assert "--executor dask" in capsys.readouterr().err


def test_report_cli_writes_files(write_spec, tmp_path: Path, capsys) -> None:
    path = write_spec(small_spec(seeds=1, envs=["archgym/Analytic-v0"]))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["report", str(tmp_path / "out"), "--out", str(tmp_path / "rep")]) == 0
    printed = capsys.readouterr().out.split()
    assert str(tmp_path / "rep" / "report.md") in printed
    assert (tmp_path / "rep" / "convergence.png").is_file()


def test_report_of_nothing_fails_cleanly(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "missing"), "--out", str(tmp_path / "rep")]) == 2
    assert "no sweep results" in capsys.readouterr().err
