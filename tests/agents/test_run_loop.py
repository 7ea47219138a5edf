"""The shared run loop: budget accounting, history, early stops, reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from archgym.agents import SearchResult, StepRecord, make_agent, pareto_mask
from archgym.errors import ConfigError

ASK_TELL_AGENTS = ("random", "ga", "aco", "bo", "tpe", "cmaes", "qmc", "nsga2")
#: Small populations so that 25-30 evaluations span several generations.
FAST = {"ga": {"num_agents": 8}, "aco": {"ant_count": 5}, "nsga2": {"population_size": 8}}


@pytest.mark.parametrize("name", ASK_TELL_AGENTS)
def test_simulator_calls_equal_budget_and_no_design_repeats(
    analytic_env, count_calls, name: str
) -> None:
    env = analytic_env()  # cache enabled: a repeated design would not reach the simulator
    calls = count_calls(env)
    agent = make_agent(name, env.unwrapped.design_space, seed=0, **FAST.get(name, {}))
    result = agent.run(env, 30)
    assert result.evaluations == 30
    assert len(calls) == 30
    assert len({tuple(sorted(c.items())) for c in calls}) == 30
    assert not result.history["cache_hit"].any()
    assert result.history["valid"].all()  # agents only propose feasible designs


@pytest.mark.parametrize("name", ASK_TELL_AGENTS)
def test_same_seed_same_history(analytic_env, name: str) -> None:
    space = analytic_env().unwrapped.design_space
    first = make_agent(name, space, seed=11, **FAST.get(name, {}))
    second = make_agent(name, space, seed=11, **FAST.get(name, {}))
    a = first.run(analytic_env(), 25).history
    b = second.run(analytic_env(), 25).history
    pd.testing.assert_frame_equal(a, b)


def test_different_seeds_give_different_histories(analytic_env) -> None:
    space = analytic_env().unwrapped.design_space
    a = make_agent("random", space, seed=1).run(analytic_env(), 20).history
    b = make_agent("random", space, seed=2).run(analytic_env(), 20).history
    assert not a.equals(b)


def test_history_columns_and_best(analytic_env) -> None:
    env = analytic_env()
    result = make_agent("random", env.unwrapped.design_space, seed=5).run(env, 25)
    knobs = list(env.unwrapped.design_space.names)
    expected = ["step", *knobs, "cost", "area", "reward", "target_met", "valid", "cache_hit"]
    assert list(result.history.columns) == expected
    assert result.history["step"].tolist() == list(range(25))
    best_row = result.history.loc[result.history["reward"].idxmax()]
    assert result.best_reward == best_row["reward"]
    assert result.best_design == {k: best_row[k] for k in knobs}
    assert result.best_metrics["cost"] == pytest.approx(best_row["cost"])
    # reward of the analytic target objective is minus the excess of cost over 1e-3
    assert result.best_reward == pytest.approx(-(best_row["cost"] - 1e-3))
    assert result.agent == "random" and result.seed == 5
    assert result.wall_time_s > 0


def test_stop_on_target_stops_at_the_first_hit(small_env, small_optimum) -> None:
    env = small_env()
    result = make_agent("random", env.design_space, seed=0).run(env, 64, stop_on_target=True)
    assert result.target_met
    assert result.evaluations == result.evaluations_to_target() < 64
    assert result.best_design == small_optimum
    assert result.history["target_met"].tolist() == [False] * (result.evaluations - 1) + [True]


def test_callback_returning_false_stops_and_every_callback_sees_every_step(small_env) -> None:
    env = small_env()
    seen_a: list[int] = []
    seen_b: list[StepRecord] = []

    def stop_after_five(record: StepRecord) -> bool:
        seen_a.append(record.step)
        return record.step < 4

    result = make_agent("random", env.design_space, seed=1).run(
        env, 30, callbacks=[stop_after_five, seen_b.append]
    )
    assert result.evaluations == 5
    assert seen_a == [0, 1, 2, 3, 4]
    assert [r.step for r in seen_b] == [0, 1, 2, 3, 4]
    assert seen_b[2].design == {k: result.history.loc[2, k] for k in ("mode", "n", "size")}


def test_run_continues_across_truncated_episodes(small_env) -> None:
    env = small_env(max_steps=7)
    result = make_agent("ga", env.design_space, seed=0, num_agents=8).run(env, 25)
    assert result.evaluations == 25


def test_generation_caps_end_the_run_early(small_env) -> None:
    env = small_env()
    result = make_agent("aco", env.design_space, seed=0, ant_count=5, depth=2).run(env, 50)
    assert result.evaluations == 10  # two colony iterations of five ants
    ga = make_agent("ga", env.design_space, seed=0, num_agents=8, num_iter=2, elitism=2)
    result = ga.run(small_env(), 50)
    # first generation: 8 evaluations; second: 6 children at most (elites are not re-run)
    assert 8 < result.evaluations <= 14
    assert ga.finished


def test_box_action_encoding_is_supported(analytic_env, count_calls) -> None:
    env = analytic_env(action_encoding="box")
    calls = count_calls(env)
    result = make_agent("ga", env.unwrapped.design_space, seed=0).run(env, 30)
    assert len(calls) == 30
    assert result.history["valid"].all()


@pytest.mark.parametrize("budget", [0, -5, 2.5, True])
def test_bad_budget_is_rejected(small_env, budget: object) -> None:
    env = small_env()
    with pytest.raises(ConfigError, match=r"'random': budget must be a positive integer"):
        make_agent("random", env.design_space).run(env, budget)


def test_env_with_other_knobs_is_rejected(small_env, analytic_env) -> None:
    agent = make_agent("ga", small_env().design_space)
    with pytest.raises(ConfigError, match=r"'ga': env knobs .* do not match"):
        agent.run(analytic_env(), 10)


def test_progress_bar_does_not_change_the_result(small_env, capsys) -> None:
    quiet = make_agent("tpe", small_env().design_space, seed=4).run(small_env(), 15)
    shown = make_agent("tpe", small_env().design_space, seed=4).run(small_env(), 15, progress=True)
    pd.testing.assert_frame_equal(quiet.history, shown.history)
    assert "15/15" in capsys.readouterr().err


def test_ask_tell_without_an_env(small_env) -> None:
    env = small_env()
    agent = make_agent("bo", env.design_space, seed=0, n_initial_points=3)
    seen = set()
    for _ in range(8):
        design = agent.ask()
        key = tuple(design.values())
        assert key not in seen
        seen.add(key)
        metrics = env.simulator.evaluate(design, None)
        agent.tell(design, -metrics["cost"], metrics)
    assert agent.n_told == 8


def test_search_result_helpers_on_a_hand_made_history() -> None:
    history = pd.DataFrame(
        {
            "step": [0, 1, 2, 3],
            "reward": [-3.0, -1.0, -2.0, 0.0],
            "target_met": [False, False, False, True],
        }
    )
    result = SearchResult({}, {}, 0.0, history, 4, 0.1)
    assert result.evaluations_to_target() == 4
    assert result.best_so_far().tolist() == [-3.0, -1.0, -1.0, 0.0]
    assert result.target_met
    no_hit = SearchResult({}, {}, 0.0, history.assign(target_met=False), 4, 0.1)
    assert no_hit.evaluations_to_target() is None and not no_hit.target_met


def test_pareto_mask_by_hand() -> None:
    values = np.array([[1.0, 2.0], [2.0, 1.0], [0.0, 0.0], [1.0, 2.0], [0.5, 1.5], [math.nan, 9]])
    # [0,0] and [0.5,1.5] are dominated by [1,2]; duplicates of a front point stay; NaN never.
    assert pareto_mask(values).tolist() == [True, True, False, True, False, False]


@pytest.mark.parametrize("name", ["bo", "tpe"])
def test_warm_start_designs_count_as_seen(small_env, name: str) -> None:
    env = small_env()
    space = env.design_space
    known = space.sample(np.random.default_rng(0), 40)
    unique = {space.key(d): d for d in known}
    designs = list(unique.values())
    rewards = [-env.simulator.evaluate(d, None)["cost"] for d in designs]
    agent = make_agent(name, space, seed=0)
    agent.warm_start(designs, rewards)
    for _ in range(10):
        design = agent.ask()
        assert space.key(design) not in unique
        unique[space.key(design)] = design
        metrics = env.simulator.evaluate(design, None)
        agent.tell(design, -metrics["cost"], metrics)
    with pytest.raises(ConfigError, match="2 designs but 1 rewards"):
        agent.warm_start(designs[:2], rewards[:1])


def test_single_threaded_limits_and_restores_torch_threads() -> None:
    torch = pytest.importorskip("torch")
    from threadpoolctl import threadpool_info

    from archgym.agents.threads import single_threaded

    before = torch.get_num_threads()
    with single_threaded():
        assert torch.get_num_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    assert torch.get_num_threads() == before
