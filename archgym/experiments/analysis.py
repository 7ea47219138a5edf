"""Tables computed from sweep results: curves, per-run outcomes, the hyperparameter lottery.

All functions take the frame of :func:`archgym.experiments.load_results` (one row per
evaluation). A *problem* is one (env_id, workload, objective); a *setting* is one agent
with one set of hyperparameters; a *run* is one setting on one problem with one seed.
Rewards are maximised everywhere (archgym's convention), so "best" means highest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from archgym.agents.base import pareto_mask
from archgym.errors import DatasetError

PROBLEM = ["env_id", "workload", "objective"]

_REQUIRED = {"run_id", "env_id", "workload", "agent", "seed", "step", "reward", "target_met"}


def check_results(data: pd.DataFrame) -> pd.DataFrame:
    """Fill optional columns of older or hand-made frames; raise DatasetError if unusable."""
    missing = sorted(_REQUIRED - set(data.columns))
    if missing:
        raise DatasetError(f"sweep results lack the column(s): {', '.join(missing)}")
    if data.empty:
        raise DatasetError("sweep results are empty")
    data = data.copy()
    hparams = data["agent_hparams"].astype(str) if "agent_hparams" in data else "{}"
    defaults = {
        "objective": "default",
        "objective_kind": "",
        "objective_metrics": "[]",
        "setting": data["agent"].astype(str) + " " + hparams,
        "hyperparameters": hparams,
    }
    for column, value in defaults.items():
        if column not in data.columns:
            data[column] = value
    return data


def select(
    frame: pd.DataFrame, key: tuple, columns: Sequence[str] = tuple(PROBLEM)
) -> pd.DataFrame:
    """The rows of ``frame`` whose ``columns`` equal ``key`` (by default: one problem)."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in zip(columns, key, strict=True):
        mask &= (frame[column] == value).to_numpy()
    return frame[mask]


def problem_label(key: tuple) -> str:
    """``DRAM-v0 / stream / target: ...`` for a (env_id, workload, objective) key."""
    env_id, workload, objective = key
    label = f"{str(env_id).split('/')[-1]} / {workload}"
    return label if objective == "default" else f"{label} / {objective}"


