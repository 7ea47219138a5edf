"""archgym/Distributed-v0 and archgym/DistributedInference-v0: options, files, an agent."""

from __future__ import annotations

import itertools
import json

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import archgym  # noqa: F401  (registers the envs)
from archgym.agents import make_agent
from archgym.envs.distributed import make_distributed_env, make_distributed_inference_env
from archgym.errors import ConfigError, InvalidDesignError, WorkloadError
from archgym.simulators.distributed import (
    ARCHGYM_LAYOUT,
    ParallelLayout,
    TrainingWorkload,
    TransformerModel,
)
from archgym.simulators.distributed.network import network_from_lists


@pytest.mark.parametrize("env_id", ["archgym/Distributed-v0", "archgym/DistributedInference-v0"])
def test_envs_pass_check_env_with_box_actions(env_id):
    env = gym.make(env_id, action_encoding="box")
    check_env(env.unwrapped)


def test_default_env_is_archgyms_gpt3_case_and_its_base_design_runs():
    env = gym.make("archgym/Distributed-v0").unwrapped
    simulator = env.simulator
    assert simulator.npus == 1024 and simulator.base.layout == ARCHGYM_LAYOUT
    assert len(simulator.base.network.dimensions) == 4
    design = {k: v for k, v in simulator.full_design({}).items() if k in env.design_space}
    env.reset(seed=0)
    _, reward, _, _, info = env.evaluate_design(design)
    assert info["valid"], info["invalid_reason"]
    assert reward == pytest.approx(-info["metrics"]["step_time_s"] / 10.0)
    assert info["units"]["step_time_s"] == "s"


def test_workload_config_file_sets_model_batch_and_base_layout(tmp_path, archgym_gpt3_workload):
    path = tmp_path / "gpt3.json"
    path.write_text(json.dumps(archgym_gpt3_workload))
    env = make_distributed_env(str(path)).unwrapped
    assert env.workload.model.layers == 4 and env.workload.global_batch == 2048
    assert env.simulator.base.layout.tp == 4 and env.simulator.base.layout.weight_sharded
    with pytest.raises(WorkloadError, match="use archgym/DistributedInference-v0"):
        data = {k: v for k, v in archgym_gpt3_workload.items() if k != "seq"} | {"decoding": 1100}
        path.write_text(json.dumps(data))
        make_distributed_env(str(path))


def test_serving_from_archgyms_decoding_config(tmp_path, archgym_gpt3_workload):
    data = {k: v for k, v in archgym_gpt3_workload.items() if k != "seq"}
    data |= {"decoding": 1100, "batch": 256, "dp": 64, "sp": 1, "weight_sharded": 0}
    path = tmp_path / "qa_decoding.json"
    path.write_text(json.dumps(data))
    env = make_distributed_inference_env(str(path), scenario="qa").unwrapped
    # the file's 1,100-token context is prompt + 200 / 2
    assert (env.workload.prompt_tokens, env.workload.output_tokens) == (1000, 200)
    assert env.workload.batch == 256


def test_named_scenarios_objectives_and_knob_subsets():
    chat = make_distributed_inference_env(scenario="chat", objective="tpot").unwrapped
    assert (chat.workload.prompt_tokens, chat.workload.output_tokens) == (3000, 1000)
    assert chat.objective.metric_names == ("time_per_output_token_ms",)
    env = make_distributed_env("llama-7b", knobs=["dp", "tp", "network"], global_batch=512)
    names = env.unwrapped.design_space.names
    assert names[:2] == ("dp", "tp") and "topology_dim3" in names
    assert "scheduling_policy" not in names
    assert env.unwrapped.workload.seq_len == 2048


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"workload": "gpt5"}, WorkloadError, "not a model preset"),
        ({"objective": "fastest"}, ConfigError, "objective 'fastest'"),
        ({"knobs": ["dp", "warp"]}, ConfigError, "unknown knob or knob group 'warp'"),
        ({"network": 42}, ConfigError, "network must be"),
        ({"device": "system"}, ConfigError, "roofline-enabled"),
        ({"global_batch": "many"}, ConfigError, "global_batch must be an integer"),
    ],
)
def test_bad_options_raise_archgym_errors(options, error, message):
    with pytest.raises(error, match=message):
        make_distributed_env(**options)


def test_an_infeasible_layout_gets_the_penalty_and_the_reason():
    env = gym.make("archgym/Distributed-v0").unwrapped
    env.reset(seed=0)
    design = {k: v for k, v in env.simulator.full_design({}).items() if k in env.design_space}
    design |= {"dp": 1024, "tp": 1, "pp": 1, "sp": 1, "weight_sharded": 0}
    _, reward, _, _, info = env.evaluate_design(design)
    assert not info["valid"] and reward == env.invalid_reward
    assert "short by" in info["invalid_reason"]  # 175B of weights per GPU


# ---------------------------------------------------------------- search


def small_case():
    """A 6.4B-parameter GPT on 16 GPUs (two 8-GPU nodes): too big for data parallelism
    alone, so the layout must trade tensor, pipeline and sequence parallelism."""
    model = TransformerModel("gpt-8l", 8, 8192, 32, 32768, 51200)
    net = network_from_lists(["Switch", "Switch"], [8, 2], [300.0, 25.0], [1000.0, 2000.0])
    return make_distributed_env(
        TrainingWorkload(model, 32, 2048),
        network=net,
        layout=ParallelLayout(dp=16),
        knobs=["dp", "tp", "pp", "sp", "micro_batch_size", "activation_recomputation"],
        max_steps=1000,
    )


def brute_force(env):
    space, simulator = env.unwrapped.design_space, env.unwrapped.simulator
    best = None
    for values in itertools.product(*([p.value_at(i) for i in range(p.n_values)] for p in space)):
        design = dict(zip(space.names, values, strict=True))
        if not space.is_feasible(design):
            continue
        try:
            step = simulator.evaluate(design)["step_time_s"]
        except InvalidDesignError:
            continue
        if best is None or step < best[0]:
            best = (step, design)
    return best


def test_ant_colony_finds_the_brute_force_best_layout():
    env = small_case()
    best_step, best_design = brute_force(env)
    # 11,250 designs, 443 feasible; the best splits each node's GPUs into tensor pairs
    assert best_design == {
        "dp": 8,
        "tp": 2,
        "pp": 1,
        "sp": 1,
        "micro_batch_size": 4,
        "activation_recomputation": "none",
    }
    result = make_agent("aco", env.unwrapped.design_space, seed=0).run(env, 150)
    assert result.best_design == best_design
    assert result.best_metrics["step_time_s"] == pytest.approx(best_step)
    # uniform random search with the same budget misses it
    env = small_case()
    baseline = make_agent("random", env.unwrapped.design_space, seed=0).run(env, 150)
    assert baseline.best_metrics["step_time_s"] > best_step
