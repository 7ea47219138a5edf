"""One run, executed where a worker picks it up: env + agent + trajectory + manifest.

:func:`execute_run` is what every executor calls (in a local worker process or on a Dask
worker). It never raises for a failing run: the error is recorded in the manifest with
status ``failed`` (or ``timeout``), and the manifest is returned.
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import socket
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archgym.experiments.runs import RunConfig
from archgym.experiments.spec import EnvEntry, import_plugins
from archgym.experiments.spec import env_kwargs as _env_kwargs
from archgym.experiments.store import MANIFEST, TRAJECTORY_DIR, ResultStore, write_json_atomic

logger = logging.getLogger(__name__)

#: Characters of a traceback kept in a manifest's ``error``.
MAX_ERROR_CHARS = 4000


class RunTimeoutError(Exception):
    """Raised inside a run when it exceeds its time limit."""


def versions() -> dict[str, str]:
    """Versions of Python and of the libraries a run's result depends on."""
    import gymnasium
    import numpy
    import pandas

    import archgym

    out = {
        "python": platform.python_version(),
        "archgym": archgym.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "gymnasium": gymnasium.__version__,
    }
    for module in ("sklearn", "skopt", "optuna", "stable_baselines3", "torch"):
        loaded = sys.modules.get(module)
        if loaded is not None:
            out[module] = str(getattr(loaded, "__version__", "?"))
    return out


def utc_now() -> str:
    """The current UTC time in ISO 8601 with milliseconds (manifest timestamps)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def base_manifest(config: RunConfig, sweep: str, attempt: str) -> dict[str, Any]:
    """The manifest fields known before a run starts."""
    return {
        "run_id": config.run_id,
        "sweep": sweep,
        "attempt": attempt,
        "config": config.to_dict(),
        "seed": config.seed,
        "setting_id": config.setting_id,
        "objective_label": config.objective_label,
        "hyperparameters_label": config.hyperparameters_label,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "versions": versions(),
        "status": "running",
        "error": None,
        "result": None,
        "env": None,
        "started_at": utc_now(),
        "finished_at": None,
        "duration_s": None,
    }


def execute_run(
    config: dict[str, Any] | RunConfig,
    root: str | os.PathLike[str],
    *,
    sweep: str = "",
    timeout: float | None = None,
    imports: Sequence[str] = (),
) -> dict[str, Any]:
    """Run one config into ``root`` (a sweep output folder) and commit it; return its manifest.

    The run works in a private staging folder; its trajectory is recorded with
    :class:`archgym.data.TrajectoryRecorder`. ``timeout`` (seconds) is checked after every
    evaluation; a run that exceeds it ends with status ``timeout``. Any exception of the
    run ends it with status ``failed`` and the traceback in ``error``.
    """
    if not isinstance(config, RunConfig):
        config = RunConfig.from_dict(config)
    store = ResultStore(root)
    staging = store.staging_dir(config.run_id)
    attempt = staging.name.rsplit("-", 1)[-1]
    manifest = base_manifest(config, sweep, attempt)
    start = time.perf_counter()
    try:
        import_plugins(imports)
        manifest["result"], manifest["env"] = _search(config, staging, start, timeout)
        manifest["status"] = "completed"
    except RunTimeoutError as error:
        manifest["status"] = "timeout"
        manifest["error"] = str(error)
    except Exception as error:  # a run's failure is data, not a crash of the sweep
        manifest["status"] = "failed"
        manifest["error"] = _format_error(error)
        logger.warning("run %s failed: %s: %s", config.run_id, type(error).__name__, error)
    manifest["finished_at"] = utc_now()
    manifest["duration_s"] = time.perf_counter() - start
    if manifest["status"] != "completed":
        # Keep only the manifest of a failed attempt: no partial trajectory is committed.
        _remove_tree(staging / TRAJECTORY_DIR)
    write_json_atomic(staging / MANIFEST, manifest)
    committed = store.commit(staging, config.run_id)
    manifest["committed"] = committed
    return manifest


def record_failure(
    config: RunConfig,
    root: str | os.PathLike[str],
    *,
    sweep: str,
    status: str,
    error: str,
    started_at: str | None = None,
    duration_s: float | None = None,
) -> dict[str, Any]:
    """Commit a manifest for a run that died outside :func:`execute_run` (killed worker)."""
    store = ResultStore(root)
    staging = store.staging_dir(config.run_id)
    manifest = base_manifest(config, sweep, staging.name.rsplit("-", 1)[-1])
    manifest.update(
        status=status,
        error=error,
        finished_at=utc_now(),
        duration_s=duration_s,
        started_at=started_at or manifest["started_at"],
    )
    write_json_atomic(staging / MANIFEST, manifest)
    manifest["committed"] = store.commit(staging, config.run_id)
    return manifest


def _search(
    config: RunConfig, staging: Path, start: float, timeout: float | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    from archgym.agents import make_agent
    from archgym.data import TrajectoryRecorder
    from archgym.envs import make_env

    entry = EnvEntry(id=config.env_id, options=dict(config.env_options))
    env = make_env(config.env_id, **_env_kwargs(entry, config.workload, config.objective))
    base = env.unwrapped
    agent = make_agent(
        config.agent, base.design_space, seed=config.seed, **dict(config.hyperparameters)
    )
    recorder = TrajectoryRecorder(
        env,
        staging / TRAJECTORY_DIR,
        run_id=config.run_id,
        agent=config.agent,
        hyperparameters=config.hyperparameters,
        seed=config.seed,
        flush_every=max(config.budget, 1),
    )
    callbacks = []
    if timeout is not None:
        callbacks.append(_deadline(start, timeout))
    try:
        result = agent.run(
            recorder, config.budget, callbacks=callbacks, stop_on_target=config.stop_on_target
        )
    finally:
        recorder.close()
    objective = base.objective
    env_info = {
        "env_id": base.env_id,
        "workload": base.workload_name,
        "objective": objective.describe(),
        "objective_kind": type(objective).__name__,
        # [name, direction] of the metrics the objective reads (for Pareto fronts).
        "objective_metrics": [
            [name, _direction(base.metric_specs, name)] for name in objective.metric_names
        ],
        "knobs": list(base.design_space.names),
        "metrics": [
            {"name": m.name, "unit": m.unit, "direction": m.direction} for m in base.metric_specs
        ],
    }
    summary = {
        "evaluations": int(result.evaluations),
        "best_reward": float(result.best_reward),
        "best_design": _jsonable(result.best_design),
        "best_metrics": _jsonable(result.best_metrics),
        "target_met": bool(result.target_met),
        "evaluations_to_target": result.evaluations_to_target(),
        "search_wall_time_s": float(result.wall_time_s),
        "trajectory_files": [f"{TRAJECTORY_DIR}/{p.name}" for p in recorder.files],
    }
    return summary, env_info


def _direction(specs: Sequence[Any], name: str) -> str:
    return next((m.direction for m in specs if m.name == name), "min")


def _deadline(start: float, timeout: float):  # noqa: ANN202 - a Callback
    def check(record: Any) -> None:
        elapsed = time.perf_counter() - start
        if elapsed > timeout:
            raise RunTimeoutError(
                f"run exceeded its timeout of {timeout:g} s after {record.step + 1} "
                f"evaluations ({elapsed:.1f} s)"
            )

    return check


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def _format_error(error: BaseException) -> str:
    """``Type: message`` on the first line, then the end of the traceback."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return f"{type(error).__name__}: {error}\n{text[-MAX_ERROR_CHARS:]}"


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
