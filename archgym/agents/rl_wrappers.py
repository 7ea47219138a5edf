"""Gymnasium wrappers that turn a DesignEnv into an RL problem (ArchGym's two formulations).

- :class:`SingleStepDesignWrapper` ("sa"): every episode is one step whose action is a
  whole design; the observation is a constant, so the task is a bandit over designs.
- :class:`SequentialDesignWrapper` ("tdm"): an episode sets one knob per step, in knob
  order; the observation is the partial design (each set knob's index scaled to [0, 1],
  -1 for knobs not yet set) followed by a one-hot of the knob being set. The design is
  evaluated at the last step, which alone carries the reward.

Both evaluate through the wrapped env's ``step`` (so trajectory recorders see every
evaluation), log each evaluation in an :class:`~archgym.agents.base.EvaluationLog`, and
count ``evaluations`` exactly: one per simulated design. With ``clip_invalid`` an
infeasible design is rewarded, for training only, like the worst valid design seen so
far instead of the env's large penalty (the log keeps the env's reward).
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np

from archgym.agents.base import EvaluationLog, StepRecord
from archgym.errors import ConfigError


class _DesignWrapper(gymnasium.Wrapper):
    """Shared evaluation path: decode indices, step the wrapped env, log, shape reward."""

    #: Env steps of this wrapper per design evaluation.
    steps_per_evaluation = 1

    def __init__(self, env: gymnasium.Env, *, clip_invalid: bool = True) -> None:
        super().__init__(env)
        self.base = env.unwrapped
        self.space = self.base.design_space
        self.log = EvaluationLog(self.base)
        self.clip_invalid = clip_invalid
        self.last_record: StepRecord | None = None
        self._worst_valid: float | None = None
        self._inner_needs_reset = True

    @property
    def evaluations(self) -> int:
        return len(self.log)

    def _reset_inner(self, seed: int | None) -> None:
        if self._inner_needs_reset or seed is not None:
            self.env.reset(seed=seed)
            self._inner_needs_reset = False

    def _evaluate(self, indices: np.ndarray) -> tuple[float, dict[str, Any]]:
        design = self.space.from_indices(indices)
        _, reward, terminated, truncated, info = self.env.step(self.base.encode(design))
        self._inner_needs_reset = bool(terminated or truncated)
        self.last_record = self.log.add(design, float(reward), info)
        if info.get("valid", True):
            if self._worst_valid is None or reward < self._worst_valid:
                self._worst_valid = float(reward)
        elif self.clip_invalid:
            reward = self._worst_valid if self._worst_valid is not None else 0.0
        return float(reward), info


class SingleStepDesignWrapper(_DesignWrapper):
    """One-step episodes whose action is a whole design (ArchGym "sa").

    ``discrete_actions=True`` flattens the design to one ``Discrete(space size)`` action
    (for DQN); raises ConfigError when the space is larger than ``max_discrete_actions``
    or contains a real knob.
    """

    def __init__(
        self,
        env: gymnasium.Env,
        *,
        discrete_actions: bool = False,
        max_discrete_actions: int = 20_000,
        clip_invalid: bool = True,
    ) -> None:
        super().__init__(env, clip_invalid=clip_invalid)
        nvec = self.space.nvec
        self.discrete_actions = discrete_actions
        if discrete_actions:
            size = int(np.prod(nvec))
            if size > max_discrete_actions:
                raise ConfigError(
                    f"the 'sa' formulation with a Discrete action needs at most "
                    f"{max_discrete_actions} designs, the space has {size}; "
                    "use formulation='tdm'"
                )
            self.action_space = gymnasium.spaces.Discrete(size)
        else:
            self.action_space = gymnasium.spaces.MultiDiscrete(nvec.copy())
        self.observation_space = gymnasium.spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        self._reset_inner(seed)
        return np.zeros(1, dtype=np.float32), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self.discrete_actions:
            indices = np.array(np.unravel_index(int(action), tuple(self.space.nvec)))
        else:
            indices = np.asarray(action, dtype=np.int64).reshape(-1)
        reward, info = self._evaluate(indices)
        return np.zeros(1, dtype=np.float32), reward, True, False, info


class SequentialDesignWrapper(_DesignWrapper):
    """Episodes that set one knob per step, in knob order (ArchGym "tdm").

    The action is ``Discrete(max number of values of a knob)``; for a knob with fewer
    values, action ``a`` selects index ``a * n_values // n_actions`` (every index is
    reachable by the same number of actions, give or take one).
    """

    def __init__(self, env: gymnasium.Env, *, clip_invalid: bool = True) -> None:
        super().__init__(env, clip_invalid=clip_invalid)
        self.n_knobs = len(self.space)
        self.n_actions = int(self.space.nvec.max())
        self.steps_per_evaluation = self.n_knobs
        self.action_space = gymnasium.spaces.Discrete(self.n_actions)
        self.observation_space = gymnasium.spaces.Box(
            -1.0, 1.0, shape=(2 * self.n_knobs,), dtype=np.float32
        )
        self._indices = np.zeros(self.n_knobs, dtype=np.int64)
        self._position = 0

    def _observation(self) -> np.ndarray:
        obs = np.full(2 * self.n_knobs, -1.0, dtype=np.float32)
        set_knobs = slice(0, self._position)
        scale = np.maximum(self.space.nvec[set_knobs] - 1, 1)
        obs[set_knobs] = self._indices[set_knobs] / scale
        obs[self.n_knobs :] = 0.0
        if self._position < self.n_knobs:
            obs[self.n_knobs + self._position] = 1.0
        return obs

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        self._reset_inner(seed)
        self._position = 0
        self._indices[:] = 0
        return self._observation(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        n_values = int(self.space.nvec[self._position])
        self._indices[self._position] = int(action) * n_values // self.n_actions
        self._position += 1
        if self._position < self.n_knobs:
            return self._observation(), 0.0, False, False, {}
        reward, info = self._evaluate(self._indices.copy())
        return self._observation(), reward, True, False, info