def best_so_far(data: pd.DataFrame) -> pd.DataFrame:
    """Best reward after each evaluation, per run.

    Columns: the problem columns, agent, setting, seed, run_id, ``evaluations`` (1-based)
    and ``best``. A run that stopped early (on target) is carried at its last value up to
    the longest run of its problem, so that curves over seeds align.
    """
    data = check_results(data).sort_values(["run_id", "step"])
    data = data.assign(best=data.groupby("run_id")["reward"].cummax())
    frames = []
    for _, problem in data.groupby(PROBLEM, sort=False):
        length = int(problem.groupby("run_id").size().max())
        for run_id, run in problem.groupby("run_id", sort=False):
            best = run["best"].to_numpy(dtype=float)
            padded = np.concatenate([best, np.full(length - len(best), best[-1])])
            first = run.iloc[0]
            frames.append(
                pd.DataFrame(
                    {
                        **{c: first[c] for c in [*PROBLEM, "agent", "setting", "seed"]},
                        "run_id": run_id,
                        "evaluations": np.arange(1, length + 1),
                        "best": padded,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def run_outcomes(data: pd.DataFrame) -> pd.DataFrame:
    """One row per run: problem, agent, setting, hyperparameters, seed, ``evaluations``,
    ``budget``, ``final_best`` (best reward of the run), ``target_met``,
    ``evaluations_to_target`` (1-based index of the first evaluation meeting the target;
    NaN when never met) and ``evaluations_to_target_or_budget`` (the budget when never
    met: a censored value, so that runs that missed count as the slowest)."""
    data = check_results(data).sort_values(["run_id", "step"])
    rows = []
    for run_id, run in data.groupby("run_id", sort=False):
        first = run.iloc[0]
        hits = np.flatnonzero(run["target_met"].to_numpy(dtype=bool))
        budget = first["budget"] if "budget" in run and pd.notna(first["budget"]) else len(run)
        rows.append(
            {
                **{c: first[c] for c in [*PROBLEM, "agent", "setting", "hyperparameters", "seed"]},
                "run_id": run_id,
                "evaluations": len(run),
                "final_best": float(run["reward"].max()),
                "target_met": bool(hits.size),
                "budget": int(budget),
                "evaluations_to_target": float(hits[0] + 1) if hits.size else np.nan,
                "evaluations_to_target_or_budget": float(hits[0] + 1 if hits.size else budget),
            }
        )
    return pd.DataFrame(rows)


def setting_outcomes(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (problem, setting) over its seeds: ``median``, ``q25``, ``q75`` of
    ``final_best``, ``seeds``, ``met`` (fraction of seeds meeting the target),
    ``median_evaluations_to_target`` (over the seeds that met it) and
    ``median_evaluations_to_target_or_budget`` (over all seeds, misses counted as the
    budget)."""
    keys = [*PROBLEM, "agent", "setting", "hyperparameters"]
    grouped = runs.groupby(keys, sort=False)
    out = grouped["final_best"].agg(
        median="median",
        q25=lambda s: s.quantile(0.25),
        q75=lambda s: s.quantile(0.75),
        seeds="size",
    )
    out["met"] = grouped["target_met"].mean()
    out["median_evaluations_to_target"] = grouped["evaluations_to_target"].median()
    out["median_evaluations_to_target_or_budget"] = grouped[
        "evaluations_to_target_or_budget"
    ].median()
    out["budget"] = grouped["budget"].max()
    return out.reset_index()


def rank_settings(settings: pd.DataFrame) -> pd.DataFrame:
    """Settings best first: highest median final reward, then most seeds meeting the
    target, then fewest evaluations to it (misses counted as the budget)."""
    return settings.sort_values(
        ["median", "met", "median_evaluations_to_target_or_budget"],
        ascending=[False, False, True],
        kind="stable",
    )


def lottery_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The hyperparameter lottery, one row per (problem, agent).

    ``settings``: hyperparameter settings tried; ``runs``; ``best_setting`` (label of the
    first setting by :func:`rank_settings`), ``best`` / ``median`` /
    ``worst``: best, median and worst of the settings' medians; ``spread`` = best - worst;
    ``met_any``: fraction of all runs that met the target; ``met_best``: fraction of the
    best setting's seeds that did; ``median_evaluations_to_target`` over all runs that met it;
    ``fastest_setting_evaluations`` / ``slowest_setting_evaluations``: lowest and highest over
    the settings of their median evaluations to target (misses counted as the budget).
    """
    settings = setting_outcomes(runs)
    rows = []
    for key, group in settings.groupby([*PROBLEM, "agent"], sort=False):
        ordered = rank_settings(group)
        top = ordered.iloc[0]
        agent_runs = select(runs, key, [*PROBLEM, "agent"])
        rows.append(
            {
                **dict(zip([*PROBLEM, "agent"], key, strict=True)),
                "settings": len(group),
                "runs": len(agent_runs),
                "best_setting": top["hyperparameters"],
                "best": float(top["median"]),
                "median": float(group["median"].median()),
                "worst": float(group["median"].min()),
                "spread": float(top["median"] - group["median"].min()),
                "met_any": float(agent_runs["target_met"].mean()),
                "met_best": float(top["met"]),
                "median_evaluations_to_target": float(agent_runs["evaluations_to_target"].median()),
                "fastest_setting_evaluations": float(
                    group["median_evaluations_to_target_or_budget"].min()
                ),
                "slowest_setting_evaluations": float(
                    group["median_evaluations_to_target_or_budget"].max()
                ),
            }
        )
    return pd.DataFrame(rows)


def pareto_fronts(data: pd.DataFrame) -> pd.DataFrame:
    """Non-dominated evaluations per (problem, agent), pooled over that agent's runs.

    Only runs whose objective is multi-objective (``objective_kind == "MultiObjective"``)
    are used; each metric is oriented by its direction before comparing. Columns: the
    problem, agent, ``metric_x``, ``metric_y`` (names of the first two objective metrics),
    ``x``, ``y`` (raw values). Empty when there is no multi-objective run.
    """
    data = check_results(data)
    multi = data[(data["objective_kind"] == "MultiObjective") & data.get("valid", True)]
    frames = []
    for key, group in multi.groupby([*PROBLEM, "agent"], sort=False):
        metrics = [tuple(m) for m in json.loads(group["objective_metrics"].iloc[0])]
        if len(metrics) < 2 or not all(name in group.columns for name, _ in metrics):
            continue
        values = group[[name for name, _ in metrics]].to_numpy(dtype=float)
        signs = np.array([1.0 if direction == "max" else -1.0 for _, direction in metrics])
        mask = pareto_mask(values * signs)
        front = group.loc[mask, [metrics[0][0], metrics[1][0]]].drop_duplicates()
        front = front.sort_values(metrics[0][0])
        frames.append(
            pd.DataFrame(
                {
                    **dict(zip([*PROBLEM, "agent"], key, strict=True)),
                    "metric_x": metrics[0][0],
                    "metric_y": metrics[1][0],
                    "x": front[metrics[0][0]].to_numpy(),
                    "y": front[metrics[1][0]].to_numpy(),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=[*PROBLEM, "agent", "metric_x", "metric_y", "x", "y"])
    return pd.concat(frames, ignore_index=True)
