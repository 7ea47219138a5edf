"""``archgym run ENV``: one search with one agent, recorded as a trajectory."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from archgym.cli.output import add_assignments_option, format_table, parse_assignments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="search an env with an agent and record it")
    parser.add_argument("env", help="env id, e.g. archgym/DRAM-v0")
    parser.add_argument("--agent", default="random", help="agent name (see `archgym agents`)")
    parser.add_argument("--budget", type=int, default=100, help="simulator evaluations")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs", help="folder for trajectories and plots")
    parser.add_argument("--workload", help="workload name or file for the env")
    parser.add_argument("--objective", help="objective name or spec for the env")
    add_assignments_option(parser, "--set", "agent hyperparameter")
    add_assignments_option(parser, "--env-arg", "option for the env factory")
    parser.add_argument("--stop-on-target", action="store_true", help="stop when the target is met")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archgym.agents import make_agent
    from archgym.data import TrajectoryRecorder
    from archgym.envs import make_env
    from archgym.errors import ConfigError
    from archgym.plotting import plot_convergence

    if args.budget < 1:
        raise ConfigError(f"--budget must be at least 1, got {args.budget}")
    env_options = parse_assignments(args.env_arg, "--env-arg")
    if args.workload:
        env_options["workload"] = args.workload
    if args.objective:
        env_options["objective"] = args.objective
    hyperparameters = parse_assignments(args.set, "--set")
    env = make_env(args.env, **env_options)
    base = env.unwrapped
    agent = make_agent(args.agent, base.design_space, seed=args.seed, **hyperparameters)
    run_id = f"{args.env.split('/')[-1]}-{args.agent}-s{args.seed}-{time.strftime('%Y%m%d-%H%M%S')}"
    out = Path(args.out)
    recorder = TrajectoryRecorder(
        env,
        out,
        run_id=run_id,
        agent=args.agent,
        hyperparameters=agent.hyperparameters,
        seed=args.seed,
    )
    try:
        result = agent.run(
            recorder,
            args.budget,
            stop_on_target=args.stop_on_target,
            progress=not args.no_progress,
        )
    finally:
        recorder.close()
    plot = plot_convergence(
        result.history["reward"].to_numpy(),
        out / f"{run_id}-convergence.png",
        title=f"{args.env} ({base.workload_name}), {args.agent}, seed {args.seed}",
        target_step=result.evaluations_to_target(),
    )
    units = {m.name: m.unit for m in base.metric_specs}
    print(
        f"\n{args.env} on workload {base.workload_name!r}, objective: {base.objective.describe()}"
    )
    print(
        f"agent {args.agent} (seed {args.seed}): {result.evaluations} evaluations "
        f"in {result.wall_time_s:.2f} s\n"
    )
    print(
        format_table(
            [
                (name, value, base.design_space[name].unit)
                for name, value in result.best_design.items()
            ],
            ["best design", "value", "unit"],
        )
    )
    print()
    print(
        format_table(
            [(name, value, units.get(name, "")) for name, value in result.best_metrics.items()],
            ["metric", "value", "unit"],
        )
    )
    reached = result.evaluations_to_target()
    status = f"met after {reached} evaluations" if reached else "not met"
    print(f"\nbest reward {result.best_reward:.6g}; target {status}")
    print(f"trajectory: {out}/{run_id}-*.parquet\nconvergence plot: {plot}")
    return 0
