"""Report tables on hand-made results, and the report files of a real sweep."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from archgym.errors import DatasetError
from archgym.experiments import run_sweep, write_report
from archgym.experiments.analysis import (
    best_so_far,
    lottery_table,
    pareto_fronts,
    run_outcomes,
    setting_outcomes,
)
from tests.experiments.specs import small_spec


def _run(run_id: str, agent: str, setting: str, seed: int, rewards: list[float], **extra):
    """Rows of one run; target met where the reward is 0."""
    return pd.DataFrame(
        {
            "run_id": run_id,
            "env_id": "archgym/Analytic-v0",
            "workload": "default",
            "objective": "default",
            "agent": agent,
            "setting": setting,
            "hyperparameters": setting,
            "seed": seed,
            "step": range(len(rewards)),
            "reward": rewards,
            "target_met": [r == 0 for r in rewards],
            **extra,
        }
    )


@pytest.fixture
def results() -> pd.DataFrame:
    return pd.concat(
        [
            _run("a1", "ga", "p=4", 0, [-3.0, -1.0, -2.0, 0.0]),
            _run("a2", "ga", "p=4", 1, [-2.0, -2.0, -1.0, -1.0]),
            _run("a3", "ga", "p=8", 0, [-5.0, -4.0, -4.0, -3.0]),
            _run("a4", "ga", "p=8", 1, [-6.0, -5.0, -5.0, -5.0]),
            _run("b1", "random", "defaults", 0, [-1.0, 0.0]),  # stopped on target
            _run("b2", "random", "defaults", 1, [-4.0, -4.0, -2.0, -2.0]),
        ],
        ignore_index=True,
    )


def test_best_so_far_is_the_running_maximum_padded_to_the_longest_run(results) -> None:
    curves = best_so_far(results).set_index(["run_id", "evaluations"])["best"]
    assert curves.loc["a1"].tolist() == [-3.0, -1.0, -1.0, 0.0]
    assert curves.loc["a2"].tolist() == [-2.0, -2.0, -1.0, -1.0]
    assert curves.loc["b1"].tolist() == [-1.0, 0.0, 0.0, 0.0]


def test_run_outcomes_count_evaluations_to_target(results) -> None:
    runs = run_outcomes(results).set_index("run_id")
    assert runs.loc["a1", "evaluations_to_target"] == 4
    assert runs.loc["b1", "evaluations_to_target"] == 2
    assert np.isnan(runs.loc["a2", "evaluations_to_target"])
    assert runs["final_best"].to_dict() == {
        "a1": 0.0,
        "a2": -1.0,
        "a3": -3.0,
        "a4": -5.0,
        "b1": 0.0,
        "b2": -2.0,
    }
    assert runs.loc["b1", "evaluations"] == 2
    # A run that missed counts as its budget (here its length: the frame has no budget).
    assert runs.loc["a2", "evaluations_to_target_or_budget"] == 4
    assert runs.loc["b1", "evaluations_to_target_or_budget"] == 2


def test_lottery_spread_is_best_minus_worst_setting_median(results) -> None:
    settings = setting_outcomes(run_outcomes(results)).set_index("setting")
    assert settings.loc["p=4", "median"] == -0.5  # median of 0 and -1
    assert settings.loc["p=8", "median"] == -4.0
    assert settings.loc["p=4", "met"] == 0.5
    lottery = lottery_table(run_outcomes(results)).set_index("agent")
    ga = lottery.loc["ga"]
    assert (ga["settings"], ga["runs"], ga["best_setting"]) == (2, 4, "p=4")
    assert (ga["best"], ga["worst"], ga["spread"]) == (-0.5, -4.0, 3.5)
    assert ga["met_any"] == 0.25 and ga["met_best"] == 0.5
    assert ga["median_evaluations_to_target"] == 4
    assert lottery.loc["random", "spread"] == 0.0
    # random: seeds need 2 and (missed) 4 evaluations -> median 3.
    assert lottery.loc["random", "fastest_setting_evaluations"] == 3.0
    assert (ga["fastest_setting_evaluations"], ga["slowest_setting_evaluations"]) == (4.0, 4.0)


def test_pareto_front_orients_metrics_by_direction() -> None:
    metrics = json.dumps([["cost", "min"], ["area", "min"]])
    cost = [1.0, 2.0, 3.0, 2.5, 1.5]
    area = [3.0, 1.0, 0.5, 2.0, 3.5]
    data = _run(
        "m1",
        "random",
        "defaults",
        0,
        [-1.0] * 5,
        cost=cost,
        area=area,
        objective_kind="MultiObjective",
        objective_metrics=metrics,
        valid=True,
    )
    front = pareto_fronts(data)
    # (2.5, 2.0) is dominated by (2, 1); (1.5, 3.5) by (1, 3).
    assert list(zip(front["x"], front["y"], strict=True)) == [(1.0, 3.0), (2.0, 1.0), (3.0, 0.5)]
    assert pareto_fronts(data.assign(objective_kind="TargetObjective")).empty


def test_missing_columns_are_named(results) -> None:
    with pytest.raises(DatasetError, match="reward"):
        run_outcomes(results.drop(columns="reward"))


def test_report_of_a_sweep_writes_figures_and_summary(write_spec, tmp_path: Path) -> None:
    spec = small_spec(
        budget=15,
        envs=[{"id": "archgym/Analytic-v0", "objectives": ["target", "multi"]}],
        agents=[{"name": "random", "grid": {"mode": ["uniform", "walk"]}}],
    )
    run_sweep(write_spec(spec), tmp_path / "out", jobs=2)
    report = write_report(tmp_path / "out", tmp_path / "report", notes="Hello *notes*.")
    names = {p.name for p in report.figures}
    assert names == {"convergence.png", "evaluations_to_target.png", "lottery.png", "pareto.png"}
    for figure in report.figures:
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = report.markdown.read_text()
    assert text.startswith("# Sweep report: small\n\nHello *notes*.")
    assert (
        "## Analytic-v0 / default / target" in text and "## Analytic-v0 / default / multi" in text
    )
    assert "![" in text and "(lottery.png)" in text
    runs = pd.read_csv(tmp_path / "report" / "runs.csv")
    assert len(runs) == 2 * 2 * 2  # objectives x modes x seeds
    # The report reads results.parquet as well as the folder.
    again = write_report(tmp_path / "out" / "results.parquet", tmp_path / "report2")
    assert again.lottery.equals(report.lottery)


def test_reward_axis_puts_no_decade_label_next_to_zero_and_stops_above_it() -> None:
    from archgym.experiments.report import _reward_scale
    from archgym.plotting import pyplot

    figure, axis = pyplot().subplots()
    # the dram_lottery sweep's random-trace panel: most runs end 4.72e-4 short of the target
    rewards = np.array([0.0, *[-4.72e-4] * 10, -1e-2, -0.5, -7.6])
    axis.plot(rewards)
    axis.plot([0.0, 1.0], [0.05, 0.05])  # what a violin's smoothing tail draws above 0
    _reward_scale(axis, rewards)
    assert axis.get_yscale() == "symlog"
    # the linear band around 0 ends at a decade: no -1e-4 label squeezed next to "0"
    assert axis.yaxis.get_transform().linthresh == pytest.approx(1e-4)
    assert axis.get_ylim()[1] == pytest.approx(3e-5)
    assert axis.get_ylim()[0] < -7.6
    pyplot().close(figure)


def test_reward_axis_stays_linear_over_a_narrow_range() -> None:
    from archgym.experiments.report import _reward_scale
    from archgym.plotting import pyplot

    figure, axis = pyplot().subplots()
    rewards = np.array([0.0, -0.2, -0.7])
    axis.plot(rewards)
    _reward_scale(axis, rewards)
    assert axis.get_yscale() == "linear"
    pyplot().close(figure)
