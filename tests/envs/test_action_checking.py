"""env.step follows Gymnasium's action contract: shape and dtype checked, values are designs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from archgym.envs.base import DesignEnv
from archgym.errors import InvalidActionError
from archgym.simulators.analytic import PRESETS, AnalyticSimulator
from tests.fuzzing import FUZZ_SETTINGS


def make_env(encoding: str) -> DesignEnv:
    env = DesignEnv(
        AnalyticSimulator(), PRESETS["default"], "target: cost <= 0.001", action_encoding=encoding
    )
    env.reset(seed=0)
    return env


def describe(action) -> str:
    """A test id that is the same in every pytest-xdist worker (no memory addresses)."""
    if isinstance(action, np.ndarray):
        return f"array{action.shape}-{action.dtype}"
    return type(action).__name__ if hasattr(action, "__next__") else repr(action)[:40]


MULTIDISCRETE = make_env("multidiscrete")
BOX = make_env("box")
GOOD_INDICES = MULTIDISCRETE.encode(PRESETS["default"].optimum)
GOOD_UNIT = BOX.encode(PRESETS["default"].optimum)
N = len(GOOD_INDICES)


@pytest.mark.parametrize(
    "action",
    [
        None,
        3,
        np.int64(1),
        1j,
        "01234",
        ["1"] * N,
        np.array(["1"] * N),
        [GOOD_INDICES.tolist()],  # nested list
        GOOD_INDICES.reshape(1, -1),  # 2-D of the right total size: not flattened
        GOOD_INDICES.astype(np.uint64),  # does not cast safely to int64
        GOOD_INDICES.astype(np.float64),
        GOOD_INDICES.astype(complex),
        GOOD_INDICES.astype(object),
        np.zeros(N, dtype=bool),
        [True] * N,
        [1.0] * N,
        GOOD_INDICES[:-1],
        np.array(1),
        {"x": 1},
        (i for i in GOOD_INDICES),
    ],
    ids=describe,
)
def test_multidiscrete_refuses_malformed_actions(action):
    with pytest.raises(InvalidActionError, match=r"expected a numpy array of shape \(5,\)"):
        MULTIDISCRETE.step(action)


@pytest.mark.parametrize(
    "action",
    [
        None,
        0.5,
        "0.5",
        ["0.5"] * N,
        GOOD_UNIT.reshape(1, -1),
        GOOD_UNIT.astype(np.float64),  # Box(float32).contains refuses float64 arrays too
        GOOD_UNIT.astype(np.int64),
        GOOD_UNIT.astype(complex),
        np.ones(N, dtype=bool),
        [[0.5] * N],
        [0.5] * (N + 1),
    ],
    ids=describe,
)
def test_box_refuses_malformed_actions(action):
    with pytest.raises(InvalidActionError, match="float32"):
        BOX.step(action)


@pytest.mark.parametrize(
    "action", [GOOD_INDICES, GOOD_INDICES.tolist(), tuple(GOOD_INDICES.tolist())], ids=describe
)
def test_well_formed_multidiscrete_actions_are_evaluated(action):
    info = MULTIDISCRETE.step(action)[4]
    assert info["valid"] and info["design"] == PRESETS["default"].optimum


@pytest.mark.parametrize(
    "action", [GOOD_UNIT, GOOD_UNIT.tolist(), GOOD_UNIT.astype(np.float16)], ids=describe
)
def test_well_formed_box_actions_are_evaluated(action):
    info = BOX.step(action)[4]
    assert info["valid"] and info["design"] == PRESETS["default"].optimum


def test_values_outside_the_space_are_designs_not_errors():
    out_of_range = MULTIDISCRETE.step(np.array([0, 0, 0, 0, 99]))[4]
    assert not out_of_range["valid"] and "'z'" in out_of_range["invalid_reason"]
    nan = BOX.step(np.full(N, np.nan, dtype=np.float32))[4]
    assert not nan["valid"] and "is not a number" in nan["invalid_reason"]
    clipped = BOX.step(np.array([-3.0, 9.0, 0.5, 0.5, 0.5], dtype=np.float32))[4]
    assert clipped["design"] == BOX.decode(np.array([0, 1, 0.5, 0.5, 0.5], dtype=np.float32))


_DTYPES = st.sampled_from(
    [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
    + [np.float16, np.float32, np.float64, np.bool_, np.complex64]
)


def _gymnasium_accepts(env: DesignEnv, action: np.ndarray) -> bool:
    """Gymnasium's Space.contains on ``action`` with its values moved inside the bounds."""
    space = env.action_space
    if action.dtype.kind == "c" or action.shape != space.shape:
        return False
    low, high = np.zeros(space.shape), np.asarray(getattr(space, "nvec", np.ones(space.shape)))
    upper = high - 1 if env.action_encoding == "multidiscrete" else high
    inside = np.clip(np.nan_to_num(action.astype(np.float64)), low, upper).astype(action.dtype)
    return bool(space.contains(inside))


@pytest.mark.parametrize("env", [MULTIDISCRETE, BOX], ids=lambda e: e.action_encoding)
@FUZZ_SETTINGS
@given(data=st.data())
def test_step_refuses_exactly_what_gymnasium_contains_refuses(env, data):
    shape = data.draw(st.sampled_from([(N,), (N - 1,), (N + 1,), (1, N), (N, 1), ()]))
    dtype = data.draw(_DTYPES)
    action = data.draw(hnp.arrays(dtype, shape))
    # Booleans are the one documented difference: numpy casts them, archgym refuses them.
    refused = dtype is np.bool_ or not _gymnasium_accepts(env, action)
    if refused:
        with pytest.raises(InvalidActionError):
            env.step(action)
    else:
        observation, reward, *_, info = env.step(action)
        assert np.isfinite(reward) and observation.shape == env.observation_space.shape
