"""DesignEnv: a gymnasium.Env made of a DesignSpace, a Simulator, a Workload and an Objective.

An action is a whole design. The observation is the metric vector normalised by
each metric's scale. An infeasible design never raises out of ``step``: it
yields the objective's ``invalid_reward`` (the documented penalty), an all-zero
observation, ``info["valid"] = False`` and the reason in ``info["invalid_reason"]``.

Actions follow Gymnasium's contract (``Space.contains``) for shape and dtype: a numpy
array of exactly the action space's shape whose dtype casts safely to the space's
(``np.can_cast``: int8..int64 and uint8..uint32 for the MultiDiscrete int64 indices;
float16, float32 and small integers for the float32 Box), or a flat list or tuple of
Python or numpy numbers (integers for MultiDiscrete). Anything else (None, a scalar,
text, complex, booleans, nested lists, another shape, uint64 or float64 arrays) raises
:class:`~archgym.errors.InvalidActionError` out of ``step``: it is a bug in the caller.
Values are the design's business: an index out of its knob's range or a NaN in a unit
vector is an infeasible design (the penalty); unit-vector values outside [0, 1] are
clipped, as Gymnasium's continuous-control envs clip their actions.
"""

from __future__ import annotations

import numbers
import os
import time
from typing import Any

import gymnasium as gym
import numpy as np

from archgym.cache import EvaluationCache
from archgym.errors import ConfigError, InvalidActionError, InvalidDesignError
from archgym.objectives import Objective, make_objective
from archgym.parsing import check_int, check_number, is_real
from archgym.simulator import Simulator
from archgym.spaces import Design

ACTION_ENCODINGS = ("multidiscrete", "box")

# Observations are finite: a metric normalised by its scale never reaches float32's limit.
_OBSERVATION_BOUND = float(np.finfo(np.float32).max)


class EvaluationStats:
    """How a step's result was obtained: wall time and whether the cache answered.

    These are measurements, not part of the result, so they are excluded from
    equality: two evaluations of the same design compare equal (as Gymnasium's
    determinism check requires) although their wall times differ.
    """

    __slots__ = ("eval_time_s", "cache_hit")

    def __init__(self, eval_time_s: float, cache_hit: bool) -> None:
        self.eval_time_s = eval_time_s
        self.cache_hit = cache_hit

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EvaluationStats)

    def __hash__(self) -> int:
        return hash(EvaluationStats)

    def __repr__(self) -> str:
        return f"EvaluationStats(eval_time_s={self.eval_time_s:.3g}, cache_hit={self.cache_hit})"


