"""The agent interface: ask/tell searchers over a DesignSpace, and the shared run loop.

Contract shared by every agent:

- Reward is always maximised (it is the env's reward, see ``archgym.objectives``).
- ``ask()`` proposes one design, ``tell(design, reward, metrics)`` reports its outcome.
  Calls alternate: one ``tell`` for each ``ask``.
- ``run(env, budget)`` drives a :class:`~archgym.envs.base.DesignEnv` (possibly wrapped,
  e.g. by a trajectory recorder) for exactly ``budget`` evaluations unless it stops early
  on target, on a callback, or because the agent is finished (a generation cap).
- **Budget accounting**: one evaluation is one ``env.step``. Agents in this package never
  re-propose a design they have already been told about while unseen designs remain, so
  on a fresh env the simulator is called exactly once per step; the env's cache (if
  enabled) is never what saves an evaluation. Designs rejected by a space constraint
  still cost a step (the env returns its invalid-design penalty).
- The same seed gives the same sequence of asked designs, hence the same history.
"""

from __future__ import annotations

import logging
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import gymnasium
import numpy as np
import pandas as pd

from archgym.agents.hyperparameters import HyperParameter, resolve
from archgym.errors import ConfigError
from archgym.simulator import Metrics
from archgym.spaces import Design, DesignSpace, Real

logger = logging.getLogger(__name__)

#: Tries an agent makes to draw an unseen design before accepting a repeat.
MAX_UNSEEN_TRIES = 200


@dataclass(frozen=True)
class StepRecord:
    """One evaluation as passed to run-loop callbacks (``step`` counts from 0)."""

    step: int
    design: Design
    reward: float
    metrics: Metrics
    target_met: bool
    info: dict[str, Any]


#: A callback receives each StepRecord; returning ``False`` stops the run (None continues).
Callback = Callable[[StepRecord], "bool | None"]


@dataclass
class SearchResult:
    """Outcome of :meth:`Agent.run`.

    ``history`` has one row per evaluation: ``step`` (0-based), one column per knob, one
    per metric (NaN for invalid designs), ``reward``, ``target_met``, ``valid`` and
    ``cache_hit``. ``evaluations`` is the number of env steps taken. ``pareto_front`` is
    set by multi-objective agents: the non-dominated rows of ``history``.
    """

    best_design: Design
    best_metrics: Metrics
    best_reward: float
    history: pd.DataFrame
    evaluations: int
    wall_time_s: float
    pareto_front: pd.DataFrame | None = None
    agent: str = ""
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None

    @property
    def target_met(self) -> bool:
        """Whether any evaluated design met the objective's target."""
        return bool(self.history["target_met"].any()) if len(self.history) else False

    def evaluations_to_target(self) -> int | None:
        """Number of evaluations up to and including the first that met the target."""
        hits = np.flatnonzero(self.history["target_met"].to_numpy(dtype=bool))
        return int(hits[0]) + 1 if hits.size else None

    def best_so_far(self) -> np.ndarray:
        """Best reward after each evaluation (length ``evaluations``)."""
        return np.maximum.accumulate(self.history["reward"].to_numpy(dtype=float))


