from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import archgym.envs  # noqa: F401  (registers the envs)
from archgym.envs.accelerator import archgym_targets, make_accelerator_env
from archgym.errors import ConfigError
from archgym.simulators.accelerator import Layer, Network
from archgym.simulators.accelerator.simulator import (
    DEFAULT_TIMELOOP_DESIGN,
    AcceleratorSimulator,
    timeloop_design_space,
)

# a small two-layer network keeps the knob sweep fast; AlexNet-like shapes
SMALL = Network(
    "small",
    (
        Layer("a", K=64, C=32, P=14, Q=14, R=3, S=3),
        Layer("b", K=128, C=64, P=7, Q=7),
    ),
)


def test_check_env_passes():
    env = gym.make("archgym/Accelerator-v0", workload=SMALL, objective="edp", mapper_budget=64)
    check_env(env.unwrapped, skip_render_check=True)


def test_space_has_timeloopgym_knobs():
    space = timeloop_design_space()
    assert len(space) == 26
    assert space["nPEs"].values[0] == 14 and space["nPEs"].values[-1] == 336
    assert list(space["sgb_memory_depth"].values) == [2**i for i in range(10, 17)]
    assert space.validate(DEFAULT_TIMELOOP_DESIGN) == DEFAULT_TIMELOOP_DESIGN


@pytest.fixture(scope="module")
def sim():
    return AcceleratorSimulator(mapper_budget=200)


@pytest.fixture(scope="module")
def base_metrics(sim):
    return sim.evaluate(DEFAULT_TIMELOOP_DESIGN, SMALL)


@pytest.mark.parametrize("knob", timeloop_design_space().names)
def test_every_timeloopgym_knob_changes_a_metric(sim, base_metrics, knob):
    space = sim.design_space
    param = space[knob]
    changed = False
    for value in param.values:
        if value == DEFAULT_TIMELOOP_DESIGN[knob]:
            continue
        design = dict(DEFAULT_TIMELOOP_DESIGN, **{knob: value})
        metrics = sim.evaluate(design, SMALL)
        if any(
            not np.isclose(metrics[m], base_metrics[m], rtol=1e-9)
            for m in ("energy_uj", "area_mm2", "cycles")
        ):
            changed = True
            break
    assert changed, f"{knob} changed no metric"


def test_more_pes_cut_cycles_and_add_area(sim, base_metrics):
    big = sim.evaluate(dict(DEFAULT_TIMELOOP_DESIGN, nPEs=336), SMALL)
    assert big["cycles"] < base_metrics["cycles"]
    assert big["area_mm2"] > base_metrics["area_mm2"]


def test_archgym_baseline_objective_formula():
    targets = archgym_targets("alexnet")
    assert targets["energy_uj"] == ("<=", pytest.approx(29206 * 0.7))
    assert targets["cycles"] == ("<=", pytest.approx(7885704 * 0.8))
    env = make_accelerator_env("alexnet", "archgym_baseline", mapper_budget=64)
    metrics = {"energy_uj": 29206 * 0.7 * 1.5, "area_mm2": 1.0, "cycles": 7885704 * 0.8 * 2}
    # ArchGym: sum of max((x - target) / target, 0), maximised as its negative
    assert env.objective.reward(metrics) == pytest.approx(-(0.5 + 0.0 + 1.0))
    assert not env.objective.target_met(metrics)


def test_unknown_baseline_network_is_clear():
    with pytest.raises(ConfigError, match="ArchGym baselines exist for"):
        make_accelerator_env("vgg16", "archgym_baseline")


def test_edp_objective_and_step_info():
    env = make_accelerator_env(SMALL, "edp", mapper_budget=64)
    env.reset(seed=0)
    _, reward, _, _, info = env.step(env.encode(DEFAULT_TIMELOOP_DESIGN))
    assert info["valid"]
    m = info["metrics"]
    assert m["edp"] == pytest.approx(m["energy_uj"] * m["cycles"])
    assert reward < 0


def test_unknown_mapper_objective_is_rejected_when_built():
    with pytest.raises(ConfigError, match="mapper_objective 'fastest'"):
        make_accelerator_env(mapper_objective="fastest")


def test_huge_layer_dimension_does_not_hang(tmp_path):
    # a GAMMA CSV row with a 10^9-sized K: the mapper factorises and merges the loop, so
    # the first step finishes (it used to run for minutes)
    path = tmp_path / "huge.csv"
    path.write_text("K,C,Y,X,R,S,T\n1000000000,3,7,7,1,1,1\n")
    env = make_accelerator_env(str(path), "edp", mapper_budget=64)
    env.reset(seed=0)
    _, _, _, _, info = env.step(env.encode(DEFAULT_TIMELOOP_DESIGN))
    assert info["valid"]
    assert info["metrics"]["cycles"] >= 1e9 * 3 * 49 / 168
