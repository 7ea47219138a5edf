"""run_sweep: check a spec, skip what is done, execute the rest, collect the results."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archgym.errors import ConfigError, DatasetError
from archgym.experiments.executors import Executor, RunTask, make_executor
from archgym.experiments.runs import RunConfig, expand_runs
from archgym.experiments.spec import SweepSpec, check_spec, load_spec
from archgym.experiments.store import ResultStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunEvent:
    """Progress of a sweep: one finished run (``manifest``) and the counts so far."""

    manifest: dict[str, Any]
    done: int
    total: int


@dataclass
class SweepSummary:
    """What a call of :func:`run_sweep` did.

    ``total`` runs in the spec; ``skipped`` were already finished; ``executed`` ran now, of
    which ``completed``/``failed``/``timeout`` by status. ``results`` is the path of
    ``results.parquet`` (None when no run has completed yet).
    """

    root: Path
    total: int
    skipped: int
    executed: int = 0
    completed: int = 0
    failed: int = 0
    timeout: int = 0
    wall_time_s: float = 0.0
    results: Path | None = None
    run_ids: list[str] = field(default_factory=list)


def plan_runs(
    spec: SweepSpec, root: str | os.PathLike[str], *, retry_failed: bool = False
) -> tuple[list[RunConfig], list[RunConfig]]:
    """Split the spec's runs into (to run, already finished) given what ``root`` holds.

    Completed runs are always finished; failed and timed-out runs are finished unless
    ``retry_failed``.
    """
    statuses = ResultStore(root).statuses()
    todo, done = [], []
    for run in expand_runs(spec):
        status = statuses.get(run.run_id)
        finished = status == "completed" or (status is not None and not retry_failed)
        (done if finished else todo).append(run)
    return todo, done


def run_sweep(
    spec: SweepSpec | str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    executor: Executor | str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    timeout: float | None = None,
    on_result: Callable[[RunEvent], None] | None = None,
) -> SweepSummary:
    """Execute a sweep into ``out`` (default: the spec's ``output``).

    The spec is checked completely (:func:`check_spec`) before any run starts. Runs already
    finished in ``out`` are skipped (failed ones are retried when ``retry_failed``).
    ``resume`` allows ``out`` to hold another spec's runs. ``timeout`` (seconds) overrides
    the spec's. ``on_result`` sees each finished run. Raises ConfigError for a bad spec,
    a busy or foreign output folder, or a bad executor.
    """
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    if out is None:
        if spec.output is None:
            raise ConfigError("no output folder: give one, or set 'output' in the spec")
        out = spec.output
    root = Path(out).resolve()
    check_spec(spec)
    if isinstance(executor, str):
        executor = make_executor(executor, jobs=jobs, scheduler=scheduler)
    if timeout is not None and not timeout > 0:
        raise ConfigError(f"timeout must be a positive number of seconds, got {timeout!r}")
    timeout = timeout if timeout is not None else spec.timeout

    store = ResultStore(root)
    root.mkdir(parents=True, exist_ok=True)
    with _FolderLock(root):
        resumed = store.prepare(spec.fingerprint, _spec_yaml(spec), allow_other=resume)
        todo, done = plan_runs(spec, root, retry_failed=retry_failed)
        summary = SweepSummary(root, total=len(todo) + len(done), skipped=len(done))
        summary.run_ids = [r.run_id for r in (*done, *todo)]
        if resumed or done:
            logger.info("%s: %d of %d runs already finished", spec.name, len(done), summary.total)
        tasks = [RunTask(run, str(root), spec.name, timeout, spec.imports) for run in todo]
        start = time.perf_counter()

        def finished(manifest: dict[str, Any]) -> None:
            summary.executed += 1
            status = manifest.get("status", "failed")
            if status in ("completed", "failed", "timeout"):
                setattr(summary, status, getattr(summary, status) + 1)
            if on_result is not None:
                on_result(RunEvent(manifest, summary.skipped + summary.executed, summary.total))

        try:
            executor.run(tasks, finished)
        finally:
            summary.wall_time_s = time.perf_counter() - start
            store.clean_staging()
        try:
            summary.results = store.collect()[0]
        except DatasetError:
            summary.results = None
    return summary


def _spec_yaml(spec: SweepSpec) -> str:
    return yaml.safe_dump(spec.raw, sort_keys=False)


class _FolderLock:
    """Hold ``root/.lock`` so two sweeps never write one folder at once."""

    def __init__(self, root: Path) -> None:
        self.path = root / ".lock"
        self.handle: Any = None

    def __enter__(self) -> None:
        self.handle = open(self.path, "a")  # noqa: SIM115 - held for the sweep's lifetime
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise ConfigError(
                f"another sweep is running in {self.path.parent} (it holds {self.path})"
            ) from None

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
