"""``archgym collect``: sample and evaluate designs of an env into a trajectory dataset."""

from __future__ import annotations

import argparse
import time

from archgym.cli.output import add_assignments_option, format_table, parse_assignments


def register(subparsers: argparse._SubParsersAction) -> None:
    from archgym.data.collect import SAMPLERS

    parser = subparsers.add_parser(
        "collect",
        help="evaluate sampled designs of an env and write a trajectory dataset (Parquet)",
        description=(
            "Sample N designs of ENV, evaluate them across J processes and write one "
            "Parquet file in the trajectory schema (one column per knob and per metric). "
            "The rows depend only on the seed, not on --jobs."
        ),
    )
    parser.add_argument("env", metavar="ENV", help="env id, e.g. archgym/DRAM-v0")
    parser.add_argument("--workload", default=None, help="workload name or file (env default)")
    parser.add_argument("--n", type=int, required=True, help="number of designs")
    parser.add_argument("--sampler", choices=SAMPLERS, default="random")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="output file (.parquet)")
    parser.add_argument("--run-id", default=None, help="run id (default collect-SAMPLER-SEED)")
    add_assignments_option(
        parser, "--env-arg", "env option (repeatable), e.g. --env-arg trace_length=2000"
    )
    parser.add_argument(
        "--allow-repeats",
        action="store_true",
        help="let the random sampler repeat designs (default: unique while possible)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archgym.data.collect import collect, write_dataset

    start = time.perf_counter()
    data = collect(
        args.env,
        args.n,
        workload=args.workload,
        sampler=args.sampler,
        jobs=args.jobs,
        seed=args.seed,
        env_options=parse_assignments(args.env_arg, "--env-arg"),
        run_id=args.run_id,
        unique=not args.allow_repeats,
        progress=not args.no_progress,
    )
    path = write_dataset(data, args.out)
    elapsed = time.perf_counter() - start
    rows = [
        ["env", args.env],
        ["workload", str(data["workload"].iloc[0]) if len(data) else ""],
        ["rows", len(data)],
        ["valid rows", int(data["valid"].sum())],
        ["sampler", args.sampler],
        ["jobs", args.jobs],
        ["simulation time (s, summed)", float(data["eval_time_s"].sum())],
        ["wall time (s)", elapsed],
        ["written", str(path)],
    ]
    print(format_table(rows, ["item", "value"]))
    return 0
