from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archgym.cli import main
from archgym.data import load_trajectories

CONSOLE_SCRIPT = Path(sys.executable).parent / "archgym"


def run_script(*args: str) -> subprocess.CompletedProcess:
    assert CONSOLE_SCRIPT.exists(), "the archgym console script is not installed"
    return subprocess.run([str(CONSOLE_SCRIPT), *args], capture_output=True, text=True)


def test_envs_lists_every_env_with_size_and_metrics():
    out = run_script("envs")
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("archgym/Analytic-v0"))
    assert "cost, area" in line and "continuous" in line


def test_describe_shows_knobs_values_and_units(capsys):
    assert main(["describe", "archgym/Analytic-v0"]) == 0
    out = capsys.readouterr().out
    assert "one of 1, 2, 4, 8, 16, 32, 64, 128" in out and "bit" in out
    assert "x + y <= 15" in out


def test_run_records_and_prints_best_design(tmp_path):
    out = run_script(
        "run",
        "archgym/Analytic-v0",
        "--budget",
        "40",
        "--seed",
        "2",
        "--out",
        str(tmp_path),
        "--no-progress",
    )
    assert out.returncode == 0, out.stderr
    assert "best design" in out.stdout and "40 evaluations" in out.stdout
    data = load_trajectories(tmp_path)
    assert len(data) == 40 and (data["seed"] == 2).all()
    best = data.loc[data["reward"].idxmax()]
    assert f"{best['cost']:.6g}" in out.stdout
    assert list(tmp_path.glob("*-convergence.png"))


def test_unknown_env_prints_one_line_and_lists_known_envs():
    out = run_script("run", "archgym/NoSuchEnv-v0")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "'archgym/NoSuchEnv-v0'" in out.stderr and "archgym/Analytic-v0" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "archgym/Analytic-v0", "--budget", "0"], "--budget"),
        (["run", "archgym/Analytic-v0", "--set", "oops"], "expected key=value"),
        (["describe", "archgym/Analytic-v0", "--env-arg", "workload=nope"], "'nope'"),
        (
            ["describe", "archgym/Analytic-v0", "--env-arg", "z_levels=2001-13-45"],
            "option 'z_levels' must be an integer, got '2001-13-45'",
        ),
        (["describe", "archgym/Analytic-v0", "--env-arg", "z_level=3"], "unknown option"),
    ],
)
def test_bad_input_is_one_clear_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("archgym: error:")


def test_debug_shows_the_traceback():
    with pytest.raises(Exception, match="NoSuchEnv"):
        main(["--debug", "run", "archgym/NoSuchEnv-v0"])
