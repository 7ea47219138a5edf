"""Reinforcement-learning agents through stable-baselines3 (the ``rl`` extra): PPO, A2C, DQN.

The agent trains on the env itself, wrapped by one of the two formulations of
:mod:`archgym.agents.rl_wrappers` ("sa": one step = one whole design; "tdm": one knob per
step). Training stops after exactly ``budget`` design evaluations (a stable-baselines3
callback checks the wrapper's count after every env step), and the result reports the
best design evaluated during training. Unlike the ask/tell agents, an RL policy may
evaluate the same design repeatedly (that is how it learns); with the env's cache enabled
such repeats do not call the simulator, so simulator calls are at most the budget.

stable-baselines3 and torch are imported when an agent is built; without them a
MissingExtraError names ``pip install 'archgym[rl]'``.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium

from archgym.agents.base import Agent, Callback, Metrics, SearchResult, progress_bar, should_stop
from archgym.agents.hyperparameters import (
    HyperParameter,
    boolean,
    one_of,
    positive_float,
    positive_int,
    probability,
)
from archgym.agents.rl_wrappers import SequentialDesignWrapper, SingleStepDesignWrapper
from archgym.agents.threads import single_threaded
from archgym.errors import MissingExtraError
from archgym.spaces import Design, DesignSpace


def _layer_sizes(value: Any) -> str | None:
    ok = isinstance(value, (tuple, list)) and all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    )
    return None if ok else "a sequence of positive integers (hidden layer sizes)"


_COMMON = (
    HyperParameter(
        "formulation",
        "sa",
        "'sa': one step per whole design; 'tdm': one knob per step",
        one_of("sa", "tdm"),
        archgym="sa / tdm env variants (DRAMEnv_RL, TimeloopEnv_RL)",
    ),
    HyperParameter("gamma", 0.99, "discount factor", probability),
    HyperParameter(
        "net_arch",
        (32, 32, 32),
        "hidden layer sizes of the policy",
        _layer_sizes,
        archgym="layer_sizes (32, 32, 32)",
    ),
    HyperParameter(
        "clip_invalid",
        True,
        "train on the worst valid reward instead of the env's penalty for infeasible designs",
        boolean,
    ),
)


def _budget_callback(
    wrapper: Any,
    budget: int,
    callbacks: Sequence[Callback],
    stop_on_target: bool,
    name: str,
    bar: Any,
) -> Any:
    """A stable-baselines3 callback that stops training at the evaluation budget."""
    from stable_baselines3.common.callbacks import BaseCallback

    class BudgetCallback(BaseCallback):
        def __init__(self) -> None:
            super().__init__(verbose=0)
            self.seen = 0
            self.stop = False

        def _on_step(self) -> bool:
            if wrapper.evaluations > self.seen:
                self.seen = wrapper.evaluations
                bar.update(1)
                record = wrapper.last_record
                self.stop = self.stop or should_stop(record, callbacks, stop_on_target, name)
            return not self.stop and wrapper.evaluations < budget

    return BudgetCallback()


class RLAgent(Agent):
    """Base of the stable-baselines3 agents. Use :meth:`run`; ask/tell are not supported.

    After a run, ``model`` holds the trained stable-baselines3 model.
    """

    algorithm: ClassVar[str] = ""

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(space, seed=seed, **hyperparameters)
        for package in ("stable_baselines3", "torch"):
            if importlib.util.find_spec(package) is None:
                raise MissingExtraError(f"the {self.name} agent", "rl", package.replace("_", "-"))
        self.model: Any = None

    def _ask(self) -> Design:
        raise NotImplementedError(
            f"agent {self.name!r} trains on the env: call run(env, budget) instead of ask/tell"
        )

    def _tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        raise NotImplementedError(
            f"agent {self.name!r} trains on the env: call run(env, budget) instead of ask/tell"
        )

    def _wrap(self, env: gymnasium.Env) -> Any:
        """The env in the formulation the policy trains on."""
        hp = self._hparams
        if hp["formulation"] == "tdm":
            return SequentialDesignWrapper(env, clip_invalid=hp["clip_invalid"])
        return SingleStepDesignWrapper(
            env, clip_invalid=hp["clip_invalid"], **self._single_step_options()
        )

    def _single_step_options(self) -> dict[str, Any]:
        """Algorithm-specific keyword arguments of the "sa" formulation's wrapper."""
        return {}

    def _model_kwargs(self) -> dict[str, Any]:
        """Algorithm-specific keyword arguments of the stable-baselines3 constructor."""
        return {}

    def run(
        self,
        env: gymnasium.Env,
        budget: int,
        *,
        callbacks: Sequence[Callback] = (),
        stop_on_target: bool = False,
        progress: bool = False,
    ) -> SearchResult:
        """Train for exactly ``budget`` design evaluations (fewer if stopped early).

        Raises ConfigError for a bad budget, a mismatched env, or a formulation the
        algorithm's action space cannot express.
        """
        import stable_baselines3
        from stable_baselines3.common.logger import Logger
        from stable_baselines3.common.vec_env import DummyVecEnv

        budget = self._check_budget(budget)
        self._check_env(env)
        wrapper = self._wrap(env)
        vec_env = DummyVecEnv([lambda: wrapper])
        hp = self._hparams
        algorithm = getattr(stable_baselines3, self.algorithm)
        self.model = algorithm(
            "MlpPolicy",
            vec_env,
            gamma=hp["gamma"],
            learning_rate=hp["learning_rate"],
            policy_kwargs={"net_arch": list(hp["net_arch"])},
            seed=self.seed,
            device="cpu",
            verbose=0,
            **self._model_kwargs(),
        )
        # Without a logger of its own, every learn() makes an empty SB3-<time> folder in
        # the temp directory; a sweep of RL runs would leave thousands.
        self.model.set_logger(Logger(folder=None, output_formats=[]))
        start = time.perf_counter()
        with single_threaded(), progress_bar(progress, budget, self.name) as bar:
            callback = _budget_callback(wrapper, budget, callbacks, stop_on_target, self.name, bar)
            # The callback stops training at the budget; total_timesteps is only an upper bound.
            self.model.learn(
                total_timesteps=budget * wrapper.steps_per_evaluation + 1, callback=callback
            )
        return wrapper.log.result(self, time.perf_counter() - start)