class DesignEnv(gym.Env):
    """Design-space exploration as a Gymnasium environment.

    Args:
        simulator: the cost model.
        workload: what the hardware runs (passed to ``simulator.evaluate``).
        objective: an Objective or a spec for :func:`archgym.objectives.make_objective`.
        max_steps: evaluations per episode; the episode is truncated after them.
        action_encoding: "multidiscrete" (knob indices) or "box" (unit vector).
        cache_size: entries of the evaluation cache (0 disables it).
        invalid_reward: overrides the objective's penalty for infeasible designs.
        terminate_on_target: end the episode when the objective's target is met.
        env_id: the registered id, recorded in trajectories.
        cost_model: "simulator" (default) or "proxy": evaluate with a trained proxy model.
        proxy: path of the saved proxy model when ``cost_model="proxy"``; it must have
            been trained on this simulator's knobs and metrics.

    ``info`` after a step: ``design``, ``metrics`` (raw), ``units``, ``reward_vector``
    (the objective's oriented metric vector, or None when invalid), ``target_met``,
    ``valid``, ``invalid_reason`` and ``evaluation`` (an :class:`EvaluationStats` with
    ``eval_time_s`` and ``cache_hit``).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        simulator: Simulator,
        workload: Any,
        objective: Objective | str | dict[str, Any],
        *,
        max_steps: int = 100,
        action_encoding: str = "multidiscrete",
        cache_size: int = 4096,
        invalid_reward: float | None = None,
        terminate_on_target: bool = False,
        env_id: str | None = None,
        cost_model: str = "simulator",
        proxy: str | os.PathLike[str] | None = None,
    ) -> None:
        simulator = _choose_cost_model(simulator, cost_model, proxy, workload)
        if action_encoding not in ACTION_ENCODINGS:
            raise ConfigError(
                f"action_encoding {action_encoding!r} is not one of {', '.join(ACTION_ENCODINGS)}"
            )
        if (
            isinstance(max_steps, bool)
            or not isinstance(max_steps, int | np.integer)
            or max_steps < 1
        ):
            raise ConfigError(f"max_steps must be an integer of at least 1, got {max_steps!r}")
        _check_options(cache_size, invalid_reward, terminate_on_target, env_id)
        self.simulator = simulator
        self.workload = workload
        self.design_space = simulator.design_space
        self.metric_specs = simulator.metric_specs
        self.objective = make_objective(objective, self.metric_specs)
        self.invalid_reward = (
            self.objective.invalid_reward if invalid_reward is None else float(invalid_reward)
        )
        self.max_steps = int(max_steps)
        self.action_encoding = action_encoding
        self.terminate_on_target = terminate_on_target
        self.env_id = env_id or f"archgym/{simulator.name}"
        self.cache = EvaluationCache(cache_size)
        self._cache_context = EvaluationCache.context(simulator, workload)
        self._inverse_scales = [(m.name, 1.0 / m.scale) for m in self.metric_specs]
        self._units = {m.name: m.unit for m in self.metric_specs}
        self.action_space = (
            self.design_space.multidiscrete_space()
            if action_encoding == "multidiscrete"
            else self.design_space.box_space()
        )
        self.observation_space = gym.spaces.Box(
            -_OBSERVATION_BOUND,
            _OBSERVATION_BOUND,
            shape=(len(self.metric_specs),),
            dtype=np.float32,
        )
        self.steps = 0

    @property
    def workload_name(self) -> str:
        """The workload's ``name`` (its str() when it has none), as trajectories record it."""
        return str(getattr(self.workload, "name", self.workload))

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode; the observation is all zeros until a design is evaluated."""
        super().reset(seed=seed)
        self.steps = 0
        return np.zeros(self.observation_space.shape, dtype=np.float32), {}

    def decode(self, action: Any) -> Design:
        """The design an action stands for, in this env's action encoding.

        Raises InvalidActionError for an action without the action space's shape and
        dtype (see the module docstring), InvalidDesignError for values outside the space.
        """
        self.check_action(action)
        if self.action_encoding == "multidiscrete":
            return self.design_space.from_indices(action)
        return self.design_space.from_unit(action)

    def check_action(self, action: Any) -> None:
        """Raise InvalidActionError unless ``action`` has the action space's shape and dtype.

        The rule is Gymnasium's ``Space.contains`` without its bounds check (values are
        checked as a design): a numpy array of the space's shape whose dtype casts safely
        to the space's, or a flat list or tuple of numbers. Booleans are refused too,
        although numpy would cast them, since True is no knob index.
        """
        space = self.action_space
        integer = self.action_encoding == "multidiscrete"
        kind = "integers" if integer else "numbers"
        expected = (
            f"expected a numpy array of shape {space.shape} and a dtype that casts safely to "
            f"{space.dtype}, or a flat list of {space.shape[0]} {kind}"
        )
        if isinstance(action, np.ndarray):
            if (
                action.shape != space.shape
                or action.dtype == np.bool_
                or not np.can_cast(action.dtype, space.dtype)
            ):
                raise InvalidActionError(
                    f"{self.env_id}: action array of shape {action.shape} and dtype "
                    f"{action.dtype}; {expected}"
                )
            return
        if isinstance(action, list | tuple):
            if len(action) == space.shape[0] and all(_is_number(x, integer) for x in action):
                return
            shown = next((x for x in action if not _is_number(x, integer)), None)
            found = f"holding {shown!r}" if shown is not None else f"of length {len(action)}"
        else:
            found = f"{action!r:.60} ({type(action).__name__})"
        raise InvalidActionError(f"{self.env_id}: action {found}; {expected}")

    def encode(self, design: Design) -> np.ndarray:
        """The action that stands for a design."""
        if self.action_encoding == "multidiscrete":
            return self.design_space.to_indices(design)
        return self.design_space.to_unit(design).astype(np.float32)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        start = time.perf_counter()
        try:
            design = self.decode(action)
        except InvalidDesignError as error:
            return self._finish(None, None, str(error), time.perf_counter() - start, False)
        return self._evaluate(design, start)

    def evaluate_design(
        self, design: Design
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Evaluate a design given as a dict; same return value and counting as ``step``."""
        start = time.perf_counter()
        try:
            design = self.design_space.validate_values(design)
        except InvalidDesignError as error:
            return self._finish(None, None, str(error), time.perf_counter() - start, False)
        return self._evaluate(design, start)

    def _evaluate(
        self, design: Design, start: float
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Evaluate a canonical design (knob values already checked; constraints not)."""
        try:
            broken = self.design_space.violated_constraints(design)
            if broken:
                raise InvalidDesignError("infeasible design: violates " + "; ".join(broken))
            metrics, hit = self.cache.evaluate(
                self.simulator, design, self.workload, self._cache_context
            )
        except InvalidDesignError as error:
            elapsed = time.perf_counter() - start
            return self._finish(design, None, str(error), elapsed, False)
        return self._finish(design, metrics, "", time.perf_counter() - start, hit)

    def _finish(
        self,
        design: Design | None,
        metrics: dict[str, float] | None,
        invalid_reason: str,
        eval_time_s: float,
        cache_hit: bool,
    ) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        self.steps += 1
        valid = metrics is not None
        if valid:
            observation = np.array(
                [metrics[name] * inverse for name, inverse in self._inverse_scales],
                dtype=np.float32,
            )
            reward, target_met, reward_vector = self.objective.assess(metrics)
        else:
            observation = np.zeros(self.observation_space.shape, dtype=np.float32)
            reward, target_met = self.invalid_reward, False
            reward_vector = None
        info = {
            "design": design,
            "metrics": metrics or {},
            "units": dict(self._units),
            "reward_vector": reward_vector,
            "target_met": target_met,
            "valid": valid,
            "invalid_reason": invalid_reason,
            "evaluation": EvaluationStats(eval_time_s, cache_hit),
        }
        terminated = self.terminate_on_target and target_met
        truncated = self.steps >= self.max_steps
        return observation, reward, terminated, truncated, info

    def describe(self) -> str:
        """One line: env id, knob and metric counts, objective."""
        return (
            f"{self.env_id}: {len(self.design_space)} knobs, "
            f"{len(self.metric_specs)} metrics, objective {self.objective.describe()}"
        )


def _is_number(value: Any, integer: bool) -> bool:
    """A real number that is not a bool (an integer when ``integer``), as a list entry."""
    return is_real(value) and (not integer or isinstance(value, numbers.Integral))


def _check_options(
    cache_size: Any, invalid_reward: Any, terminate_on_target: Any, env_id: Any
) -> None:
    check_int(cache_size, "cache_size", minimum=0)
    if invalid_reward is not None:
        check_number(invalid_reward, "invalid_reward")
    if not isinstance(terminate_on_target, bool | np.bool_):
        raise ConfigError(f"terminate_on_target must be true or false, got {terminate_on_target!r}")
    if env_id is not None and (not isinstance(env_id, str) or not env_id.strip()):
        raise ConfigError(f"env_id must be a non-empty text, got {env_id!r}")


def _choose_cost_model(
    simulator: Simulator, cost_model: str, proxy: str | os.PathLike[str] | None, workload: Any
) -> Simulator:
    if cost_model == "simulator":
        if proxy is not None:
            raise ConfigError("proxy= is only used with cost_model='proxy'")
        return simulator
    if cost_model != "proxy":
        raise ConfigError(f"cost_model {cost_model!r} is not 'simulator' or 'proxy'")
    if proxy is None:
        raise ConfigError("cost_model='proxy' needs proxy=<path of a saved proxy model>")
    from archgym.proxy import load_proxy_simulator

    proxy_simulator = load_proxy_simulator(proxy, reference=simulator)
    proxy_simulator.check_workload(workload)  # a proxy of another workload fails here, not later
    return proxy_simulator
