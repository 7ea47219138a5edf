"""Agent registry and hyperparameter validation: bad input names the agent and the parameter."""

from __future__ import annotations

import pytest

from archgym.agents import AgentInfo, list_agents, make_agent
from archgym.errors import ConfigError
from archgym.simulators.analytic import analytic_space

ALL_AGENTS = (
    "random",
    "ga",
    "aco",
    "bo",
    "tpe",
    "optuna_gp",
    "cmaes",
    "qmc",
    "nsga2",
    "ppo",
    "a2c",
    "dqn",
)


def test_list_agents_names_every_agent_with_its_defaults() -> None:
    infos = list_agents()
    assert [info.name for info in infos] == list(ALL_AGENTS)
    by_name = {info.name: info for info in infos}
    assert isinstance(by_name["ga"], AgentInfo)
    # ArchGym's GA defaults (sims/DRAM/train_ga_DRAMSys.py): 32 agents, mutation 0.1.
    assert by_name["ga"].defaults["num_agents"] == 32
    assert by_name["ga"].defaults["prob_mut"] == 0.1
    # ArchGym's ACO defaults (sims/DRAM/train_aco_DRAMSys.py).
    assert by_name["aco"].defaults["ant_count"] == 16
    assert by_name["aco"].defaults["greediness"] == 0.5
    for info in infos:
        assert info.defaults == {s.name: s.default for s in info.hyperparameters}


def test_hyperparameters_merge_defaults_and_overrides() -> None:
    agent = make_agent("ga", analytic_space(), seed=3, num_agents=10, prob_mut=0.25)
    assert agent.hyperparameters["num_agents"] == 10
    assert agent.hyperparameters["prob_mut"] == 0.25
    assert agent.hyperparameters["elitism"] == 2
    assert agent.seed == 3


def test_unknown_agent_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown agent 'annealing'.*ga"):
        make_agent("annealing", analytic_space())


@pytest.mark.parametrize("name", ALL_AGENTS)
def test_unknown_hyperparameter_names_agent_and_parameter(name: str) -> None:
    with pytest.raises(ConfigError, match=rf"agent '{name}': unknown hyperparameter 'populaton'"):
        make_agent(name, analytic_space(), populaton=3)


@pytest.mark.parametrize(
    ("name", "parameter", "value"),
    [
        ("ga", "num_agents", -3),
        ("ga", "num_agents", True),
        ("ga", "prob_mut", 1.5),
        ("ga", "tournament_size", 0),
        ("aco", "ant_count", 0),
        ("aco", "evaporation", -0.1),
        ("bo", "n_initial_points", -1),
        ("bo", "acq_func", "UCB"),
        ("bo", "base_estimator", "SVM"),
        ("tpe", "n_startup_trials", 2.5),
        ("nsga2", "population_size", -5),
        ("random", "mode", "spiral"),
        ("ppo", "n_steps", 0),
        ("ppo", "formulation", "episodic"),
        ("ppo", "net_arch", (32, -1)),
        ("dqn", "buffer_size", -10),
    ],
)
def test_bad_value_names_agent_and_parameter(name: str, parameter: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"agent '{name}': hyperparameter '{parameter}' must be"):
        make_agent(name, analytic_space(), **{parameter: value})


def test_elitism_must_leave_room_for_children() -> None:
    with pytest.raises(ConfigError, match=r"'ga'.*'elitism'"):
        make_agent("ga", analytic_space(), num_agents=4, elitism=4)


def test_seed_must_be_an_integer() -> None:
    with pytest.raises(ConfigError, match=r"'random': seed"):
        make_agent("random", analytic_space(), seed="seven")


def test_space_must_be_a_design_space() -> None:
    with pytest.raises(ConfigError, match=r"'ga': space must be an archgym DesignSpace"):
        make_agent("ga", {"x": [1, 2]})