class PPOAgent(RLAgent):
    """Proximal policy optimisation (ArchGym's RL agent)."""

    name = "ppo"
    algorithm = "PPO"
    description = "stable-baselines3 PPO on the 'sa' or 'tdm' formulation (rl extra)"
    hyperparameter_specs = (
        *_COMMON,
        HyperParameter(
            "learning_rate", 3e-3, "Adam step size", positive_float, archgym="learning_rate (1e-5)"
        ),
        HyperParameter("n_steps", 32, "env steps per rollout", positive_int),
        HyperParameter("batch_size", 32, "minibatch size", positive_int),
        HyperParameter("n_epochs", 10, "optimisation epochs per rollout", positive_int),
        HyperParameter(
            "clip_range",
            0.2,
            "PPO clipping epsilon",
            probability,
            archgym="ppo_clipping_epsilon (0.2)",
        ),
        HyperParameter(
            "ent_coef", 0.01, "entropy bonus weight", probability, archgym="entropy_cost (0.01)"
        ),
    )

    def _model_kwargs(self) -> dict[str, Any]:
        hp = self._hparams
        return {
            "n_steps": hp["n_steps"],
            "batch_size": hp["batch_size"],
            "n_epochs": hp["n_epochs"],
            "clip_range": hp["clip_range"],
            "ent_coef": hp["ent_coef"],
        }


class A2CAgent(RLAgent):
    """Advantage actor-critic."""

    name = "a2c"
    algorithm = "A2C"
    description = "stable-baselines3 A2C on the 'sa' or 'tdm' formulation (rl extra)"
    hyperparameter_specs = (
        *_COMMON,
        HyperParameter("learning_rate", 3e-3, "RMSprop step size", positive_float),
        HyperParameter("n_steps", 8, "env steps per update", positive_int),
        HyperParameter("ent_coef", 0.01, "entropy bonus weight", probability),
    )

    def _model_kwargs(self) -> dict[str, Any]:
        hp = self._hparams
        return {"n_steps": hp["n_steps"], "ent_coef": hp["ent_coef"]}


class DQNAgent(RLAgent):
    """Deep Q-network. Needs a Discrete action: the "tdm" formulation (default), or "sa"
    on a space of at most ``max_discrete_actions`` designs (one action per design)."""

    name = "dqn"
    algorithm = "DQN"
    description = "stable-baselines3 DQN ('tdm', or 'sa' on small spaces) (rl extra)"
    hyperparameter_specs = (
        *(
            HyperParameter(s.name, "tdm", s.doc, s.check, s.archgym)
            if s.name == "formulation"
            else s
            for s in _COMMON
        ),
        HyperParameter("learning_rate", 1e-3, "Adam step size", positive_float),
        HyperParameter("buffer_size", 10_000, "replay buffer transitions", positive_int),
        HyperParameter("learning_starts", 50, "env steps before learning starts", positive_int),
        HyperParameter("batch_size", 32, "minibatch size", positive_int),
        HyperParameter("train_freq", 1, "env steps between updates", positive_int),
        HyperParameter(
            "target_update_interval",
            100,
            "env steps between target-network syncs",
            positive_int,
        ),
        HyperParameter(
            "exploration_fraction", 0.3, "share of training with decaying epsilon", probability
        ),
        HyperParameter("exploration_final_eps", 0.05, "final epsilon", probability),
        HyperParameter(
            "max_discrete_actions",
            20_000,
            "'sa' only: largest design count allowed",
            positive_int,
        ),
    )

    def _single_step_options(self) -> dict[str, Any]:
        # DQN needs a Discrete action: one per design of the (small) space.
        return {
            "discrete_actions": True,
            "max_discrete_actions": self._hparams["max_discrete_actions"],
        }

    def _model_kwargs(self) -> dict[str, Any]:
        hp = self._hparams
        return {
            key: hp[key]
            for key in (
                "buffer_size",
                "learning_starts",
                "batch_size",
                "train_freq",
                "target_update_interval",
                "exploration_fraction",
                "exploration_final_eps",
            )
        }
