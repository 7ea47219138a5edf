"""The sweep spec: structure checks, semantic checks before any run, and run expansion."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archgym.errors import ConfigError
from archgym.experiments import (
    RunConfig,
    agent_settings,
    check_spec,
    expand_runs,
    load_spec,
    parse_spec,
    run_sweep,
)
from tests.experiments.specs import small_spec


def test_small_spec_expands_to_the_cartesian_product() -> None:
    spec = parse_spec(small_spec())
    runs = expand_runs(spec)
    # 2 workloads x 2 modes x 2 seeds
    assert len(runs) == 8
    assert {(r.workload, r.hyperparameters["mode"], r.seed) for r in runs} == {
        (w, m, s) for w in ("default", "shifted") for m in ("uniform", "walk") for s in (0, 1)
    }
    assert all(r.budget == 12 and r.env_id == "archgym/Analytic-v0" for r in runs)
    assert len({r.run_id for r in runs}) == 8


def test_grid_merges_fixed_values_and_multiplies_lists() -> None:
    spec = parse_spec(
        small_spec(
            agents=[
                {
                    "name": "random",
                    "hyperparameters": {"mode": "walk"},
                    "grid": {"restart_prob": [0.0, 0.5, 1.0]},
                }
            ]
        )
    )
    settings = agent_settings(spec.agents[0])
    assert settings == [{"mode": "walk", "restart_prob": p} for p in (0.0, 0.5, 1.0)]


def test_random_draws_are_seeded_and_in_range() -> None:
    agent = {
        "name": "random",
        "random": {
            "draws": 5,
            "seed": 3,
            "ranges": {"restart_prob": {"low": 0.01, "high": 0.5, "log": True}, "mode": ["walk"]},
        },
    }
    first = agent_settings(parse_spec(small_spec(agents=[agent])).agents[0])
    again = agent_settings(parse_spec(small_spec(agents=[agent])).agents[0])
    assert first == again
    assert len(first) == 5 and len({s["restart_prob"] for s in first}) == 5
    assert all(0.01 <= s["restart_prob"] <= 0.5 and s["mode"] == "walk" for s in first)
    agent["random"]["seed"] = 4
    assert agent_settings(parse_spec(small_spec(agents=[agent])).agents[0]) != first


def test_integer_ranges_draw_integers() -> None:
    spec = parse_spec(
        {
            "budget": 5,
            "envs": ["archgym/Analytic-v0"],
            "agents": [
                {
                    "name": "random",
                    "random": {
                        "draws": 20,
                        "ranges": {"x": {"low": 2, "high": 4, "integer": True}},
                    },
                }
            ],
        }
    )
    values = {s["x"] for s in agent_settings(spec.agents[0])}
    assert values <= {2, 3, 4} and all(isinstance(v, int) for v in values)


def test_run_id_is_a_stable_hash_of_the_config() -> None:
    config = RunConfig("archgym/Analytic-v0", workload="default", agent="random", seed=1, budget=5)
    assert config.run_id == RunConfig.from_dict(config.to_dict()).run_id
    assert re.fullmatch(r"random-[0-9a-f]{16}", config.run_id)
    changed = [
        RunConfig("archgym/Analytic-v0", workload="shifted", agent="random", seed=1, budget=5),
        RunConfig("archgym/Analytic-v0", workload="default", agent="random", seed=2, budget=5),
        RunConfig("archgym/Analytic-v0", workload="default", agent="random", seed=1, budget=6),
        RunConfig(
            "archgym/Analytic-v0",
            workload="default",
            agent="random",
            seed=1,
            budget=5,
            hyperparameters={"mode": "walk"},
        ),
    ]
    assert len({config.run_id, *(c.run_id for c in changed)}) == 5
    # The setting id ignores the seed: it names the hyperparameter setting.
    assert changed[1].setting_id == config.setting_id != changed[3].setting_id


def test_duplicate_configs_run_once() -> None:
    spec = parse_spec(small_spec(agents=["random", {"name": "random"}]))
    assert len(expand_runs(spec)) == 4


def test_seeds_as_count_or_list() -> None:
    assert parse_spec(small_spec(seeds=3)).seeds == (0, 1, 2)
    assert parse_spec(small_spec(seeds=[7, 11])).seeds == (7, 11)


def test_load_spec_resolves_relative_paths(write_spec) -> None:
    path = write_spec(small_spec(output="results/small", imports=["plugin.py", "json"]))
    spec = load_spec(path)
    assert spec.output == str((path.parent / "results/small").resolve())
    assert spec.imports == (str((path.parent / "plugin.py").resolve()), "json")
    assert spec.name == "small"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"budgt": 5}, "budgt"),
        ({"budget": "ten"}, "budget"),
        ({"budget": 0}, "budget"),
        ({"seeds": [0, "one"]}, r"seeds\[1\]"),
        ({"timeout": -1}, "timeout"),
        ({"stop_on_target": "yes"}, "stop_on_target"),
        (
            {"envs": [{"id": "archgym/Analytic-v0", "workload": ["default"]}]},
            r"envs\[0\]\.workload",
        ),
        ({"envs": [{"workloads": ["default"]}]}, r"envs\[0\]\.id"),
        ({"envs": [{"id": "archgym/Analytic-v0", "options": [1]}]}, r"envs\[0\]\.options"),
        ({"agents": [{"name": "random", "grid": {"mode": "walk"}}]}, r"agents\[0\]\.grid\.mode"),
        ({"agents": [{"name": "random", "hyperparams": {}}]}, r"agents\[0\]\.hyperparams"),
        (
            {"agents": [{"name": "random", "random": {"draws": 2, "ranges": {"p": {"low": 1}}}}]},
            r"agents\[0\]\.random\.ranges\.p",
        ),
        ({"agents": []}, "agents"),
    ],
)
def test_structural_errors_name_the_key(change: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{key}:"):
        parse_spec(small_spec(**change))


def test_missing_required_key_is_named() -> None:
    spec = small_spec()
    del spec["budget"]
    with pytest.raises(ConfigError, match=r"^budget: missing"):
        parse_spec(spec)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"agents": [{"name": "random"}, {"name": "simulated_annealing"}]}, r"agents\[1\]\.name"),
        (
            {"agents": [{"name": "random", "grid": {"population_size": [4, 8]}}]},
            r"agents\[0\]\.grid\.population_size",
        ),
        (
            {"agents": [{"name": "random", "hyperparameters": {"restart_prob": "high"}}]},
            r"agents\[0\]\.hyperparameters\.restart_prob",
        ),
        (
            {"agents": [{"name": "random", "grid": {"restart_prob": [0.1, 7]}}]},
            r"agents\[0\]\.grid\.restart_prob",
        ),
        ({"envs": [{"id": "archgym/Nope-v0"}]}, r"envs\[0\]\.id"),
        (
            {"envs": [{"id": "archgym/Analytic-v0", "workloads": ["default", "tilted"]}]},
            r"envs\[0\]\.workloads\[1\]",
        ),
        (
            {"envs": [{"id": "archgym/Analytic-v0", "objectives": ["target: latency_ns <= 3"]}]},
            r"envs\[0\]\.objectives\[0\]",
        ),
        (
            {"envs": [{"id": "archgym/Analytic-v0", "options": {"max_stepz": 3}}]},
            r"envs\[0\]\.options\.max_stepz",
        ),
    ],
)
def test_semantic_errors_name_the_key(change: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{key}:"):
        check_spec(parse_spec(small_spec(**change)))


def test_invalid_spec_fails_before_any_run(write_spec, tmp_path: Path) -> None:
    bad = small_spec(agents=[{"name": "random"}, {"name": "random", "grid": {"modes": ["walk"]}}])
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match=r"^agents\[1\]\.grid\.modes: unknown hyperparameter"):
        run_sweep(write_spec(bad), out)
    assert not out.exists()


def test_unimportable_plugin_is_named(write_spec) -> None:
    spec = load_spec(write_spec(small_spec(imports=["missing_plugin.py"])))
    with pytest.raises(ConfigError, match=r"^imports\[0\]: cannot import"):
        check_spec(spec)
