from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import gymnasium as gym
import pandas as pd
import pytest

import archgym  # noqa: F401
from archgym.data import TRAJECTORY_COLUMNS, TrajectoryRecorder, load_trajectories
from archgym.errors import DatasetError


def record(out_dir, steps=25, flush_every=7, seed=3):
    env = TrajectoryRecorder(
        gym.make("archgym/Analytic-v0", max_steps=10),
        out_dir,
        run_id="run-a",
        agent="random",
        hyperparameters={"mode": "uniform"},
        seed=seed,
        flush_every=flush_every,
    )
    env.reset(seed=seed)
    env.action_space.seed(seed)
    rewards = []
    for _ in range(steps):
        _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
        rewards.append(reward)
        if terminated or truncated:
            env.reset()
    env.close()
    return rewards


def test_recorded_run_reloads_with_one_column_per_knob_and_metric(tmp_path):
    rewards = record(tmp_path)
    data = load_trajectories(tmp_path)
    assert len(data) == 25 and data["step"].tolist() == list(range(25))
    assert set(TRAJECTORY_COLUMNS) <= set(data.columns)
    assert {"kind", "x", "y", "width", "z", "cost", "area"} <= set(data.columns)
    assert data["reward"].tolist() == pytest.approx(rewards)
    assert data["episode"].tolist() == [0] * 10 + [1] * 10 + [2] * 5
    assert json.loads(data["agent_hparams"][0]) == {"mode": "uniform"}
    assert (data["env_id"] == "archgym/Analytic-v0").all()
    assert len(list(tmp_path.glob("*.parquet"))) == 4  # 7 + 7 + 7 + 4 rows


def test_same_seed_same_trajectory(tmp_path):
    record(tmp_path / "a")
    record(tmp_path / "b")
    columns = ["step", "kind", "x", "y", "width", "z", "cost", "reward"]
    pd.testing.assert_frame_equal(
        load_trajectories(tmp_path / "a")[columns], load_trajectories(tmp_path / "b")[columns]
    )


def test_glob_and_missing_paths(tmp_path):
    record(tmp_path)
    assert len(load_trajectories(str(tmp_path / "run-a-*.parquet"))) == 25
    with pytest.raises(DatasetError, match="no trajectory files"):
        load_trajectories(tmp_path / "nothing-here")


def test_killed_recording_leaves_only_readable_files(tmp_path):
    # The child records, and on its third part file dies by SIGKILL after writing the
    # temporary file but before the rename, as if the machine pulled the plug.
    script = textwrap.dedent(
        f"""
        import os, signal, gymnasium as gym, archgym
        from archgym.data import TrajectoryRecorder
        real_replace, calls = os.replace, []
        def dying_replace(src, dst):
            calls.append(dst)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            real_replace(src, dst)
        os.replace = dying_replace
        env = TrajectoryRecorder(gym.make("archgym/Analytic-v0", max_steps=10**6),
                                 {str(tmp_path)!r}, run_id="killed", flush_every=5)
        env.reset(seed=0)
        env.action_space.seed(0)
        while True:
            env.step(env.action_space.sample())
        """
    )
    process = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert process.returncode == -9
    assert len(list(tmp_path.glob(".*.tmp"))) == 1
    data = load_trajectories(tmp_path)
    assert data["step"].tolist() == list(range(10))


def test_name_clash_is_refused(tmp_path):
    from archgym.envs.base import DesignEnv
    from archgym.simulator import MetricSpec
    from archgym.simulators.analytic import PRESETS, AnalyticSimulator

    class Clashing(AnalyticSimulator):
        @property
        def metric_specs(self):
            return (MetricSpec("reward", ""), MetricSpec("cost", ""), MetricSpec("area", ""))

        def evaluate(self, design, workload):
            return {**super().evaluate(design, workload), "reward": 0.0}

    env = DesignEnv(Clashing(), PRESETS["default"], "target: cost <= 1")
    with pytest.raises(archgym.ConfigError, match="reward"):
        TrajectoryRecorder(env, tmp_path)


def test_repeated_resets_do_not_skip_episode_numbers(tmp_path):
    env = TrajectoryRecorder(gym.make("archgym/Analytic-v0"), tmp_path, run_id="r")
    env.reset(seed=0)
    env.reset(seed=0)
    env.step(env.action_space.sample())
    env.reset()
    env.reset()
    env.step(env.action_space.sample())
    env.close()
    assert load_trajectories(tmp_path)["episode"].tolist() == [0, 1]
