"""Sweep throughput and per-run overhead of the executors, on a sweep of short runs.

    python benchmarks/experiments_throughput.py [--small N] [--large N] [--budget B] [--repeat R]

Each executor runs the same kind of sweep with N_small and N_large runs of the analytic
env (random agent, B evaluations each) into fresh folders, best of R, after one cold
sweep. The wall time of the execution phase is fitted as ``fixed + per_run * N``:
``fixed`` is the per-sweep cost (starting local workers; for Dask the LocalCluster is
started once and timed apart), ``per_run`` the marginal wall time per run. Overhead per
run = per_run x workers - mean search time per run: the worker time a run costs besides
its own evaluations (building env and agent, recording the trajectory, writing the
manifest, committing, inter-process traffic). "inline" calls execute_run in this
process, one run after another: the bookkeeping cost without any executor. Prints a
Markdown section.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from archgym.experiments import (
    DaskExecutor,
    Executor,
    ResultStore,
    expand_runs,
    make_executor,
    parse_spec,
    run_sweep,
)
from archgym.experiments.executors import RunTask
from archgym.experiments.runner import execute_run


class InlineExecutor(Executor):
    """execute_run in the calling process (the benchmark's baseline, not a library feature)."""

    name = "inline"

    def run(self, tasks: list[RunTask], on_result: Any) -> None:
        for task in tasks:
            on_result(execute_run(task.config.to_dict(), task.root, **task.kwargs()))


def sweep_spec(runs: int, budget: int) -> Any:
    seeds = runs // 4
    return parse_spec(
        {
            "name": f"throughput-{runs}",
            "budget": budget,
            "seeds": seeds,
            "envs": [{"id": "archgym/Analytic-v0", "workloads": ["default", "shifted"]}],
            "agents": [{"name": "random", "grid": {"mode": ["uniform", "walk"]}}],
        }
    )


def measure(executor: Executor, runs: int, budget: int, folder: Path) -> dict[str, float]:
    spec = sweep_spec(runs, budget)
    assert len(expand_runs(spec)) == runs
    start = time.perf_counter()
    summary = run_sweep(spec, folder, executor=executor)
    total = time.perf_counter() - start
    assert summary.completed == runs, summary
    manifests = ResultStore(folder).manifests().values()
    search = np.mean([m["result"]["search_wall_time_s"] for m in manifests])
    duration = np.mean([m["duration_s"] for m in manifests])
    return {"wall": summary.wall_time_s, "total": total, "search": search, "duration": duration}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=24)
    parser.add_argument("--large", type=int, default=96)
    parser.add_argument("--budget", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many sweeps")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    # A LocalCluster takes seconds to start, with a large spread: started once here and
    # timed on its own, so that the fit measures the runs, not the cluster start.
    start = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    cluster_start = time.perf_counter() - start
    configs = [
        ("inline (no executor)", lambda: InlineExecutor(), 1),
        ("local, --jobs 1", lambda: make_executor("local", jobs=1), 1),
        ("local, --jobs 2", lambda: make_executor("local", jobs=2), 2),
        ("dask LocalCluster, 2 workers", lambda: DaskExecutor(client=client), 2),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (label, build, workers) in enumerate(configs):
            # The first sweep of a process also starts the fork server (local) and imports
            # agent modules: measured as the cold start, then excluded from the fit.
            cold = measure(build(), args.small, args.budget, Path(tmp) / f"{index}-c")
            # Best of --repeat: other load on the machine only ever adds time.
            small = min(
                (
                    measure(build(), args.small, args.budget, Path(tmp) / f"{index}-s{r}")
                    for r in range(args.repeat)
                ),
                key=lambda m: m["wall"],
            )
            large = min(
                (
                    measure(build(), args.large, args.budget, Path(tmp) / f"{index}-l{r}")
                    for r in range(args.repeat)
                ),
                key=lambda m: m["wall"],
            )
            per_run = (large["wall"] - small["wall"]) / (args.large - args.small)
            fixed = small["wall"] - per_run * args.small
            overhead = per_run * workers - large["search"]
            rows.append(
                (
                    label,
                    workers,
                    large["wall"],
                    60 * args.large / large["wall"],
                    60 / per_run,
                    fixed,
                    max(cold["wall"] - small["wall"], 0.0),
                    1e3 * large["search"],
                    1e3 * large["duration"],
                    1e3 * overhead,
                )
            )

    client.close()
    cluster.close()

    print("## Sweep throughput (archgym.experiments)\n")
    print(
        f"Machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}. Command: "
        f"`python benchmarks/experiments_throughput.py --small {args.small} "
        f"--large {args.large} --budget {args.budget} --repeat {args.repeat}` "
        f"(best of {args.repeat}).\n"
    )
    print(
        f"Sweep: archgym/Analytic-v0, random agent, {args.budget} evaluations per run; "
        f"{args.large} runs (and {args.small} runs for the fit).\n"
    )
    headers = [
        "executor",
        "workers",
        f"wall s ({args.large} runs)",
        "runs/min (incl. start-up)",
        "runs/min (steady)",
        "start-up s per sweep",
        "extra cold start s",
        "search ms/run",
        "execute_run ms/run",
        "overhead ms/run",
    ]
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        label, workers, wall, rate, steady, fixed, cold, search, duration, overhead = row
        print(
            f"| {label} | {workers} | {wall:.2f} | {rate:.0f} | {steady:.0f} | {fixed:.2f} | "
            f"{cold:.2f} | {search:.1f} | {duration:.1f} | {overhead:.1f} |"
        )
    print(
        "\nsteady = 1 / (marginal wall time per run) from the two sweep sizes; start-up per "
        "sweep = the fitted fixed cost of one run_sweep call (starting workers or a "
        "LocalCluster, checking the spec, writing results.parquet); extra cold start = the "
        "additional cost of the first sweep in a process (fork server, imports); overhead = "
        "marginal worker time per run minus its search time. Wall times, so other load on "
        "the machine inflates every column."
    )
    print(
        f"\nStarting the Dask LocalCluster (2 worker processes) took {cluster_start:.2f} s; "
        "`--executor dask` without `--scheduler` pays it once per sweep, on top of the "
        "figures above."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