class Agent(ABC):
    """Base class of every search agent.

    Subclasses set ``name``, ``description`` and ``hyperparameter_specs`` and implement
    ``_ask`` and ``_tell``. Constructor keywords are the hyperparameters; unknown names or
    invalid values raise ConfigError naming the agent and the parameter.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    hyperparameter_specs: ClassVar[tuple[HyperParameter, ...]] = ()

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        if not isinstance(space, DesignSpace):
            raise ConfigError(
                f"agent {self.name!r}: space must be an archgym DesignSpace, "
                f"got {type(space).__name__}"
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ConfigError(f"agent {self.name!r}: seed must be an integer or None, got {seed!r}")
        self.space = space
        self.seed = None if seed is None else int(seed)
        self._hparams = resolve(self.name, self.hyperparameter_specs, hyperparameters)
        self.rng = np.random.default_rng(self.seed)
        self._seen: dict[tuple[int, ...], float] = {}
        self.n_told = 0

    # ---------------------------------------------------------------- public API
    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The resolved hyperparameters (defaults merged with the constructor's)."""
        return dict(self._hparams)

    @property
    def finished(self) -> bool:
        """True when the agent's own iteration cap (if any) is reached; the run stops."""
        return False

    def ask(self) -> Design:
        """Propose the next design to evaluate."""
        return self._ask()

    def tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        """Report the reward (maximised) and raw metrics of a design from :meth:`ask`."""
        self._seen[self._key(design)] = float(reward)
        self.n_told += 1
        self._tell(design, float(reward), metrics)

    def run(
        self,
        env: gymnasium.Env,
        budget: int,
        *,
        callbacks: Sequence[Callback] = (),
        stop_on_target: bool = False,
        progress: bool = False,
    ) -> SearchResult:
        """Search ``env`` for at most ``budget`` evaluations (env steps).

        ``env`` is a DesignEnv, possibly wrapped (every step goes through the wrappers).
        Stops early when ``stop_on_target`` and the objective's target is met, when a
        callback returns ``False``, or when the agent is :attr:`finished`. Raises
        ConfigError for a non-positive budget or an env whose design space does not match
        the agent's.
        """
        budget = self._check_budget(budget)
        base = self._check_env(env)
        self._begin_run(env)
        encode = _action_encoder(env, base.design_space)
        log = EvaluationLog(base)
        start = time.perf_counter()
        env.reset(seed=self.seed)
        with progress_bar(progress, budget, self.name) as bar:
            for step in range(budget):
                if self.finished:
                    logger.info("agent %s finished after %d evaluations", self.name, step)
                    break
                design = self.ask()
                _, reward, terminated, truncated, info = env.step(encode(design))
                record = log.add(design, float(reward), info)
                self.tell(record.design, record.reward, record.metrics)
                bar.update(1)
                if should_stop(record, callbacks, stop_on_target, self.name):
                    break
                if terminated or truncated:
                    env.reset()
        return log.result(self, time.perf_counter() - start, self._pareto_front)

    # ---------------------------------------------------------------- subclass hooks
    @abstractmethod
    def _ask(self) -> Design:
        """Propose a design (subclass)."""

    @abstractmethod
    def _tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        """Learn from one outcome (subclass); ``design`` is already recorded as seen."""

    def _begin_run(self, env: gymnasium.Env) -> None:
        """Called once by :meth:`run` before the first ask (e.g. to bind the objective)."""

    def _pareto_front(self, history: pd.DataFrame) -> pd.DataFrame | None:
        """Multi-objective agents return the non-dominated rows of ``history``."""
        return None

    # ---------------------------------------------------------------- helpers
    def _key(self, design: Design) -> tuple[int, ...]:
        return tuple(int(i) for i in self.space.to_indices(design))

    def is_seen(self, design: Design) -> bool:
        """Whether ``design`` (on the index grid) has already been told."""
        return self._key(design) in self._seen

    def _sample_unseen(self) -> Design:
        """A uniformly sampled feasible design not yet told (a repeat if none is found)."""
        return self.space.sample_unseen(
            self.rng, self.is_seen, len(self._seen), tries=MAX_UNSEEN_TRIES
        )

    def _error(self, message: str) -> ConfigError:
        return ConfigError(f"agent {self.name!r}: {message}")

    def _check_budget(self, budget: Any) -> int:
        if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
            raise self._error(f"budget must be a positive integer, got {budget!r}")
        return int(budget)

    def _check_env(self, env: gymnasium.Env) -> Any:
        base = env.unwrapped
        space = getattr(base, "design_space", None)
        if space is None:
            raise self._error(f"env {type(base).__name__} is not an archgym DesignEnv")
        if tuple(space.names) != tuple(self.space.names):
            raise self._error(
                f"env knobs {tuple(space.names)} do not match the agent's {tuple(self.space.names)}"
            )
        return base

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._hparams.items())
        return f"{type(self).__name__}(seed={self.seed!r}{', ' if params else ''}{params})"


