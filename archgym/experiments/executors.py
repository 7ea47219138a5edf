"""Executors: where runs execute. Local worker processes (default) or a Dask cluster.

Both call :func:`archgym.experiments.runner.execute_run` for each run, which writes the
run's folder under the results root, so results do not depend on the executor. Runs are
independent: a worker holds no state between runs that can change a result (every run
builds its own env and agent from its config and seed).

- :class:`LocalExecutor` keeps ``jobs`` worker processes (started through a fork server,
  so each costs one import of archgym, not one per run). A run that passes its timeout
  is stopped cooperatively after its current evaluation; one stuck inside a single
  evaluation is killed a grace period later, and its worker replaced. A worker that
  dies (segfault, ``os._exit``, out of memory) fails only its current run.
- :class:`DaskExecutor` submits every run to a ``distributed`` cluster: an existing
  scheduler (``scheduler="tcp://host:8786"``, e.g. one started by dask-jobqueue on
  SLURM/PBS), a given ``Client``, or a ``LocalCluster`` of ``jobs`` processes. Workers
  must see the results folder (a shared file system on a cluster). Timeouts are
  cooperative only: a Dask task cannot be killed.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError, MissingExtraError
from archgym.experiments.runner import execute_run, record_failure, utc_now
from archgym.experiments.runs import RunConfig

logger = logging.getLogger(__name__)

#: Called with each finished run's manifest, in completion order.
OnResult = Callable[[dict[str, Any]], None]

EXECUTORS = ("local", "dask")

#: Modules the fork server imports once, so that each worker starts warm.
_PRELOAD = ["archgym", "archgym.agents", "archgym.data", "archgym.experiments.runner"]


@dataclass(frozen=True)
class RunTask:
    """What an executor needs to execute one run."""

    config: RunConfig
    root: str
    sweep: str = ""
    timeout: float | None = None
    imports: tuple[str, ...] = ()

    def kwargs(self) -> dict[str, Any]:
        return {"sweep": self.sweep, "timeout": self.timeout, "imports": self.imports}


class Executor(ABC):
    """Runs tasks and reports each manifest as it finishes."""

    name: str = ""

    @abstractmethod
    def run(self, tasks: Sequence[RunTask], on_result: OnResult) -> None:
        """Execute every task; call ``on_result(manifest)`` as each one finishes."""


def make_executor(
    name: str = "local",
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
) -> Executor:
    """Build an executor by name ("local" or "dask"); raises ConfigError for others."""
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ConfigError(f"jobs must be a positive integer, got {jobs!r}")
    if name == "local":
        if scheduler is not None or client is not None:
            raise ConfigError("--scheduler needs --executor dask")
        return LocalExecutor(jobs or os.cpu_count() or 1)
    if name == "dask":
        return DaskExecutor(scheduler=scheduler, jobs=jobs, client=client)
    raise ConfigError(f"unknown executor {name!r} (expected one of: {', '.join(EXECUTORS)})")


# ---------------------------------------------------------------------------- local
class LocalExecutor(Executor):
    """``jobs`` worker processes on this machine (see the module docstring)."""

    name = "local"

    def __init__(self, jobs: int = 1, *, kill_grace_s: float = 5.0) -> None:
        self.jobs = int(jobs)
        self.kill_grace_s = float(kill_grace_s)

    def run(self, tasks: Sequence[RunTask], on_result: OnResult) -> None:
        if not tasks:
            return
        context = _context()
        pending = deque(tasks)
        workers = [_Worker(context) for _ in range(min(self.jobs, len(tasks)))]
        try:
            while pending or any(w.task is not None for w in workers):
                for index, worker in enumerate(workers):
                    if worker.task is None and pending:
                        if not worker.process.is_alive():  # died while idle
                            workers[index] = worker = self._replace(worker, context)
                        worker.start(pending.popleft())
                busy = [w for w in workers if w.task is not None]
                ready = wait(
                    [w.conn for w in busy] + [w.process.sentinel for w in busy],
                    timeout=self._next_deadline(busy),
                )
                for index, worker in enumerate(workers):
                    if worker.task is None:
                        continue
                    if worker.conn in ready or worker.conn.poll():
                        try:
                            manifest = worker.conn.recv()
                        except (EOFError, OSError):
                            manifest = None
                        if manifest is not None:
                            worker.task = None
                            on_result(manifest)
                            continue
                    if worker.process.sentinel in ready or not worker.process.is_alive():
                        on_result(worker.fail("failed", self._death_message(worker)))
                        workers[index] = self._replace(worker, context)
                    elif self._overdue(worker):
                        on_result(worker.fail("timeout", self._timeout_message(worker)))
                        workers[index] = self._replace(worker, context)
        finally:
            for worker in workers:
                worker.stop()

    def _next_deadline(self, busy: list[_Worker]) -> float | None:
        deadlines = [
            w.started + w.task.timeout + self.kill_grace_s
            for w in busy
            if w.task is not None and w.task.timeout is not None
        ]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def _overdue(self, worker: _Worker) -> bool:
        timeout = worker.task.timeout if worker.task else None
        return (
            timeout is not None and time.monotonic() > worker.started + timeout + self.kill_grace_s
        )

    def _death_message(self, worker: _Worker) -> str:
        worker.process.join(1.0)
        return f"worker process died (exit code {worker.process.exitcode}) during the run"

    def _timeout_message(self, worker: _Worker) -> str:
        assert worker.task is not None
        return (
            f"run exceeded its timeout of {worker.task.timeout:g} s and was killed "
            f"{self.kill_grace_s:g} s later (stuck inside an evaluation)"
        )

    @staticmethod
    def _replace(worker: _Worker, context: Any) -> _Worker:
        worker.stop()
        return _Worker(context)


def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


class _Worker:
    """One worker process, fed one task at a time over a pipe."""

    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe(duplex=True)
        # The lifeline's write end lives only in this process: the worker sees EOF on its
        # read end when we close it or die, however we die (even SIGKILL).
        lifeline, self.lifeline = context.Pipe(duplex=False)
        self.process = context.Process(target=_worker_main, args=(child, lifeline), daemon=True)
        self.process.start()
        child.close()
        lifeline.close()
        self.task: RunTask | None = None
        self.started = 0.0
        self.started_at = ""

    def start(self, task: RunTask) -> None:
        self.task, self.started, self.started_at = task, time.monotonic(), utc_now()
        self.conn.send((task.config.to_dict(), task.root, task.kwargs()))

    def fail(self, status: str, message: str) -> dict[str, Any]:
        """Stop the worker and commit a manifest for its current run."""
        assert self.task is not None
        task, self.task = self.task, None
        self.process.kill()
        self.process.join(5.0)
        logger.warning("run %s: %s", task.config.run_id, message)
        return record_failure(
            task.config,
            task.root,
            sweep=task.sweep,
            status=status,
            error=message,
            started_at=self.started_at,
            duration_s=time.monotonic() - self.started,
        )

    def stop(self) -> None:
        if self.process.is_alive():
            if self.task is None:
                with contextlib.suppress(OSError):
                    self.conn.send(None)
                self.process.join(2.0)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5.0)
        self.conn.close()
        self.lifeline.close()


def _worker_main(conn: Connection, lifeline: Connection) -> None:
    """Worker loop: receive (config, root, kwargs), send back the manifest; None ends."""
    threading.Thread(target=_exit_with_parent, args=(lifeline,), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        config, root, kwargs = message
        conn.send(execute_run(config, root, **kwargs))


def _exit_with_parent(lifeline: Connection) -> None:
    """End the worker at once when the parent closes the lifeline or dies.

    A run in progress is abandoned: its staging folder is never committed, and the next
    sweep runs it again. Without this an orphaned worker would finish its run.
    """
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()
    os._exit(70)


# ---------------------------------------------------------------------------- dask
class DaskExecutor(Executor):
    """Runs on a Dask ``distributed`` cluster (see the module docstring)."""

    name = "dask"

    def __init__(
        self, *, scheduler: str | None = None, jobs: int | None = None, client: Any = None
    ) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError as error:
            raise MissingExtraError("the Dask executor", "distributed", "distributed") from error
        self.scheduler = scheduler
        self.jobs = jobs
        self.client = client

    def run(self, tasks: Sequence[RunTask], on_result: OnResult) -> None:
        if not tasks:
            return
        from distributed import Client, LocalCluster, as_completed

        cluster = client = None
        try:
            if self.client is not None:
                client = self.client
            elif self.scheduler is not None:
                client = Client(self.scheduler)
            else:
                cluster = LocalCluster(
                    n_workers=self.jobs or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                client = Client(cluster)
            futures = {}
            for task in tasks:
                key = f"archgym-run-{task.config.run_id}-{uuid.uuid4().hex[:6]}"
                future = client.submit(
                    execute_run,
                    task.config.to_dict(),
                    str(Path(task.root).resolve()),
                    key=key,
                    pure=False,
                    **task.kwargs(),
                )
                futures[future] = task
            try:
                for future in as_completed(list(futures)):
                    task = futures[future]
                    try:
                        manifest = future.result()
                    except Exception as error:  # e.g. KilledWorker: the worker died
                        manifest = record_failure(
                            task.config,
                            task.root,
                            sweep=task.sweep,
                            status="failed",
                            error=f"dask task failed: {type(error).__name__}: {error}",
                        )
                    on_result(manifest)
            except BaseException:
                client.cancel(list(futures))
                raise
        finally:
            if client is not None and client is not self.client:
                client.close()
            if cluster is not None:
                cluster.close()
