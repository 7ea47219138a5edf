from __future__ import annotations

import subprocess
import sys
import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import archgym
from archgym.errors import ConfigError, MissingExtraError
from tests.simulators.external.standins import EXTERNAL_ENVS, write_standin

ENV_IDS = [env_id for env_id, _ in archgym.list_envs()]


@pytest.fixture(scope="module")
def options(tmp_path_factory) -> dict[str, dict]:
    """Envs on external binaries run here on stand-ins (none of the tools is installed)."""
    directory = tmp_path_factory.mktemp("standins")
    out: dict[str, dict] = {
        env_id: {"binary": write_standin(directory, tool)} for env_id, tool in EXTERNAL_ENVS.items()
    }
    for env_id in ("archgym/DRAMsim3-v0", "archgym/Ramulator2-v0", "archgym/DRAMSys-v0"):
        out[env_id]["trace_length"] = 500
    return out


def test_every_env_is_listed_with_a_description():
    assert "archgym/Analytic-v0" in ENV_IDS
    for env_id, description in archgym.list_envs():
        assert env_id.startswith("archgym/") and description


def make_or_skip(env_id: str, options: dict[str, dict]) -> gym.Env:
    """The env, or a skip naming the pip extra when an optional backend is missing."""
    try:
        return gym.make(env_id, **options.get(env_id, {}))
    except MissingExtraError as error:
        pytest.skip(str(error))


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_every_registered_env_passes_check_env(env_id, options):
    env = make_or_skip(env_id, options)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        check_env(env.unwrapped)
    env.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_seeded_reset_then_same_actions_gives_same_results(env_id, options):
    def rollout():
        env = make_or_skip(env_id, options)
        env.reset(seed=11)
        env.action_space.seed(11)
        out = []
        for _ in range(2):
            observation, reward, *_ = env.step(env.action_space.sample())
            out.append((observation.tolist(), reward))
        env.close()
        return out

    assert rollout() == rollout()


def test_module_prefixed_make_works_without_prior_import():
    code = (
        "import sys, gymnasium as gym\n"
        "assert 'archgym' not in sys.modules\n"
        "env = gym.make('archgym:archgym/Analytic-v0')\n"
        "print(type(env.unwrapped).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "DesignEnv"


def test_make_env_names_unknown_env_and_bad_option():
    with pytest.raises(ConfigError, match="'archgym/Nope-v0'.*archgym/Analytic-v0"):
        archgym.make_env("archgym/Nope-v0")
    with pytest.raises(
        ConfigError, match="archgym/Analytic-v0: unknown option 'no_such_option'; known.*z_levels"
    ):
        archgym.make_env("archgym/Analytic-v0", no_such_option=1)
