"""Experiment sweeps: a YAML spec -> runs on local processes or Dask -> Parquet -> report.

::

    from archgym.experiments import load_spec, run_sweep, load_results, write_report

    summary = run_sweep(load_spec("examples/sweeps/dram_lottery.yaml"), "results/dram")
    data = load_results("results/dram")            # one row per evaluation, all runs
    write_report("results/dram", "docs/sweeps/dram")

See docs/experiments.md for the spec format, the executors and the report.
"""

from __future__ import annotations

from archgym.experiments.executors import DaskExecutor, Executor, LocalExecutor, make_executor
from archgym.experiments.runner import execute_run
from archgym.experiments.runs import RunConfig, agent_settings, expand_runs
from archgym.experiments.spec import SweepSpec, check_spec, load_spec, parse_spec
from archgym.experiments.store import ResultStore, load_results
from archgym.experiments.sweep import RunEvent, SweepSummary, plan_runs, run_sweep


def write_report(results, out, **options):  # noqa: ANN001, ANN201 - thin lazy re-export
    """See :func:`archgym.experiments.report.write_report` (matplotlib is imported lazily)."""
    from archgym.experiments.report import write_report as _write_report

    return _write_report(results, out, **options)


__all__ = [
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "ResultStore",
    "RunConfig",
    "RunEvent",
    "SweepSpec",
    "SweepSummary",
    "agent_settings",
    "check_spec",
    "execute_run",
    "expand_runs",
    "load_results",
    "load_spec",
    "make_executor",
    "parse_spec",
    "plan_runs",
    "run_sweep",
    "write_report",
]
