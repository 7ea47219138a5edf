"""TrajectoryRecorder: a Gymnasium wrapper that logs one row per evaluation to Parquet.

Rows are buffered and written in part files ``<run_id>-<part>.parquet``. Each part
is written under a temporary dot-name and renamed into place, so a process killed
at any moment leaves only complete, readable parts (and at most one hidden
temporary file, which loaders ignore).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import gymnasium as gym
import pandas as pd

from archgym.errors import ConfigError

#: Columns every trajectory row has, besides one column per knob and per metric.
TRAJECTORY_COLUMNS = (
    "run_id",
    "env_id",
    "workload",
    "agent",
    "agent_hparams",
    "seed",
    "step",
    "episode",
    "reward",
    "target_met",
    "valid",
    "invalid_reason",
    "eval_time_s",
    "cache_hit",
    "wall_time",
)


class TrajectoryRecorder(gym.Wrapper):
    """Record every ``step`` of a DesignEnv as a trajectory row.

    Args:
        env: a DesignEnv, possibly wrapped.
        out_dir: folder for the Parquet part files (created if missing).
        run_id: identifies the run in every row and names the files (default: random).
        agent, hyperparameters, seed: recorded in every row.
        flush_every: rows per part file; ``close()`` writes what remains.
    """

    def __init__(
        self,
        env: gym.Env,
        out_dir: str | os.PathLike[str],
        *,
        run_id: str | None = None,
        agent: str = "",
        hyperparameters: dict[str, Any] | None = None,
        seed: int | None = None,
        flush_every: int = 256,
    ) -> None:
        super().__init__(env)
        if flush_every < 1:
            raise ConfigError(f"flush_every must be at least 1, got {flush_every}")
        base = env.unwrapped
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.flush_every = flush_every
        self.knob_names = tuple(base.design_space.names)
        self.metric_names = tuple(m.name for m in base.metric_specs)
        clashes = set(self.knob_names) & (set(self.metric_names) | set(TRAJECTORY_COLUMNS))
        clashes |= set(self.metric_names) & set(TRAJECTORY_COLUMNS)
        if clashes:
            raise ConfigError(
                f"cannot record: name(s) {', '.join(sorted(clashes))} are used by more than "
                "one trajectory column"
            )
        self._constant = {
            "run_id": self.run_id,
            "env_id": base.env_id,
            "workload": base.workload_name,
            "agent": agent,
            "agent_hparams": json.dumps(hyperparameters or {}, sort_keys=True, default=repr),
            "seed": seed,
        }
        self._rows: list[dict[str, Any]] = []
        self._parts = 0
        self._step = 0
        self._episode = 0
        self._episode_start = 0
        self.files: list[Path] = []

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        # A new episode number only once the current episode has recorded a step.
        if self._step > self._episode_start:
            self._episode += 1
            self._episode_start = self._step
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.record(reward, info)
        return observation, reward, terminated, truncated, info

    def record(self, reward: float, info: dict[str, Any]) -> None:
        """Append the row of one evaluation (``info`` as DesignEnv returns it)."""
        design = info.get("design") or {}
        metrics = info.get("metrics") or {}
        stats = info["evaluation"]
        row = dict(self._constant)
        row.update(
            step=self._step,
            episode=self._episode,
            reward=float(reward),
            target_met=bool(info["target_met"]),
            valid=bool(info["valid"]),
            invalid_reason=info["invalid_reason"],
            eval_time_s=float(stats.eval_time_s),
            cache_hit=bool(stats.cache_hit),
            wall_time=time.time(),
        )
        for name in self.knob_names:
            row[name] = design.get(name)
        for name in self.metric_names:
            row[name] = metrics.get(name, float("nan"))
        self._rows.append(row)
        self._step += 1
        if len(self._rows) >= self.flush_every:
            self.flush()

    def flush(self) -> Path | None:
        """Write buffered rows as one complete part file; returns its path (None if empty)."""
        if not self._rows:
            return None
        path = self.out_dir / f"{self.run_id}-{self._parts:05d}.parquet"
        temporary = path.with_name(f".{path.name}.tmp")
        pd.DataFrame(self._rows).to_parquet(temporary, index=False)
        os.replace(temporary, path)
        self._rows.clear()
        self._parts += 1
        self.files.append(path)
        return path

    def close(self) -> None:
        self.flush()
        super().close()
