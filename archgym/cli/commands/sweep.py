"""``archgym sweep SPEC.yaml``: run a sweep of experiments, resumably, locally or on Dask."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="run a sweep spec (envs x agents x hyperparameters x seeds), resumably",
        description=(
            "Expand a YAML sweep spec into runs and execute them. Finished runs in the output "
            "folder are skipped, so an interrupted sweep continues where it stopped."
        ),
    )
    parser.add_argument("spec", help="YAML sweep spec (see docs/experiments.md)")
    parser.add_argument("--out", help="results folder (default: the spec's 'output')")
    parser.add_argument(
        "--executor", choices=("local", "dask"), default="local", help="where runs execute"
    )
    parser.add_argument("--jobs", type=int, help="parallel runs (default: number of CPUs)")
    parser.add_argument(
        "--scheduler", metavar="ADDR", help="Dask scheduler, e.g. tcp://host:8786 (with dask)"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="allow an output folder that holds another spec's runs (e.g. an extended spec)",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="run failed and timed-out runs again"
    )
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per run")
    parser.add_argument(
        "--dry-run", action="store_true", help="check the spec and list the runs; run nothing"
    )
    parser.add_argument("--quiet", action="store_true", help="no line per finished run")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from archgym.cli.output import format_table
    from archgym.errors import ConfigError
    from archgym.experiments import check_spec, load_spec, plan_runs, run_sweep

    spec = load_spec(args.spec)
    out = args.out or spec.output
    if out is None:
        raise ConfigError(f"{args.spec}: no output folder; pass --out or set 'output' in the spec")
    if args.dry_run:
        check_spec(spec)
        todo, done = plan_runs(spec, out, retry_failed=args.retry_failed)
        rows = [
            (r.run_id, r.env_id, r.workload_label, r.agent, r.hyperparameters_label, r.seed)
            for r in todo
        ]
        print(format_table(rows, ["run", "env", "workload", "agent", "hyperparameters", "seed"]))
        print(f"\n{len(todo)} runs to execute, {len(done)} already finished, in {out}")
        return 0

    def progress(event: Any) -> None:
        if args.quiet:
            return
        manifest = event.manifest
        config = manifest.get("config", {})
        result = manifest.get("result") or {}
        status = manifest.get("status", "?")
        best = result.get("best_reward")
        best = None if best is None else best + 0.0  # no "-0"
        detail = f"best {best:.6g}" if best is not None else (manifest.get("error") or "")
        detail = detail.splitlines()[0] if detail else ""
        print(
            f"[{event.done}/{event.total}] {status:9s} {manifest.get('run_id')} "
            f"{config.get('env_id')} {config.get('workload') or 'default'} seed "
            f"{config.get('seed')} {detail} ({manifest.get('duration_s') or 0:.1f} s)",
            flush=True,
        )

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        summary = run_sweep(
            spec,
            out,
            executor=args.executor,
            jobs=args.jobs,
            scheduler=args.scheduler,
            resume=args.resume,
            retry_failed=args.retry_failed,
            timeout=args.timeout,
            on_result=progress,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(
        f"\n{spec.name}: {summary.total} runs, {summary.skipped} already finished, "
        f"{summary.executed} executed in {summary.wall_time_s:.1f} s "
        f"({summary.completed} completed, {summary.failed} failed, {summary.timeout} timed out)"
    )
    if summary.results is not None:
        print(f"results: {summary.results}")
        print(f"report:  archgym report {summary.root} --out {summary.root / 'report'}")
    return 1 if summary.failed or summary.timeout else 0


def _interrupt(signum: int, frame: Any) -> None:
    # SIGTERM (e.g. from a batch system) stops workers cleanly, like Ctrl-C.
    print("archgym: terminated; finished runs are kept, rerun to resume", file=sys.stderr)
    raise KeyboardInterrupt
