"""``archgym agents``: the table of agents, hyperparameters and defaults."""

from __future__ import annotations

from archgym.agents import list_agents
from archgym.cli import main


def test_agents_lists_every_agent_and_hyperparameter(capsys) -> None:
    assert main(["agents"]) == 0
    out = capsys.readouterr().out
    for info in list_agents():
        assert f"\n{info.name} " in out
        for name in info.defaults:
            assert f" {name} " in out
    assert "ant_count                16" in out


def test_agents_name_shows_archgym_counterparts(capsys) -> None:
    assert main(["agents", "aco"]) == 0
    out = capsys.readouterr().out
    assert "ant_count (16)" in out and "greediness (0.5)" in out


def test_unknown_agent_is_an_error(capsys) -> None:
    assert main(["agents", "simulated-annealing"]) == 2
    assert "unknown agent 'simulated-annealing'" in capsys.readouterr().err
