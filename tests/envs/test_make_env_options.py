"""make_env options: every bad value gets an archgym error naming the option."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgym.envs import make_env
from archgym.envs.registry import option_parameters
from archgym.errors import ArchGymError, ConfigError
from tests.fuzzing import FUZZ_SETTINGS

#: The native envs (the third-party ones need their tools and build slowly).
ENVS = [
    "archgym/Analytic-v0",
    "archgym/DRAM-v0",
    "archgym/Mapping-v0",
    "archgym/SoC-v0",
    "archgym/Distributed-v0",
    "archgym/DistributedInference-v0",
]
#: Options that are fine with any value the strategy draws, or slow to build with them.
SKIP = {"workload", "objective", "proxy", "cost_model"}

CARELESS_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(["5", "true", "", "1e3", "-1", "\x00", "no/such/file.yaml"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
    st.complex_numbers(max_magnitude=10),
)


@pytest.mark.parametrize("env_id", ENVS)
@FUZZ_SETTINGS
@given(data=st.data())
def test_careless_option_values_build_or_raise_an_archgym_error(env_id, data):
    name = data.draw(st.sampled_from(sorted(set(option_parameters(env_id)) - SKIP)))
    value = data.draw(CARELESS_VALUES)
    if name in ("trace_length", "max_steps", "z_levels", "max_pes", "cache_size") and (
        isinstance(value, int) and value > 100_000
    ):
        value = -value  # huge sizes are valid but slow to build
    try:
        env = make_env(env_id, **{name: value})
    except ArchGymError as error:
        # The env checked the value itself: make_env's net for bare exceptions was not needed.
        assert "cannot build with options" not in str(error), error
        assert name.replace("_", " ") in str(error).replace("_", " ").lower(), error
    else:
        env.close()


@pytest.mark.parametrize(
    ("env_id", "options", "expected"),
    [
        ("archgym/DRAM-v0", {"trace_length": 2.5}, "option 'trace_length' must be an integer"),
        ("archgym/DRAM-v0", {"seed": -1}, "seed: -1 is out of range"),
        ("archgym/DRAM-v0", {"extra_knobs": "yes"}, "'extra_knobs' must be true or false"),
        ("archgym/DRAM-v0", {"trace_length": 10**12}, "trace_length"),
        ("archgym/Analytic-v0", {"z_levels": 10**19}, "has 10000000000000000000 values"),
        ("archgym/Analytic-v0", {"workload": None}, "analytic workload must be"),
        ("archgym/Analytic-v0", {"cache_size": -1}, "cache_size: -1 is out of range"),
        ("archgym/Analytic-v0", {"invalid_reward": "low"}, "'invalid_reward' must be"),
        ("archgym/Analytic-v0", {"invalid_reward": math.nan}, "'invalid_reward' must be"),
        ("archgym/Analytic-v0", {"terminate_on_target": 1}, "'terminate_on_target' must be"),
        ("archgym/Analytic-v0", {"env_id": "mine"}, "'env_id' (set by the env itself)"),
        ("archgym/SoC-v0", {"library": 0}, "library must be a HardwareLibrary"),
        ("archgym/Accelerator-v0", {"word_bits": 0}, "word_bits: 0 is out of range"),
        ("archgym/Accelerator-v0", {"node_nm": -45.0}, "node_nm: -45.0 is out of range"),
        ("archgym/Accelerator-v0", {"seed": -3}, "seed: -3 is out of range"),
        ("archgym/DRAMsim3-v0", {"binry": "x"}, "unknown option 'binry'"),
        ("archgym/Timeloop-v0", {"wordbits": 8}, "unknown option 'wordbits'"),
    ],
)
def test_bad_options_are_named(env_id, options, expected):
    with pytest.raises(ArchGymError) as info:
        make_env(env_id, **options)
    assert expected in str(info.value)
    assert info.value.__cause__ is None or isinstance(info.value.__cause__, ArchGymError)


def test_a_factory_bug_still_surfaces_as_config_error_with_its_cause(monkeypatch):
    import archgym.envs.analytic as analytic

    def broken(**options):
        raise KeyError("bug")

    monkeypatch.setattr(analytic, "make_analytic_env", broken)
    with pytest.raises(ConfigError, match="cannot build with options {}: KeyError") as info:
        make_env("archgym/Analytic-v0")
    assert isinstance(info.value.__cause__, KeyError)


@pytest.mark.parametrize(
    ("env_id", "option"),
    [
        ("archgym/DRAMsim3-v0", "binary"),
        ("archgym/Ramulator2-v0", "org_preset"),
        ("archgym/DRAMSys-v0", "memspec_file"),
        ("archgym/Timeloop-v0", "word_bits"),
        ("archgym/AstraSim-v0", "endpoint_delay"),
    ],
)
def test_external_envs_accept_the_options_they_pass_to_their_tool(env_id, option):
    assert option in option_parameters(env_id)
    assert "timeout_s" in option_parameters(env_id)
