"""Accuracy against training-set size: random sampling versus active learning.

Run: python benchmarks/proxy_active.py   (prints a Markdown section, writes figures)

Both strategies train the same random forest (50 trees) and are scored on the same
held-out random designs. Random: the first n rows of a random-sampled dataset.
Active: archgym.proxy.active_learning (100 random designs, then rounds that grow the
set by half, each simulating the designs of a 4x larger random pool where the trees
disagree most). DRAM-v0 (cloud-1, 10,000-request trace; score RMSE/mean) and
Accelerator-v0 (AlexNet; score MAPE, because its metrics span four orders of magnitude
and RMSE is then set by a few extreme designs).
"""

from __future__ import annotations

import time

import pandas as pd
from proxy_common import FIGURES, PROXY_METRICS, dram_dataset, dram_env, machine, markdown_table

from archgym.data.collect import collect
from archgym.envs import make_env
from archgym.proxy import active_learning, holdout_evaluation, learning_curve
from archgym.proxy.plots import plot_learning_curves

HP = {"n_estimators": 50}


def simulations_to_reach(curve: pd.DataFrame, metric: str, score: str, target: float):
    """Smallest checkpoint size from which the metric's score stays <= target (or None)."""
    rows = curve[curve["metric"] == metric].sort_values("n_samples")
    above = rows[rows[score] > target]
    after = rows if above.empty else rows[rows["n_samples"] > above["n_samples"].max()]
    return int(after["n_samples"].min()) if len(after) else None


def compare(
    label,
    env,
    pool: pd.DataFrame,
    test: pd.DataFrame,
    metrics,
    sizes,
    targets,
    fig,
    score="nrmse_mean_pct",
):
    start = time.process_time()
    random_curve = learning_curve(pool, env, test, sizes, metrics=metrics, hyperparameters=HP)
    active = active_learning(
        env,
        sizes[-1],
        metrics=metrics,
        initial=sizes[0],
        batch=0.5,
        pool_factor=4,
        test=test,
        checkpoints=sizes,
        hyperparameters=HP,
        seed=0,
    )
    cpu = time.process_time() - start
    curves = {"random sampling": random_curve, "active learning": active.curve}
    plot_learning_curves(
        curves, metrics, fig, score=score, title=f"{label}: held-out {score} vs simulations"
    )
    table = random_curve[["n_samples", "metric", score]].rename(columns={score: f"random {score}"})
    table[f"active {score}"] = active.curve[score].to_numpy()
    table["random R^2"] = random_curve["r2"].to_numpy()
    table["active R^2"] = active.curve["r2"].to_numpy()
    print(f"### {label}\n")
    print(markdown_table(table))
    print(f"\nSimulations from which {score} stays at or below the target (checkpoints only):\n")
    for metric, target in targets.items():
        r = simulations_to_reach(random_curve, metric, score, target)
        a = simulations_to_reach(active.curve, metric, score, target)
        print(
            f"- {metric} <= {target}%: random {r or f'> {sizes[-1]}'}, "
            f"active {a or f'> {sizes[-1]}'}"
        )
    print(f"\n<!-- {label}: {cpu:.0f} s CPU; figure {fig.relative_to(FIGURES.parents[1])} -->\n")


def main() -> None:
    print("## Proxy accuracy against training-set size (random vs active learning)\n")
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n")
    data = dram_dataset("cloud-1")
    compare(
        "DRAM-v0, cloud-1, 10,000-request trace",
        dram_env("cloud-1"),
        data.iloc[:20_000],
        data.iloc[20_000:].reset_index(drop=True),
        list(PROXY_METRICS),
        [100, 200, 400, 800, 1600, 3200],
        {"power_mw": 0.61, "energy_nj": 0.61, "latency_ns": 5.0},
        FIGURES / "proxy_learning_curve_dram.png",
    )
    env = make_env("archgym/Accelerator-v0")
    pool = collect("archgym/Accelerator-v0", 1600, seed=1, jobs=2)
    test = collect("archgym/Accelerator-v0", 500, seed=2, jobs=2)
    test = test[test["valid"]].reset_index(drop=True)
    compare(
        "Accelerator-v0, AlexNet",
        env,
        pool,
        test,
        ["energy_uj", "cycles", "area_mm2"],
        [100, 200, 400, 800, 1600],
        {"energy_uj": 50.0, "cycles": 10.0, "area_mm2": 50.0},
        FIGURES / "proxy_learning_curve_accelerator.png",
        score="mape_pct",
    )
    print("Model kinds on the same 1,600 Accelerator-v0 designs (80/20 split, log targets):\n")
    rows = []
    for kind in ("random_forest", "hist_gradient_boosting", "mlp"):
        result = holdout_evaluation(
            pool, env, ["energy_uj", "cycles", "area_mm2"], model=kind, log_targets=True
        )
        for rec in result.table.itertuples(index=False):
            rows.append(
                {"model": kind, "metric": rec.metric, "MAPE %": rec.mape_pct, "R^2": rec.r2}
            )
    print(markdown_table(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
