"""Every agent with its default hyperparameters on archgym/DRAM-v0; prints a Markdown report.

    python benchmarks/agents_dram.py                  # full run (a few minutes on 2 cores)
    python benchmarks/agents_dram.py --seeds 1 --budget 40 --no-overhead   # smoke run

For each ArchGym workload (stream, random, cloud-1, cloud-2) and each target (power,
latency), the target is set where random search has to work for it: the ``--quantile``
(default 2%) of the metric over ``--reference`` uniform random designs drawn with a seed
no agent uses. Each agent then runs ``--seeds`` seeds with ``stop_on_target`` (the target
objective's reward is 0 inside the target and negative outside, so after a hit the best
reward can no longer change and the run can stop without changing the curve).

Reported: best reward against evaluations (median over runs, figure), evaluations to
reach the target (median over runs, misses counted as the budget, plus the hit count),
each agent's ratio to random search in that median, and each agent's own overhead per
ask/tell, with the history at 50, 200 and 1000 designs (RL: training time per
evaluation), measured on a synthetic reward so that no simulator time is included.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORKLOADS = ("stream", "random", "cloud-1", "cloud-2")
TARGETS = {"power": "power_mw", "latency": "latency_ns"}
REFERENCE_SEED = 10_000  # never used by an agent run (those use seeds 0..seeds-1)
HISTORY_SIZES = (50, 200, 1000)
RL_AGENTS = ("ppo", "a2c", "dqn")


def reference_targets(n: int, quantile: float) -> dict[tuple[str, str], tuple[float, float]]:
    """(workload, target) -> (threshold, share of the reference sample meeting it)."""
    import gymnasium as gym

    import archgym  # noqa: F401
    from archgym.agents import make_agent

    out = {}
    for workload in WORKLOADS:
        env = gym.make("archgym/DRAM-v0", workload=workload)
        agent = make_agent("random", env.unwrapped.design_space, seed=REFERENCE_SEED)
        history = agent.run(env, n).history
        for target, metric in TARGETS.items():
            values = history[metric].to_numpy()
            threshold = float(np.quantile(values, quantile))
            out[(workload, target)] = (threshold, float(np.mean(values <= threshold)))
    return out


def one_run(job: tuple[str, str, str, float, int, int]) -> dict[str, Any]:
    """One agent run; returns its best-so-far curve, evaluations to target and overhead."""
    name, workload, target, threshold, seed, budget = job
    import gymnasium as gym

    import archgym  # noqa: F401
    from archgym.agents import make_agent
    from archgym.objectives import TargetObjective

    warnings.filterwarnings("ignore")
    objective = TargetObjective({TARGETS[target]: ("<=", threshold)})
    env = gym.make("archgym/DRAM-v0", workload=workload, objective=objective)
    agent = make_agent(name, env.unwrapped.design_space, seed=seed)
    eval_times: list[float] = []

    def collect(record: Any) -> None:
        eval_times.append(record.info["evaluation"].eval_time_s)

    result = agent.run(env, budget, stop_on_target=True, callbacks=[collect])
    curve = result.best_so_far()
    curve = np.concatenate([curve, np.full(budget - curve.size, curve[-1])])
    return {
        "agent": name,
        "workload": workload,
        "target": target,
        "seed": seed,
        "curve": curve,
        "to_target": result.evaluations_to_target(),
        "overhead_s": (result.wall_time_s - sum(eval_times)) / max(result.evaluations, 1),
    }


def synthetic_reward(space: Any, design: dict[str, Any]) -> float:
    """A smooth reward over the index encoding, cheap enough to time agents alone."""
    u = space.to_indices(design) / np.maximum(space.nvec - 1, 1)
    return -float(np.sum((u - 0.3) ** 2))


def ask_tell_overhead(
    name: str, history: int, repeats: int, hyperparameters: dict[str, Any] | None = None
) -> float:
    """Mean seconds of one ask + tell once the agent has seen ``history`` designs."""
    import gymnasium as gym

    import archgym  # noqa: F401
    from archgym.agents import make_agent

    warnings.filterwarnings("ignore")
    space = gym.make("archgym/DRAM-v0").unwrapped.design_space
    agent = make_agent(name, space, seed=0, **(hyperparameters or {}))
    if hasattr(agent, "warm_start") and name != "nsga2":
        designs = space.sample(np.random.default_rng(1), history)
        unique = list({space.key(d): d for d in designs}.values())
        agent.warm_start(unique, [synthetic_reward(space, d) for d in unique])
    else:
        for _ in range(history):
            design = agent.ask()
            agent.tell(design, synthetic_reward(space, design), {})
    start = time.perf_counter()
    for _ in range(repeats):
        design = agent.ask()
        agent.tell(design, synthetic_reward(space, design), {})
    return (time.perf_counter() - start) / repeats


def rl_overhead(name: str, budget: int) -> float:
    """Training seconds per evaluation of an RL agent (simulator time excluded)."""
    import gymnasium as gym

    import archgym  # noqa: F401
    from archgym.agents import make_agent

    env = gym.make("archgym/Analytic-v0")
    times: list[float] = []
    agent = make_agent(name, env.unwrapped.design_space, seed=0)
    result = agent.run(
        env, budget, callbacks=[lambda r: times.append(r.info["evaluation"].eval_time_s)]
    )
    return (result.wall_time_s - sum(times)) / result.evaluations


def overhead_table(agents: list[str]) -> tuple[list[str], dict[str, list[float]]]:
    rows = []
    data: dict[str, list[float]] = {}
    # BO's cheaper GP fit (docs/agents.md) is timed beside the default.
    variants = [(name, {}) for name in agents]
    if "bo" in agents:
        variants.insert(agents.index("bo") + 1, ("bo", {"gp_restarts": 0}))
    for name, hyperparameters in variants:
        label = name + "".join(f" ({k}={v})" for k, v in hyperparameters.items())
        if name in RL_AGENTS:
            values = [rl_overhead(name, n) for n in (50, 200, 1000)]
            note = "training per evaluation"
        else:
            slow = name in ("bo", "optuna_gp")
            values = [
                ask_tell_overhead(name, n, 2 if slow and n >= 1000 else 5, hyperparameters)
                for n in HISTORY_SIZES
            ]
            note = "ask + tell"
        data[label] = values
        cells = " | ".join(_duration(v) for v in values)
        rows.append(f"| {label} | {cells} | {note} |")
    return rows, data


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"


def plot_convergence(runs: list[dict[str, Any]], agents: list[str], path: Path) -> None:
    from archgym.plotting import pyplot, save_figure

    plt = pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
    cmap = plt.get_cmap("tab20")
    for col, workload in enumerate(WORKLOADS):
        for row, target in enumerate(TARGETS):
            ax = axes[row, col]
            for i, name in enumerate(agents):
                curves = [
                    r["curve"]
                    for r in runs
                    if r["agent"] == name and r["workload"] == workload and r["target"] == target
                ]
                if not curves:
                    continue
                median = np.median(np.vstack(curves), axis=0)
                style = "--" if name == "random" else "-"
                ax.plot(np.arange(1, median.size + 1), median, style, color=cmap(i), label=name)
            ax.set_xscale("log")
            ax.set_title(f"{workload}, {target} target", fontsize=10)
            ax.set_ylim(bottom=max(ax.get_ylim()[0], -1.0), top=0.02)
            if col == 0:
                ax.set_ylabel("median best reward (0 = target met)")
            if row == 1:
                ax.set_xlabel("evaluations")
    axes[0, 0].legend(fontsize=7, ncol=2)
    fig.suptitle("archgym/DRAM-v0: best reward against evaluations (median over seeds)")
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def plot_success(runs: list[dict[str, Any]], agents: list[str], budget: int, path: Path) -> None:
    """Share of all runs (every target and seed) that met the target, against evaluations."""
    from archgym.plotting import pyplot, save_figure

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    cmap = plt.get_cmap("tab20")
    steps = np.arange(1, budget + 1)
    for i, name in enumerate(agents):
        reached = np.array([r["to_target"] or np.inf for r in runs if r["agent"] == name])
        share = (reached[None, :] <= steps[:, None]).mean(axis=1)
        style = "--" if name == "random" else "-"
        ax.plot(steps, share, style, color=cmap(i), label=name, linewidth=2 if i < 10 else 1.5)
    ax.set_xscale("log")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("share of runs that met the target")
    ax.set_title("archgym/DRAM-v0: 4 workloads x (power, latency) targets x seeds")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def plot_overhead(data: dict[str, list[float]], path: Path) -> None:
    from archgym.plotting import pyplot, save_figure

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    cmap = plt.get_cmap("tab20")
    for i, (name, values) in enumerate(data.items()):
        style = "s--" if name in RL_AGENTS else "o-"
        ax.plot(HISTORY_SIZES, values, style, color=cmap(i), label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("designs already seen")
    ax.set_ylabel("seconds per ask + tell (RL: per evaluation)")
    ax.set_title("Agent overhead against history size (no simulator time)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quantile", type=float, default=0.02)
    parser.add_argument("--reference", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--agents", help="comma-separated subset (default: every agent)")
    parser.add_argument("--no-overhead", action="store_true")
    parser.add_argument("--figures", default=str(ROOT / "docs" / "figures"))
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from archgym.agents import list_agents

    agents = args.agents.split(",") if args.agents else [a.name for a in list_agents()]
    if "random" not in agents:
        agents.insert(0, "random")
    started = time.perf_counter()
    targets = reference_targets(args.reference, args.quantile)
    jobs = [
        (name, workload, target, targets[(workload, target)][0], seed, args.budget)
        for name in agents
        for workload in WORKLOADS
        for target in TARGETS
        for seed in range(args.seeds)
    ]
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.jobs) as pool:
        runs = pool.map(one_run, jobs, chunksize=1)
    search_time = time.perf_counter() - started

    figures = Path(args.figures)
    plot_convergence(runs, agents, figures / "agents_dram_convergence.png")
    plot_success(runs, agents, args.budget, figures / "agents_dram_success.png")

    lines = [
        "## Search agents on archgym/DRAM-v0",
        "",
        f"Machine: {platform.machine()} python {platform.python_version()}, "
        f"{multiprocessing.cpu_count()} cores shared with other jobs; "
        f"date {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
        f"Command: `python benchmarks/agents_dram.py {' '.join(argv or sys.argv[1:])}`".rstrip()
        + f" ({search_time:.0f} s for the searches, {args.jobs} processes).",
        "",
        f"Targets: the {args.quantile:.0%} quantile of each metric over {args.reference} "
        f"uniform random designs (seed {REFERENCE_SEED}); budget {args.budget} evaluations, "
        f"{args.seeds} seeds, every agent with its default hyperparameters.",
        "",
        "| workload | target | threshold | share of random designs meeting it |",
        "|---|---|---|---|",
    ]
    for (workload, target), (threshold, share) in targets.items():
        unit = "mW" if target == "power" else "ns"
        lines.append(f"| {workload} | {target} | {threshold:.4g} {unit} | {share:.1%} |")

    lines += [
        "",
        "### Evaluations to target",
        "",
        "Median over the runs of each agent (8 targets x seeds), a miss counted as the "
        "budget; hits / runs; ratio = the agent's median over random search's (lower is "
        "better); mean best reward at 25 / 50 / budget evaluations.",
        "",
        "| agent | median evaluations to target | hits | ratio to random | "
        f"best reward @25 | @50 | @{args.budget} | mean overhead per evaluation |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summary = {}
    for name in agents:
        mine = [r for r in runs if r["agent"] == name]
        reached = [r["to_target"] if r["to_target"] else args.budget for r in mine]
        hits = sum(r["to_target"] is not None for r in mine)
        curves = np.vstack([r["curve"] for r in mine])
        summary[name] = (float(np.median(reached)), hits, len(mine), curves)
    random_median = summary["random"][0]
    for name in agents:
        median, hits, total, curves = summary[name]
        at = [curves[:, min(k, args.budget) - 1].mean() for k in (25, 50, args.budget)]
        overhead = np.mean([r["overhead_s"] for r in runs if r["agent"] == name])
        lines.append(
            f"| {name} | {median:.0f} | {hits}/{total} | {median / random_median:.2f} | "
            f"{at[0]:.3f} | {at[1]:.3f} | {at[2]:.3f} | {_duration(overhead)} |"
        )

    lines += [
        "",
        "Per target (median evaluations to target, misses counted as the budget):",
        "",
        "| agent | " + " | ".join(f"{w} {t}" for w in WORKLOADS for t in TARGETS) + " |",
        "|---|" + "---|" * (len(WORKLOADS) * len(TARGETS)),
    ]
    for name in agents:
        cells = []
        for workload in WORKLOADS:
            for target in TARGETS:
                values = [
                    r["to_target"] or args.budget
                    for r in runs
                    if r["agent"] == name and r["workload"] == workload and r["target"] == target
                ]
                cells.append(f"{np.median(values):.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "![share of runs at target](../../docs/figures/agents_dram_success.png)",
        "",
        "![convergence](../../docs/figures/agents_dram_convergence.png)",
        "",
    ]

    if not args.no_overhead:
        rows, data = overhead_table(agents)
        plot_overhead(data, figures / "agents_overhead.png")
        lines += [
            "### Agent overhead (no simulator time)",
            "",
            "Seconds per ask + tell on the DRAM design space (10 knobs) with a synthetic "
            "reward, after the agent has seen 50 / 200 / 1000 designs (BO and the Optuna "
            "samplers are warm-started with that many random designs; the others run that "
            "many ask/tell first). RL agents: training time per evaluation over a run of "
            "50 / 200 / 1000 evaluations on archgym/Analytic-v0.",
            "",
            "| agent | 50 | 200 | 1000 | what |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "![overhead](../../docs/figures/agents_overhead.png)",
            "",
        ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
