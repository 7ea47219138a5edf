"""The agent examples (one per agent family, on archgym/DRAM-v0) run with a tiny budget."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted(
    p
    for p in (Path(__file__).resolve().parents[2] / "examples" / "agents").glob("*.py")
    if not p.name.startswith("_")
)


def test_there_is_one_example_per_agent_family() -> None:
    names = {p.stem for p in EXAMPLES}
    assert names == {
        "random_walk_dram",
        "genetic_dram",
        "ant_colony_dram",
        "bayesian_dram",
        "optuna_dram",
        "rl_dram",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path: Path, monkeypatch, capsys) -> None:
    # In-process (as `python examples/agents/<file>.py --budget 12 --seed 1` would run it),
    # so the heavy imports are shared between the examples.
    monkeypatch.syspath_prepend(str(path.parent))
    monkeypatch.setattr(sys, "argv", [str(path), "--budget", "12", "--seed", "1"])
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert "evaluations" in out
    assert "best reward" in out or "Pareto-optimal" in out
