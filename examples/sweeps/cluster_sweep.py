"""Run an archgym sweep on a SLURM or PBS cluster through dask-jobqueue.

    python examples/sweeps/cluster_sweep.py SPEC.yaml RESULTS --system slurm --jobs 4
    python examples/sweeps/cluster_sweep.py SPEC.yaml RESULTS --print-job-script
    python examples/sweeps/cluster_sweep.py SPEC.yaml RESULTS --system local --jobs 1

Reads the cluster settings from jobqueue.yaml beside this script, submits ``--jobs``
batch jobs (each starts the Dask workers it describes), and runs the sweep on them.
RESULTS must be on a file system that the compute nodes share with this machine.
``--print-job-script`` prints the batch script that would be submitted and stops.
Needs ``pip install 'archgym[distributed]'`` (dask, distributed, dask-jobqueue).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import dask.config
import yaml

HERE = Path(__file__).resolve().parent


def make_cluster(system: str, config_file: Path = HERE / "jobqueue.yaml", **options: Any) -> Any:
    """A dask-jobqueue cluster (SLURMCluster or PBSCluster) configured from ``config_file``;
    ``options`` override its settings (e.g. ``queue="short"``)."""
    from dask_jobqueue import PBSCluster, SLURMCluster
    from dask_jobqueue.local import LocalCluster

    settings = yaml.safe_load(config_file.read_text())
    dask.config.update(dask.config.config, settings, priority="new")
    classes = {"slurm": SLURMCluster, "pbs": PBSCluster, "local": LocalCluster}
    # The scheduler runs here (its dashboard on port 8787); workers connect to it from
    # the batch jobs.
    return classes[system](**options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec")
    parser.add_argument("out")
    parser.add_argument(
        "--system",
        choices=("slurm", "pbs", "local"),
        default="slurm",
        help="local: the 'jobs' run as processes on this machine (to try the setup)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="batch jobs to submit")
    parser.add_argument("--print-job-script", action="store_true")
    args = parser.parse_args(argv)

    cluster = make_cluster(args.system)
    try:
        if args.print_job_script:
            print(cluster.job_script())
            return 0
        from distributed import Client

        from archgym.experiments import DaskExecutor, run_sweep

        cluster.scale(jobs=args.jobs)
        with Client(cluster) as client:
            summary = run_sweep(
                args.spec,
                args.out,
                executor=DaskExecutor(client=client),
                on_result=lambda e: print(
                    f"[{e.done}/{e.total}] {e.manifest['status']} {e.manifest['run_id']}",
                    flush=True,
                ),
            )
        print(
            f"{summary.completed} completed, {summary.failed} failed, "
            f"{summary.timeout} timed out; results in {summary.results}"
        )
        return 0 if not (summary.failed or summary.timeout) else 1
    finally:
        cluster.close()


if __name__ == "__main__":
    sys.exit(main())
