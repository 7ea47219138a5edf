"""Envs on external binaries (run here on stand-ins) and validate_adapter."""

from __future__ import annotations

import pytest

import archgym
from archgym.errors import ConfigError
from archgym.simulators.external import ToolNotFoundError
from archgym.simulators.external.dram_common import NATIVE_FIXED_KNOBS
from tests.simulators.external.standins import write_standin


@pytest.fixture(scope="module")
def standins(tmp_path_factory):
    directory = tmp_path_factory.mktemp("standins")
    return {tool: write_standin(directory, tool) for tool in ("dramsim3", "timeloop", "astrasim")}


def test_an_env_without_its_binary_says_how_to_point_at_it(monkeypatch):
    monkeypatch.delenv("ARCHGYM_DRAMSIM3", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ToolNotFoundError, match=r"--env-arg binary=.*\$ARCHGYM_DRAMSIM3"):
        archgym.make_env("archgym/DRAMsim3-v0")


def test_dram_env_splits_tool_and_env_options(standins):
    env = archgym.make_env(
        "archgym/DRAMsim3-v0",
        binary=standins["dramsim3"],
        workload="random",
        trace_length=300,
        memspec="DDR4-2400",
        max_steps=3,
        objective="bandwidth",
    )
    base = env.unwrapped
    assert base.simulator.memspec.name == "DDR4-2400" and len(base.workload) == 300
    assert base.max_steps == 3 and base.objective.describe() == "1*bandwidth_gbps"
    env.reset(seed=0)
    _, reward, _, _, info = env.step(env.action_space.sample())
    # a weighted sum of metrics over their scales (bandwidth: 10 GB/s), higher is better
    assert info["valid"] and reward == pytest.approx(info["metrics"]["bandwidth_gbps"] / 10)


def test_power_objective_is_archgyms_one_watt_target(standins):
    env = archgym.make_env("archgym/DRAMsim3-v0", binary=standins["dramsim3"], trace_length=100)
    assert "power_mw <= 1000" in env.unwrapped.objective.describe()


def test_timeloop_and_astrasim_envs_run(standins):
    env = archgym.make_env("archgym/Timeloop-v0", binary=standins["timeloop"])
    space = env.unwrapped.design_space
    design = {**space.sample(env.unwrapped.np_random), "rf_entries": 64}
    _, _, _, _, info = env.unwrapped.evaluate_design(design)
    assert info["valid"] and info["metrics"]["cycles"] > 0
    env = archgym.make_env("archgym/AstraSim-v0", binary=standins["astrasim"], npus=8)
    env.reset(seed=0)
    _, _, _, _, info = env.step(env.action_space.sample())
    assert info["valid"] and info["metrics"]["step_time_ns"] >= 400_000


def test_unknown_adapter_and_wrong_counterpart_are_config_errors(standins):
    from archgym.envs.external import make_adapter, validate_adapter

    with pytest.raises(ConfigError, match="known adapters: dramsim3, ramulator2"):
        make_adapter("gem5")
    options = {"binary": standins["dramsim3"]}
    with pytest.raises(ConfigError, match="validated against archgym/DRAM-v0, not archgym/SoC"):
        validate_adapter("archgym/SoC-v0", "dramsim3", 2, adapter_options=options)
    with pytest.raises(ConfigError, match="no native counterpart.*dramsim3, ramulator2, dramsys"):
        validate_adapter(
            "archgym/Accelerator-v0",
            "timeloop",
            2,
            adapter_options={"binary": standins["timeloop"]},
        )


def test_validate_adapter_runs_both_models_on_the_same_designs(standins):
    from archgym.envs.external import validate_adapter

    result = validate_adapter(
        "archgym/DRAM-v0",
        "dramsim3",
        4,
        seed=1,
        env_options={"trace_length": 200},
        adapter_options={"binary": standins["dramsim3"]},
        jobs=2,
    )
    assert len(result.designs) == 4 and result.workload == "stream"
    assert {d["TransactionQueueSize"] for d in result.designs} == {32}
    table = result.table().set_index("metric")
    # the tools count read latency from controller acceptance, as DRAM-v0's controller_latency_ns
    assert table.loc["read_latency_ns", "native_metric"] == "controller_latency_ns"
    assert table.loc["sim_time_ns", "n"] == 4
    # the first native design: the shared knobs, DRAMsim3's behaviour for the others
    native = archgym.make_env("archgym/DRAM-v0", trace_length=200).unwrapped
    first = result.designs[0]
    shared = ("PagePolicy", "SchedulerBuffer", "RequestBufferSize", "RefreshPolicy")
    design = {**NATIVE_FIXED_KNOBS, **{knob: first[knob] for knob in shared}}
    expected = native.simulator.evaluate(design, native.workload)
    assert result.native_metrics.iloc[0]["sim_time_ns"] == pytest.approx(expected["sim_time_ns"])


def test_collect_with_two_processes_on_one_checkout(standins, tmp_path):
    from archgym.data.collect import collect

    options = {"binary": str(standins["dramsim3"]), "trace_length": 100, "work_root": str(tmp_path)}
    parallel = collect("archgym/DRAMsim3-v0", 8, jobs=2, env_options=options)
    serial = collect("archgym/DRAMsim3-v0", 8, jobs=1, env_options=options)
    columns = ["sim_time_ns", "energy_nj", "read_latency_ns", "PagePolicy", "TransactionQueueSize"]
    assert parallel[columns].equals(serial[columns]) and parallel["valid"].all()
    assert list(tmp_path.iterdir()) == []
