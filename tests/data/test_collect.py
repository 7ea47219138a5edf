"""archgym.data.collect: samplers, process-parallel evaluation, trajectory schema, CLI."""

from __future__ import annotations

import gymnasium
import numpy as np
import pandas as pd
import pytest

import archgym.envs  # noqa: F401
from archgym.cli import main
from archgym.data import TrajectoryRecorder, load_trajectories
from archgym.data.collect import TIMING_COLUMNS, collect, sample_designs, write_dataset
from archgym.errors import ConfigError
from archgym.simulators.analytic import analytic_space

ENV_ID = "archgym/Analytic-v0"


def test_jobs_do_not_change_the_rows():
    one = collect(ENV_ID, 120, sampler="lhs", jobs=1, seed=5)
    two = collect(ENV_ID, 120, sampler="lhs", jobs=2, seed=5, chunk_size=7)
    pd.testing.assert_frame_equal(
        one.drop(columns=list(TIMING_COLUMNS)), two.drop(columns=list(TIMING_COLUMNS))
    )
    assert one["step"].tolist() == list(range(120))


def test_rows_have_the_recorder_schema_and_metrics(tmp_path):
    data = collect(ENV_ID, 30, seed=2)
    env = TrajectoryRecorder(gymnasium.make(ENV_ID), tmp_path, run_id="ref")
    env.reset(seed=0)
    env.step(env.action_space.sample())
    env.close()
    assert list(data.columns) == list(load_trajectories(tmp_path).columns)
    assert (data["agent"] == "sampler:random").all() and (
        data["run_id"] == "collect-random-2"
    ).all()
    first = data.iloc[0]
    design = {k: first[k] for k in ("kind", "x", "y", "width", "z")}
    _, reward, _, _, info = gymnasium.make(ENV_ID).unwrapped.evaluate_design(design)
    assert first["cost"] == pytest.approx(info["metrics"]["cost"])
    assert first["reward"] == pytest.approx(reward)


def test_random_sampler_is_seeded_and_avoids_repeats():
    space = analytic_space()
    a = sample_designs(space, 200, "random", seed=1)
    assert a == sample_designs(space, 200, "random", seed=1)
    assert a != sample_designs(space, 200, "random", seed=2)
    assert len({space.key(d) for d in a}) == 200
    assert all(space.is_feasible(d) for d in a)


def test_lhs_stratifies_every_knob():
    space = analytic_space()
    designs = sample_designs(space, 40, "lhs", seed=0)
    # 40 strata over x's 10 values: each value exactly 4 times; width's 8 values 5 times.
    assert np.bincount([d["x"] for d in designs]).tolist() == [4] * 10
    assert sorted(pd.Series([d["width"] for d in designs]).value_counts()) == [5] * 8


def test_quasi_random_points_breaking_a_constraint_become_invalid_rows():
    data = collect(ENV_ID, 64, sampler="sobol", seed=0)
    assert len(data) == 64
    broken = data["x"] + data["y"] > 15
    assert broken.any()
    assert (~data.loc[broken, "valid"]).all() and data.loc[broken, "cost"].isna().all()
    assert data.loc[~broken, "valid"].all()


def test_bad_options_raise_config_errors():
    with pytest.raises(ConfigError, match="sampler"):
        sample_designs(analytic_space(), 5, "grid")
    with pytest.raises(ConfigError, match="jobs"):
        collect(ENV_ID, 5, jobs=0)
    with pytest.raises(ConfigError, match="unknown env"):
        collect("archgym/Nope-v0", 5)


def test_cli_collect_writes_one_parquet_file(tmp_path, capsys):
    out = tmp_path / "data.parquet"
    status = main(
        [
            "collect",
            ENV_ID,
            "--n",
            "25",
            "--sampler",
            "sobol",
            "--jobs",
            "1",
            "--seed",
            "4",
            "--out",
            str(out),
            "--workload",
            "shifted",
            "--no-progress",
        ]
    )
    assert status == 0
    data = pd.read_parquet(out)
    assert len(data) == 25 and (data["workload"] == "shifted").all()
    assert "rows" in capsys.readouterr().out


def test_write_dataset_needs_a_parquet_name(tmp_path):
    from archgym.errors import DatasetError

    with pytest.raises(DatasetError, match=".parquet"):
        write_dataset(pd.DataFrame({"a": [1]}), tmp_path / "data.csv")
