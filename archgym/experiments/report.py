"""``write_report``: the figures and Markdown summary of a sweep.

Figures (PNG, one panel per problem = env / workload / objective):

- ``convergence.png``: best reward so far against evaluations for each agent. Solid line
  and band: median and inter-quartile range over seeds of the agent's best
  hyperparameter setting (see ``analysis.rank_settings``); dotted line: median over all
  of the agent's runs (every setting and seed), i.e. what an untuned choice gives.
- ``evaluations_to_target.png``: evaluations until the target was first met, over the
  runs that met it, with the count of such runs per agent.
- ``lottery.png``: the hyperparameter lottery: for each agent the distribution over
  its hyperparameter settings of the final best reward (median over seeds).
- ``lottery_evaluations.png`` (only when some run met its target): the same for the
  evaluations needed to meet the target, a run that missed counting as its budget.
- ``pareto.png`` (only when some runs have a multi-objective objective): each agent's
  non-dominated designs over its runs, in the first two objective metrics.

``report.md`` holds a summary table per problem and links the figures; ``runs.csv`` and
``settings.csv`` hold the per-run and per-setting numbers behind them.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archgym.experiments import analysis
from archgym.experiments.analysis import PROBLEM, problem_label, select
from archgym.plotting import pyplot, save_figure

logger = logging.getLogger(__name__)


@dataclass
class Report:
    """Paths written by :func:`write_report` and the tables behind them."""

    markdown: Path
    figures: list[Path] = field(default_factory=list)
    lottery: pd.DataFrame | None = None


def write_report(
    results: str | os.PathLike[str] | pd.DataFrame,
    out: str | os.PathLike[str],
    *,
    title: str | None = None,
    notes: str = "",
) -> Report:
    """Write the figures, CSV tables and ``report.md`` of a sweep into ``out``.

    ``results`` is a sweep folder, a ``results.parquet`` file or the frame of
    :func:`archgym.experiments.load_results`. ``notes`` (Markdown) is inserted after the
    title. Raises DatasetError when the results are missing or unusable.
    """
    from archgym.experiments.store import load_results

    data = results if isinstance(results, pd.DataFrame) else load_results(results)
    data = analysis.check_results(data)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    curves = analysis.best_so_far(data)
    runs = analysis.run_outcomes(data)
    settings = analysis.setting_outcomes(runs)
    lottery = analysis.lottery_table(runs)
    fronts = analysis.pareto_fronts(data)
    agents = sorted(runs["agent"].unique())
    colours = _colours(agents)
    problems = sorted(runs.groupby(PROBLEM).groups, key=lambda key: tuple(map(str, key)))

    figures = [
        _convergence(curves, settings, problems, agents, colours, out / "convergence.png"),
        _to_target(runs, problems, agents, colours, out / "evaluations_to_target.png"),
        _lottery(settings, problems, agents, colours, out / "lottery.png"),
    ]
    if runs["target_met"].any():
        figures.append(
            _lottery(
                settings,
                problems,
                agents,
                colours,
                out / "lottery_evaluations.png",
                column="median_evaluations_to_target_or_budget",
            )
        )
    if not fronts.empty:
        figures.append(_pareto(fronts, agents, colours, out / "pareto.png"))
    runs.to_csv(out / "runs.csv", index=False)
    settings.to_csv(out / "settings.csv", index=False)
    name = title or str(data["sweep"].iloc[0] if "sweep" in data else "sweep")
    markdown = out / "report.md"
    markdown.write_text(_markdown(name, notes, data, runs, lottery, problems, figures, out))
    return Report(markdown, figures, lottery)


# ------------------------------------------------------------------------ figures
def _colours(agents: list[str]) -> dict[str, Any]:
    cmap = pyplot().get_cmap("tab10")
    return {agent: cmap(i % 10) for i, agent in enumerate(agents)}


def _grid(count: int, width: float = 5.0, height: float = 3.6) -> tuple[Any, list[Any]]:
    cols = 1 if count == 1 else 2 if count <= 4 else 3
    rows = math.ceil(count / cols)
    figure, axes = pyplot().subplots(
        rows, cols, figsize=(width * cols, height * rows), squeeze=False, constrained_layout=True
    )
    flat = list(axes.ravel())
    for axis in flat[count:]:
        axis.set_visible(False)
    return figure, flat[:count]


def _convergence(
    curves: pd.DataFrame,
    settings: pd.DataFrame,
    problems: list[tuple],
    agents: list[str],
    colours: dict[str, Any],
    path: Path,
) -> Path:
    figure, axes = _grid(len(problems))
    for axis, key in zip(axes, problems, strict=True):
        problem = select(curves, key)
        best_settings = analysis.rank_settings(select(settings, key))
        for agent in agents:
            own = problem[problem["agent"] == agent]
            if own.empty:
                continue
            top = best_settings[best_settings["agent"] == agent]["setting"].iloc[0]
            tuned = own[own["setting"] == top].groupby("evaluations")["best"]
            x = np.array(sorted(own["evaluations"].unique()))
            median = tuned.median().reindex(x).to_numpy()
            axis.plot(x, median, color=colours[agent], label=agent, linewidth=1.8)
            axis.fill_between(
                x,
                tuned.quantile(0.25).reindex(x).to_numpy(),
                tuned.quantile(0.75).reindex(x).to_numpy(),
                color=colours[agent],
                alpha=0.18,
                linewidth=0,
            )
            pooled = own.groupby("evaluations")["best"].median().reindex(x).to_numpy()
            axis.plot(x, pooled, color=colours[agent], linestyle=":", linewidth=1.2)
        _reward_scale(axis, problem["best"].to_numpy(dtype=float))
        axis.set_title(problem_label(key), fontsize=9)
        axis.set_xlabel("evaluations")
        axis.set_ylabel("best reward so far")
        axis.grid(alpha=0.3)
    axes[0].legend(
        fontsize=8, title="best setting (median, IQR)\ndotted: all settings", title_fontsize=7
    )
    return save_figure(figure, path, dpi=110)


def _reward_scale(axis: Any, values: np.ndarray) -> None:
    """Symmetric-log y axis when rewards span several decades (distances to a target).

    Call it after plotting. The linear band is a power of ten wide, so its edge is a
    labelled decade and no decade label lands inside the band next to the label "0". When
    no reward is positive the axis stops just above 0 (the best a target objective gives):
    what autoscaling would add there is a violin's smoothing tail, not data.
    """
    finite = values[np.isfinite(values)]
    magnitudes = np.abs(finite[finite != 0])
    if not magnitudes.size or magnitudes.max() / max(magnitudes.min(), 1e-300) <= 100:
        return
    band = max(float(np.quantile(magnitudes, 0.05)), 1e-6)
    linthresh = 10.0 ** math.floor(math.log10(band))
    axis.set_yscale("symlog", linthresh=linthresh)
    if finite.max() <= 0:
        axis.set_ylim(top=0.3 * linthresh)


def _to_target(
    runs: pd.DataFrame,
    problems: list[tuple],
    agents: list[str],
    colours: dict[str, Any],
    path: Path,
) -> Path:
    figure, axes = _grid(len(problems))
    for axis, key in zip(axes, problems, strict=True):
        problem = select(runs, key)
        budget = problem["budget"].max()
        labels = []
        for position, agent in enumerate(agents, start=1):
            own = problem[problem["agent"] == agent]
            hits = own["evaluations_to_target"].dropna().to_numpy()
            labels.append(f"{agent}\n{hits.size}/{len(own)} met")
            if own.empty:
                continue
            if hits.size:
                box = axis.boxplot(
                    hits, positions=[position], widths=0.6, patch_artist=True, showfliers=False
                )
                box["boxes"][0].set_facecolor(colours[agent])
                box["boxes"][0].set_alpha(0.5)
                jitter = np.random.default_rng(position).uniform(-0.15, 0.15, hits.size)
                axis.scatter(position + jitter, hits, s=8, color=colours[agent], zorder=3)
        axis.set_xticks(range(1, len(agents) + 1), labels, fontsize=8)
        axis.set_ylim(0, budget * 1.05)
        axis.set_title(problem_label(key), fontsize=9)
        axis.set_ylabel("evaluations to target")
        axis.grid(alpha=0.3, axis="y")
    return save_figure(figure, path, dpi=110)


def _lottery(
    settings: pd.DataFrame,
    problems: list[tuple],
    agents: list[str],
    colours: dict[str, Any],
    path: Path,
    column: str = "median",
) -> Path:
    evaluations = column != "median"
    figure, axes = _grid(len(problems))
    for axis, key in zip(axes, problems, strict=True):
        problem = select(settings, key)
        for position, agent in enumerate(agents, start=1):
            values = problem[problem["agent"] == agent][column].to_numpy(dtype=float)
            if not values.size:
                continue
            if values.size >= 3:
                parts = axis.violinplot(values, positions=[position], widths=0.8, showextrema=False)
                for body in parts["bodies"]:
                    body.set_facecolor(colours[agent])
                    body.set_alpha(0.3)
            axis.boxplot(values, positions=[position], widths=0.3, showfliers=False)
            jitter = np.random.default_rng(position).uniform(-0.12, 0.12, values.size)
            axis.scatter(position + jitter, values, s=10, color=colours[agent], zorder=3)
        axis.set_xticks(range(1, len(agents) + 1), agents, fontsize=8)
        axis.set_title(problem_label(key), fontsize=9)
        axis.grid(alpha=0.3, axis="y")
        if evaluations:
            budget = float(problem["budget"].max())
            axis.axhline(budget, color="grey", linestyle="--", linewidth=1)
            axis.annotate(
                "budget: target missed",
                (0.01, budget),
                xycoords=("axes fraction", "data"),
                va="bottom",
                fontsize=7,
                color="grey",
            )
            axis.set_ylim(0, budget * 1.08)
            axis.set_ylabel("evaluations to target\n(median over seeds, one point per setting)")
        else:
            _reward_scale(axis, problem[column].to_numpy(dtype=float))
            axis.set_ylabel("final best reward\n(median over seeds, one point per setting)")
    return save_figure(figure, path, dpi=110)


def _pareto(fronts: pd.DataFrame, agents: list[str], colours: dict[str, Any], path: Path) -> Path:
    problems = list(fronts.groupby(PROBLEM, sort=False).groups)
    figure, axes = _grid(len(problems))
    for axis, key in zip(axes, problems, strict=True):
        problem = select(fronts, key)
        for agent in agents:
            own = problem[problem["agent"] == agent]
            if own.empty:
                continue
            axis.step(
                own["x"],
                own["y"],
                where="post",
                color=colours[agent],
                label=agent,
                marker="o",
                markersize=3,
            )
        axis.set_xlabel(problem["metric_x"].iloc[0])
        axis.set_ylabel(problem["metric_y"].iloc[0])
        axis.set_title(problem_label(key) + ": Pareto fronts", fontsize=9)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    return save_figure(figure, path, dpi=110)


# ------------------------------------------------------------------------ markdown
def _fmt(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value + 0.0:.{digits}g}"  # + 0.0: no "-0"
    return str(value)


def _markdown(
    name: str,
    notes: str,
    data: pd.DataFrame,
    runs: pd.DataFrame,
    lottery: pd.DataFrame,
    problems: list[tuple],
    figures: list[Path],
    out: Path,
) -> str:
    budgets = sorted({int(b) for b in data["budget"].dropna()}) if "budget" in data else []
    lines = [f"# Sweep report: {name}", ""]
    if notes:
        lines += [notes.strip(), ""]
    lines += [
        f"{len(runs)} completed runs: {len(problems)} problem(s) x "
        f"{runs['agent'].nunique()} agent(s) x {runs['setting'].nunique()} hyperparameter "
        f"setting(s) x {runs['seed'].nunique()} seed(s); "
        f"budget {', '.join(map(str, budgets)) or '?'} evaluations per run, "
        f"{len(data)} evaluations in all.",
        "",
        "Rewards are maximised (0 means a target objective is met). *best*, *median* and "
        "*worst* are over the agent's hyperparameter settings, each setting scored by the "
        "median over seeds of its run's best reward; *spread* = best - worst is the "
        "hyperparameter lottery. *met* is the fraction of runs that met the target (all "
        "settings / best setting); *evals to target* is the median over the runs that met it; "
        "*fastest-slowest setting* ranges over the settings' median evaluations to target, "
        "a run that missed counting as its budget.",
        "",
    ]
    headers = [
        "agent",
        "settings",
        "runs",
        "best",
        "median",
        "worst",
        "spread",
        "met (all)",
        "met (best)",
        "evals to target",
        "evals, fastest-slowest setting",
        "best setting",
    ]
    for key in problems:
        lines += [f"## {problem_label(key)}", ""]
        lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        for _, row in select(lottery, key).iterrows():
            cells = [
                row["agent"],
                str(row["settings"]),
                str(row["runs"]),
                _fmt(row["best"]),
                _fmt(row["median"]),
                _fmt(row["worst"]),
                _fmt(row["spread"]),
                f"{row['met_any']:.0%}",
                f"{row['met_best']:.0%}",
                _fmt(row["median_evaluations_to_target"], 3),
                f"{_fmt(row['fastest_setting_evaluations'], 3)}-"
                f"{_fmt(row['slowest_setting_evaluations'], 3)}",
                f"`{row['best_setting']}`",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    captions = {
        "convergence.png": "Best reward so far (best setting: median and IQR over seeds; "
        "dotted: median over all settings and seeds)",
        "evaluations_to_target.png": "Evaluations to reach the target (runs that met it)",
        "lottery.png": "The hyperparameter lottery: final best reward of each setting",
        "lottery_evaluations.png": "The hyperparameter lottery: evaluations each setting "
        "needs to meet the target (median over seeds; misses count as the budget)",
        "pareto.png": "Pareto fronts of the multi-objective runs",
    }
    lines += ["## Figures", ""]
    for figure in figures:
        relative = os.path.relpath(figure, out)
        lines += [f"![{captions.get(figure.name, figure.stem)}]({relative})", ""]
    return "\n".join(lines)
