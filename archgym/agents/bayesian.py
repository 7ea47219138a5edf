"""Bayesian optimisation through scikit-optimize's ask/tell ``Optimizer``.

ArchGym ran BO through ``BayesSearchCV`` with a fake estimator and 2-fold cross
validation, which simulated every candidate twice. Here each design is simulated once:
the run loop asks, the env evaluates, and the reward (negated, since skopt minimises) is
told back.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from archgym.agents.base import Agent, Metrics, MixedEncoding
from archgym.agents.hyperparameters import (
    HyperParameter,
    non_negative_float,
    non_negative_int,
    one_of,
    positive_int,
)
from archgym.agents.threads import single_threaded
from archgym.spaces import Categorical, Design, DesignSpace, Real

#: Proposals taken from skopt per ask before falling back to a random unseen design.
_MAX_PROPOSALS = 3


class BayesianAgent(Agent):
    """Sequential model-based optimisation with scikit-optimize.

    Discrete knobs are searched on their index encoding (categorical knobs as skopt
    categories, ordinal and integer knobs as integer ranges, so order is kept); real
    knobs as real ranges (log-uniform when the knob is log-scaled). The space's
    constraints are passed to skopt, so it only proposes feasible designs. The surrogate
    (``base_estimator``) is a Gaussian process ("GP"), a random forest ("RF") or extra
    trees ("ET"); each GP fit restarts its kernel-hyperparameter search ``gp_restarts``
    times (fewer restarts, faster asks on a long history). The acquisition function is
    "EI", "PI", "LCB" or "gp_hedge" (a portfolio of the three). The first
    ``n_initial_points`` designs are space-filling samples. A proposal already evaluated
    is replaced by a random unseen design.
    """

    name = "bo"
    description = "Bayesian optimisation (scikit-optimize): GP or random-forest surrogate"
    hyperparameter_specs = (
        HyperParameter(
            "base_estimator",
            "GP",
            "surrogate model",
            one_of("GP", "RF", "ET"),
            archgym="BayesSearchCV default surrogate (GP)",
        ),
        HyperParameter(
            "acq_func", "gp_hedge", "acquisition function", one_of("EI", "PI", "LCB", "gp_hedge")
        ),
        HyperParameter(
            "n_initial_points",
            10,
            "space-filling designs before the surrogate is used",
            positive_int,
            archgym="BayesSearchCV n_initial_points (10)",
        ),
        HyperParameter(
            "initial_point_generator",
            "random",
            "how the initial designs are drawn",
            one_of("random", "sobol", "halton", "hammersly", "lhs"),
        ),
        HyperParameter(
            "n_points",
            2000,
            "random candidates scored by the acquisition per ask",
            positive_int,
        ),
        HyperParameter("xi", 0.01, "EI/PI exploration margin", non_negative_float),
        HyperParameter("kappa", 1.96, "LCB exploration weight", non_negative_float),
        HyperParameter(
            "gp_restarts",
            2,
            "GP only: extra random starts of each kernel-hyperparameter fit",
            non_negative_int,
        ),
    )

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(space, seed=seed, **hyperparameters)
        from skopt import Optimizer
        from skopt import space as sk

        dimensions = []
        for knob in space:
            if isinstance(knob, Real):
                prior = "log-uniform" if knob.log else "uniform"
                dimensions.append(sk.Real(knob.low, knob.high, prior=prior, name=knob.name))
            elif isinstance(knob, Categorical):
                dimensions.append(sk.Categorical(list(range(knob.n_values)), name=knob.name))
            else:
                dimensions.append(sk.Integer(0, knob.n_values - 1, name=knob.name))
        hp = self._hparams
        self.encoding = MixedEncoding(space)
        constraint = None
        if space.constraints:
            constraint = lambda x: not space.violated_constraints(self.encoding.to_design(x))  # noqa: E731
        self.optimizer = Optimizer(
            dimensions,
            base_estimator=hp["base_estimator"],
            n_initial_points=hp["n_initial_points"],
            initial_point_generator=hp["initial_point_generator"],
            acq_func=hp["acq_func"],
            acq_optimizer="sampling",
            random_state=int(self.rng.integers(2**31 - 1)),
            model_queue_size=1,
            space_constraint=constraint,
            acq_func_kwargs={"xi": hp["xi"], "kappa": hp["kappa"]},
            acq_optimizer_kwargs={"n_points": hp["n_points"]},
        )
        if hp["base_estimator"] == "GP":
            # Refitting the kernel from 1 + gp_restarts starting points is nearly all of a
            # GP ask's time. skopt's own default is 2; setting it here, after the Optimizer
            # drew its random state, keeps the default run identical to skopt's.
            self.optimizer.base_estimator_.set_params(n_restarts_optimizer=hp["gp_restarts"])

    def warm_start(self, designs: Sequence[Design], rewards: Sequence[float]) -> None:
        """Give the surrogate designs evaluated elsewhere (e.g. a trajectory dataset).

        The surrogate is fitted once for the whole batch; the designs count as seen, so they
        are not proposed again. Raises InvalidDesignError for a design outside the space and
        ConfigError when the two sequences differ in length.
        """
        if len(designs) != len(rewards):
            raise self._error(f"warm_start got {len(designs)} designs but {len(rewards)} rewards")
        if not designs:
            return
        points = [self.encoding.to_point(self.space.validate_values(d)) for d in designs]
        for design, reward in zip(designs, rewards, strict=True):
            self._seen[self._key(design)] = float(reward)
        with single_threaded(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.optimizer.tell(points, [-float(r) for r in rewards])

    def _ask(self) -> Design:
        with single_threaded(), warnings.catch_warnings():
            # skopt warns when its best candidate was evaluated before; we replace it.
            warnings.simplefilter("ignore", UserWarning)
            for _ in range(_MAX_PROPOSALS):
                design = self.encoding.to_design(self.optimizer.ask())
                if not self.is_seen(design):
                    return design
        return self._sample_unseen()

    def _tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        with single_threaded(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.optimizer.tell(self.encoding.to_point(design), -reward)