class EvaluationLog:
    """The evaluations of one run: history rows, the best evaluation, the SearchResult.

    Shared by the ask/tell run loop and the RL wrappers so both report the same columns.
    """

    def __init__(self, base_env: Any) -> None:
        self.knobs = tuple(base_env.design_space.names)
        self.metric_names = [s.name for s in getattr(base_env, "metric_specs", ())]
        self.rows: list[dict[str, Any]] = []
        self.best: StepRecord | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, design: Design, reward: float, info: dict[str, Any]) -> StepRecord:
        """Record one env step; ``design`` is used when ``info`` lacks the decoded one."""
        evaluated = dict(info.get("design") or design)
        metrics = dict(info.get("metrics") or {})
        target_met = bool(info.get("target_met", False))
        step = len(self.rows)
        self.rows.append(
            {
                "step": step,
                **evaluated,
                **{m: metrics.get(m, math.nan) for m in self.metric_names},
                "reward": reward,
                "target_met": target_met,
                "valid": bool(info.get("valid", True)),
                "cache_hit": bool(getattr(info.get("evaluation"), "cache_hit", False)),
            }
        )
        record = StepRecord(step, evaluated, reward, metrics, target_met, info)
        if self.best is None or reward > self.best.reward:
            self.best = record
        return record

    def frame(self) -> pd.DataFrame:
        """The history: one row per evaluation, the columns of ``SearchResult.history``."""
        columns = ["step", *self.knobs, *self.metric_names]
        columns += ["reward", "target_met", "valid", "cache_hit"]
        return pd.DataFrame(self.rows, columns=columns)

    def result(
        self,
        agent: Agent,
        wall_time_s: float,
        pareto: Callable[[pd.DataFrame], pd.DataFrame | None] | None = None,
    ) -> SearchResult:
        """The SearchResult of ``agent``'s run; ConfigError when nothing was evaluated."""
        if self.best is None:
            raise agent._error("the run ended before any evaluation")
        history = self.frame()
        return SearchResult(
            best_design=self.best.design,
            best_metrics=self.best.metrics,
            best_reward=self.best.reward,
            history=history,
            evaluations=len(self.rows),
            wall_time_s=wall_time_s,
            pareto_front=pareto(history) if pareto else None,
            agent=agent.name,
            hyperparameters=agent.hyperparameters,
            seed=agent.seed,
        )


def should_stop(
    record: StepRecord, callbacks: Sequence[Callback], stop_on_target: bool, agent: str
) -> bool:
    """Run every callback on ``record``; True when one returned False or the target is met."""
    # Every callback sees every step, even when an earlier one asks to stop.
    verdicts = [callback(record) for callback in callbacks]
    if any(verdict is False for verdict in verdicts):
        logger.info("callback stopped %s after %d evaluations", agent, record.step + 1)
        return True
    if stop_on_target and record.target_met:
        logger.info("%s met the target after %d evaluations", agent, record.step + 1)
        return True
    return False


class MixedEncoding:
    """A design as a list of knob indices, except real knobs, which keep their value.

    The encoding the model-based agents hand to their libraries (scikit-optimize, Optuna):
    ordered and categorical knobs by index, real knobs as floats. Decoding is a list lookup
    (the libraries call it on thousands of candidates per ask).
    """

    def __init__(self, space: DesignSpace) -> None:
        self.names = space.names
        self.knobs = tuple(space)
        self.values = [
            None if isinstance(k, Real) else [k.value_at(i) for i in range(k.n_values)]
            for k in space
        ]

    def to_design(self, point: Sequence[Any]) -> Design:
        """The design at a library point (knob indices, real knobs as values)."""
        return {
            name: float(v) if values is None else values[int(v)]
            for name, values, v in zip(self.names, self.values, point, strict=True)
        }

    def to_point(self, design: Design) -> list[Any]:
        """The library point of a design (the inverse of :meth:`to_design`)."""
        return [
            float(design[k.name]) if values is None else k.index_of(design[k.name])
            for k, values in zip(self.knobs, self.values, strict=True)
        ]


def _action_encoder(env: gymnasium.Env, space: DesignSpace) -> Callable[[Design], np.ndarray]:
    """Map a design to the env's action encoding (MultiDiscrete indices or Box unit vector)."""
    action_space = env.action_space
    if isinstance(action_space, gymnasium.spaces.MultiDiscrete):
        return space.to_indices
    if isinstance(action_space, gymnasium.spaces.Box):
        return lambda design: space.to_unit(design).astype(action_space.dtype)
    raise ConfigError(
        f"env action space {action_space} is not supported by the run loop "
        "(expected MultiDiscrete or Box)"
    )


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def progress_bar(enabled: bool, total: int, name: str) -> Any:
    """A tqdm bar of ``total`` evaluations, or a no-op stand-in when not ``enabled``."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=name, unit="eval")


def pareto_mask(values: np.ndarray) -> np.ndarray:
    """Boolean mask of the non-dominated rows of ``values`` (n, k), higher is better.

    A row is dominated when another row is >= in every column and > in at least one.
    Duplicated rows are all kept. NaN rows are never on the front.
    """
    values = np.asarray(values, dtype=float)
    finite = np.all(np.isfinite(values), axis=1)
    mask = finite.copy()
    idx = np.flatnonzero(finite)
    for i in idx:
        others = values[idx]
        dominated = np.all(others >= values[i], axis=1) & np.any(others > values[i], axis=1)
        if dominated.any():
            mask[i] = False
    return mask
