"""The on-disk layout of a sweep's results, and how runs are committed to it.

::

    OUT/
      specs/<fingerprint>.yaml        each spec run into this folder
      runs/<run_id>/manifest.json     one folder per finished run (completed, failed, timeout)
      runs/<run_id>/trajectory/*.parquet
      .staging/<run_id>-<attempt>/    work in progress (removed when a sweep starts)
      results.parquet                 trajectories of every completed run, one row per step
      runs.parquet                    one row per run, with status, result and error

A run writes only inside its own staging folder. When it ends, its manifest is written
(temporary name, then renamed) and the whole folder is renamed to ``runs/<run_id>``: a
reader sees a run either complete or not at all. A completed run is never replaced; a
failed or timed-out one is replaced by a later attempt's folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from archgym.data.loading import read_parquet
from archgym.errors import ConfigError, DatasetError

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
TRAJECTORY_DIR = "trajectory"
STATUSES = ("completed", "failed", "timeout")

#: Columns of runs.parquet (one row per run).
RUN_COLUMNS = (
    "run_id",
    "status",
    "env_id",
    "workload",
    "objective",
    "agent",
    "setting",
    "hyperparameters",
    "seed",
    "budget",
    "evaluations",
    "best_reward",
    "target_met",
    "evaluations_to_target",
    "duration_s",
    "started_at",
    "error",
)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` via a temporary file and a rename (readers never see half)."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(temporary, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True, default=repr)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class ResultStore:
    """Read and write the results folder of a sweep (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.staging_root = self.root / ".staging"

    # ------------------------------------------------------------------ setup
    def prepare(self, spec_fingerprint: str, spec_text: str, *, allow_other: bool) -> bool:
        """Create the folders and record the spec; remove stale staging folders.

        Returns True when this spec had been run here before (a resumed sweep). Raises
        ConfigError when the folder holds another spec's runs and ``allow_other`` is False.
        """
        specs = self.root / "specs"
        existing = sorted(p.stem for p in specs.glob("*.yaml")) if specs.is_dir() else []
        others = [f for f in existing if f != spec_fingerprint]
        if others and not allow_other:
            raise ConfigError(
                f"output folder {self.root} holds results of another sweep spec "
                f"({', '.join(others)}); pass --resume to add this spec's runs to it, "
                "or choose another output folder"
            )
        for folder in (specs, self.runs_dir, self.staging_root):
            folder.mkdir(parents=True, exist_ok=True)
        spec_file = specs / f"{spec_fingerprint}.yaml"
        if not spec_file.exists():
            temporary = specs / f".{spec_fingerprint}.yaml.tmp"
            temporary.write_text(spec_text)
            os.replace(temporary, spec_file)
        self.clean_staging()
        return spec_fingerprint in existing

    def clean_staging(self) -> None:
        """Remove work folders left by interrupted runs (call only when no run is active)."""
        if self.staging_root.is_dir():
            for leftover in self.staging_root.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)

    def staging_dir(self, run_id: str) -> Path:
        """A fresh, private work folder for one attempt at ``run_id``."""
        path = self.staging_root / f"{run_id}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    # ------------------------------------------------------------------ commit
    def commit(self, staging: Path, run_id: str) -> bool:
        """Move a finished attempt (with its manifest) into ``runs/<run_id>``.

        Returns False, discarding the attempt, when a completed result is already there.
        """
        if not (staging / MANIFEST).is_file():
            raise DatasetError(f"cannot commit {staging}: it has no {MANIFEST}")
        final = self.runs_dir / run_id
        old = None
        if final.exists():
            previous = self.read_manifest(run_id)
            if previous is not None and previous.get("status") == "completed":
                logger.warning("run %s was already completed; discarding a second result", run_id)
                shutil.rmtree(staging, ignore_errors=True)
                return False
            old = self.staging_root / f"{run_id}-replaced-{uuid.uuid4().hex[:8]}"
            os.rename(final, old)
        try:
            os.rename(staging, final)
        except OSError:
            # Another process committed this run between our check and the rename.
            logger.warning("run %s was committed concurrently; discarding this attempt", run_id)
            shutil.rmtree(staging, ignore_errors=True)
            return False
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return True

    # ------------------------------------------------------------------ reading
    def read_manifest(self, run_id: str) -> dict[str, Any] | None:
        """The manifest of ``run_id``, or None when the run has not finished."""
        path = self.runs_dir / run_id / MANIFEST
        try:
            with open(path, encoding="utf-8") as handle:
                manifest = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as error:  # ValueError: not UTF-8 or JSON
            logger.warning("ignoring unreadable manifest %s: %s", path, error)
            return None
        if not isinstance(manifest, dict):
            logger.warning("ignoring manifest %s: not a JSON object", path)
            return None
        return manifest

    def manifests(self) -> dict[str, dict[str, Any]]:
        """Every finished run's manifest, by run id."""
        out: dict[str, dict[str, Any]] = {}
        if not self.runs_dir.is_dir():
            return out
        for folder in sorted(self.runs_dir.iterdir()):
            manifest = self.read_manifest(folder.name)
            if manifest is not None:
                out[folder.name] = manifest
        return out

    def statuses(self) -> dict[str, str]:
        """Status (completed, failed, timeout) of every finished run, by run id."""
        return {run_id: m.get("status", "failed") for run_id, m in self.manifests().items()}

    def trajectory_files(self, run_id: str) -> list[Path]:
        """The committed Parquet parts of ``run_id``'s trajectory, in order."""
        folder = self.runs_dir / run_id / TRAJECTORY_DIR
        return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))

    def load_trajectories(self, run_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Trajectory rows of completed runs with their config columns (see ``load_results``).

        ``run_ids`` selects runs (default: all); DatasetError names an id with no finished
        run here, or says so when no selected run completed with a trajectory.
        """
        manifests = self.manifests()
        if run_ids is None:
            selected = manifests
        else:
            run_ids = list(run_ids)
            unknown = [r for r in run_ids if r not in manifests]
            if unknown:
                raise DatasetError(
                    f"no finished run {unknown[0]!r} under {self.root} "
                    f"({len(manifests)} finished runs there)"
                )
            selected = {r: manifests[r] for r in run_ids}
        frames = []
        for run_id, manifest in selected.items():
            if manifest.get("status") != "completed":
                continue
            files = self.trajectory_files(run_id)
            if not files:
                continue
            frame = pd.concat([read_parquet(f, "trajectory") for f in files], ignore_index=True)
            for column, value in _run_columns(manifest).items():
                frame[column] = value
            frames.append(frame)
        if not frames:
            raise DatasetError(f"no completed runs with trajectories under {self.root}")
        data = pd.concat(frames, ignore_index=True)
        data = data.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)
        return _homogenise(data)

    def run_table(self) -> pd.DataFrame:
        """One row per finished run (any status) with the columns :data:`RUN_COLUMNS`."""
        rows = [_run_row(m) for m in self.manifests().values()]
        return pd.DataFrame(rows, columns=list(RUN_COLUMNS))

    def collect(self) -> tuple[Path, Path]:
        """Write ``results.parquet`` and ``runs.parquet`` (atomically); returns their paths."""
        results, runs = self.root / "results.parquet", self.root / "runs.parquet"
        for path, frame in ((results, self.load_trajectories()), (runs, self.run_table())):
            temporary = path.with_name(f".{path.name}.tmp")
            frame.to_parquet(temporary, index=False)
            os.replace(temporary, path)
        return results, runs


def _run_columns(manifest: dict[str, Any]) -> dict[str, Any]:
    """Per-run columns added to every trajectory row."""
    config = manifest.get("config", {})
    env = manifest.get("env", {})
    return {
        "objective": manifest.get("objective_label", "default"),
        "objective_kind": env.get("objective_kind", ""),
        "objective_metrics": json.dumps(env.get("objective_metrics", [])),
        "setting": manifest.get("setting_id", ""),
        "hyperparameters": manifest.get("hyperparameters_label", ""),
        "budget": config.get("budget"),
        "sweep": manifest.get("sweep", ""),
    }


def _run_row(manifest: dict[str, Any]) -> dict[str, Any]:
    config = manifest.get("config", {})
    result = manifest.get("result") or {}
    return {
        "run_id": manifest.get("run_id"),
        "status": manifest.get("status"),
        "env_id": config.get("env_id"),
        "workload": (manifest.get("env") or {}).get("workload") or str(config.get("workload")),
        "objective": manifest.get("objective_label"),
        "agent": config.get("agent"),
        "setting": manifest.get("setting_id"),
        "hyperparameters": manifest.get("hyperparameters_label"),
        "seed": config.get("seed"),
        "budget": config.get("budget"),
        "evaluations": result.get("evaluations"),
        "best_reward": result.get("best_reward"),
        "target_met": result.get("target_met"),
        "evaluations_to_target": result.get("evaluations_to_target"),
        "duration_s": manifest.get("duration_s"),
        "started_at": manifest.get("started_at"),
        "error": manifest.get("error"),
    }


def _homogenise(data: pd.DataFrame) -> pd.DataFrame:
    """Make object columns Parquet-safe: mixed value types (a knob that is a number in one
    env and a label in another) become text."""
    for column in data.columns:
        if data[column].dtype != object:
            continue
        kinds = {type(v) for v in data[column].dropna()}
        if len(kinds) > 1:
            data[column] = data[column].map(lambda v: v if v is None else str(v))
    return data


def load_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """All trajectory rows of a sweep, one row per evaluation.

    ``path`` is a sweep output folder (read fresh from the run folders) or a
    ``results.parquet`` file. Columns: the trajectory columns of
    :class:`archgym.data.TrajectoryRecorder` (run_id, env_id, workload, agent,
    agent_hparams, seed, step, knobs, metrics, reward, target_met, ...) plus objective,
    objective_kind, objective_metrics, setting (hyperparameter-setting id),
    hyperparameters (readable label), budget and sweep. Raises DatasetError when there is
    nothing to load.
    """
    path = Path(path)
    if path.is_dir():
        return ResultStore(path).load_trajectories()
    if path.is_file():
        return read_parquet(path, "results")
    raise DatasetError(f"no sweep results at {path}")
