"""Optuna samplers through Optuna's ask/tell interface: TPE, GP, CMA-ES, QMC and NSGA-II.

Each agent owns one in-memory ``optuna.Study`` (direction "maximize", since reward is
maximised) and asks it with fixed distributions built from the DesignSpace:

- categorical knobs: a ``CategoricalDistribution`` over their index for the samplers that
  model categories (TPE, GP, NSGA-II); an ``IntDistribution`` over the index for CMA-ES
  and QMC, which would otherwise draw categories at random (their order is then arbitrary);
- ordinal and integer knobs: an ``IntDistribution`` over the index (order is kept);
- real knobs: a ``FloatDistribution`` (log-scaled when the knob is).

A proposal already evaluated is told its known value again without a simulation and the
study is asked anew; an infeasible proposal is told the worst reward seen so far (failed
when none is known yet); after ``_MAX_PROPOSALS`` such proposals a random unseen design is
enqueued. Optuna's INFO logging (one line per trial) is silenced when an agent is built.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from archgym.agents.base import Agent, Metrics, MixedEncoding, pareto_mask
from archgym.agents.hyperparameters import (
    HyperParameter,
    boolean,
    one_of,
    optional_positive_int,
    positive_float,
    positive_int,
    probability,
)
from archgym.agents.threads import single_threaded
from archgym.errors import MissingExtraError
from archgym.objectives import Objective
from archgym.simulator import MetricSpec
from archgym.spaces import Categorical, Design, DesignSpace, Real

#: Proposals a study may make per ask that need no simulation (repeats, infeasible).
_MAX_PROPOSALS = 20


class OptunaAgent(Agent):
    """Base of the Optuna-backed agents: one study, fixed distributions, ask/tell."""

    #: Whether the sampler models categorical distributions (else knobs become indices).
    native_categorical: ClassVar[bool] = True

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(space, seed=seed, **hyperparameters)
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._optuna = optuna
        self._sampler_seed = int(self.rng.integers(2**31 - 1))
        self.distributions = self._distributions()
        self.encoding = MixedEncoding(space)
        self._study: Any = None
        self._trial: Any = None

    # ---------------------------------------------------------------- study
    def _make_sampler(self) -> Any:
        raise NotImplementedError

    def _directions(self) -> list[str]:
        return ["maximize"]

    @property
    def study(self) -> Any:
        """The underlying ``optuna.Study`` (created at the first ask)."""
        if self._study is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", self._optuna.exceptions.ExperimentalWarning)
                self._study = self._optuna.create_study(
                    sampler=self._make_sampler(), directions=self._directions()
                )
        return self._study

    def _distributions(self) -> dict[str, Any]:
        dist = self._optuna.distributions
        out: dict[str, Any] = {}
        for knob in self.space:
            if isinstance(knob, Real):
                out[knob.name] = dist.FloatDistribution(knob.low, knob.high, log=knob.log)
            elif isinstance(knob, Categorical) and self.native_categorical:
                out[knob.name] = dist.CategoricalDistribution(list(range(knob.n_values)))
            else:
                out[knob.name] = dist.IntDistribution(0, knob.n_values - 1)
        return out

    def _design(self, params: dict[str, Any]) -> Design:
        return self.encoding.to_design([params[name] for name in self.space.names])

    def _params(self, design: Design) -> dict[str, Any]:
        return dict(zip(self.space.names, self.encoding.to_point(design), strict=True))

    # ---------------------------------------------------------------- ask/tell
    def warm_start(self, designs: Sequence[Design], rewards: Sequence[float]) -> None:
        """Add designs evaluated elsewhere (e.g. a trajectory dataset) as finished trials.

        They count as seen, so they are not proposed again. Raises InvalidDesignError for a
        design outside the space and ConfigError when the two sequences differ in length.
        """
        if len(designs) != len(rewards):
            raise self._error(f"warm_start got {len(designs)} designs but {len(rewards)} rewards")
        trials = []
        for design, reward in zip(designs, rewards, strict=True):
            design = self.space.validate_values(design)
            self._seen[self._key(design)] = float(reward)
            trials.append(
                self._optuna.trial.create_trial(
                    params=self._params(design),
                    distributions=self.distributions,
                    value=float(reward),
                )
            )
        self.study.add_trials(trials)

    def _ask(self) -> Design:
        study = self.study
        with single_threaded(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # independent-sampling and experimental warnings
            for _ in range(_MAX_PROPOSALS):
                trial = study.ask(self.distributions)
                design = self._design(trial.params)
                if not self.space.is_feasible(design):
                    self._tell_without_simulation(trial, None)
                elif self.is_seen(design):
                    self._tell_without_simulation(trial, self._key(design))
                else:
                    self._trial = trial
                    return design
            study.enqueue_trial(self._params(self._sample_unseen()))
            self._trial = study.ask(self.distributions)
        return self._design(self._trial.params)

    def _tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        if self._trial is None:
            return
        with single_threaded():
            self.study.tell(self._trial, reward)
        self._trial = None

    def _tell_without_simulation(self, trial: Any, key: tuple[int, ...] | None) -> None:
        if key is not None:
            self.study.tell(trial, self._seen[key])
        elif self._seen:
            self.study.tell(trial, min(self._seen.values()))
        else:
            self.study.tell(trial, state=self._optuna.trial.TrialState.FAIL)


class TPEAgent(OptunaAgent):
    """Tree-structured Parzen estimator (Optuna ``TPESampler``)."""

    name = "tpe"
    description = "Optuna TPE sampler (tree-structured Parzen estimator)"
    hyperparameter_specs = (
        HyperParameter("n_startup_trials", 10, "random designs before TPE is used", positive_int),
        HyperParameter("n_ei_candidates", 24, "candidates scored per ask", positive_int),
        HyperParameter("multivariate", True, "model the knobs jointly", boolean),
    )

    def _make_sampler(self) -> Any:
        hp = self._hparams
        return self._optuna.samplers.TPESampler(
            seed=self._sampler_seed,
            n_startup_trials=hp["n_startup_trials"],
            n_ei_candidates=hp["n_ei_candidates"],
            multivariate=hp["multivariate"],
        )


class OptunaGPAgent(OptunaAgent):
    """Gaussian-process BO (Optuna ``GPSampler``; needs torch, from the ``rl`` extra)."""

    name = "optuna_gp"
    description = "Optuna GP sampler (Gaussian-process Bayesian optimisation, needs torch)"
    hyperparameter_specs = (
        HyperParameter(
            "n_startup_trials", 10, "random designs before the GP is used", positive_int
        ),
        HyperParameter("deterministic_objective", True, "the simulator is noise-free", boolean),
    )

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        if importlib.util.find_spec("torch") is None:
            raise MissingExtraError("the optuna_gp agent", "rl", "torch")
        super().__init__(space, seed=seed, **hyperparameters)

    def _make_sampler(self) -> Any:
        hp = self._hparams
        return self._optuna.samplers.GPSampler(
            seed=self._sampler_seed,
            n_startup_trials=hp["n_startup_trials"],
            deterministic_objective=hp["deterministic_objective"],
        )


class CmaEsAgent(OptunaAgent):
    """CMA-ES (Optuna ``CmaEsSampler``); categorical knobs are searched as indices."""

    name = "cmaes"
    description = "Optuna CMA-ES sampler (covariance matrix adaptation)"
    native_categorical = False
    hyperparameter_specs = (
        HyperParameter("n_startup_trials", 1, "random designs before CMA-ES starts", positive_int),
        HyperParameter(
            "sigma0",
            None,
            "initial step size (None: 1/6 of the index range)",
            lambda v: None if v is None else positive_float(v),
        ),
        HyperParameter(
            "popsize", None, "population size (None: 4 + 3 ln d)", optional_positive_int
        ),
        HyperParameter("with_margin", True, "keep a margin so discrete knobs keep moving", boolean),
        HyperParameter(
            "restart_strategy", None, "restart on stagnation", one_of(None, "ipop", "bipop")
        ),
    )

    def _make_sampler(self) -> Any:
        hp = self._hparams
        return self._optuna.samplers.CmaEsSampler(
            seed=self._sampler_seed,
            n_startup_trials=hp["n_startup_trials"],
            sigma0=hp["sigma0"],
            popsize=hp["popsize"],
            with_margin=hp["with_margin"],
            restart_strategy=hp["restart_strategy"],
            warn_independent_sampling=False,
        )


class QMCAgent(OptunaAgent):
    """Quasi-Monte Carlo space filling (Optuna ``QMCSampler``); ignores rewards."""

    name = "qmc"
    description = "Optuna QMC sampler (Sobol or Halton low-discrepancy sequence)"
    native_categorical = False
    hyperparameter_specs = (
        HyperParameter("qmc_type", "sobol", "sequence", one_of("sobol", "halton")),
        HyperParameter("scramble", True, "randomise the sequence with the seed", boolean),
    )

    def _make_sampler(self) -> Any:
        hp = self._hparams
        return self._optuna.samplers.QMCSampler(
            qmc_type=hp["qmc_type"],
            scramble=hp["scramble"],
            seed=self._sampler_seed,
            warn_independent_sampling=False,
        )


class NSGA2Agent(OptunaAgent):
    """Multi-objective NSGA-II (Optuna ``NSGAIISampler``) returning the Pareto front.

    The objective vector is the env objective's ``vector(metrics)`` (every entry oriented
    so that higher is better), bound by :meth:`run`, or by :meth:`bind_objective` for
    stand-alone ask/tell. Unbound, the agent optimises the scalar reward alone.
    ``SearchResult.pareto_front`` holds the non-dominated rows of the run's history.
    """

    name = "nsga2"
    description = "Optuna NSGA-II multi-objective genetic algorithm (returns a Pareto front)"
    hyperparameter_specs = (
        HyperParameter("population_size", 50, "individuals per generation", positive_int),
        HyperParameter(
            "mutation_prob",
            None,
            "per-knob mutation probability (None: 1/d)",
            lambda v: None if v is None else probability(v),
        ),
        HyperParameter("crossover_prob", 0.9, "probability a child is a crossover", probability),
        HyperParameter("swapping_prob", 0.5, "uniform crossover swap probability", probability),
    )

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(space, seed=seed, **hyperparameters)
        self._objective: Objective | None = None
        self._n_objectives = 1
        self._vectors: dict[tuple[int, ...], list[float]] = {}
        self._run_vectors: list[list[float]] = []

    def bind_objective(self, objective: Objective, metric_specs: tuple[MetricSpec, ...]) -> None:
        """Optimise ``objective.vector(metrics)``; must be called before the first ask."""
        if self._study is not None and objective is not self._objective:
            raise self._error("the objective must be bound before the first ask")
        self._objective = objective
        probe = {spec.name: spec.scale for spec in metric_specs}
        self._n_objectives = len(objective.vector(probe))

    def _begin_run(self, env: Any) -> None:
        base = env.unwrapped
        self.bind_objective(base.objective, base.metric_specs)
        self._run_vectors = []

    def _directions(self) -> list[str]:
        return ["maximize"] * self._n_objectives

    def warm_start(self, designs: Sequence[Design], rewards: Sequence[float]) -> None:
        """Not supported: NSGA-II needs objective vectors, not scalar rewards."""
        raise NotImplementedError("nsga2 cannot be warm-started from scalar rewards")

    def _make_sampler(self) -> Any:
        hp = self._hparams
        return self._optuna.samplers.NSGAIISampler(
            seed=self._sampler_seed,
            population_size=hp["population_size"],
            mutation_prob=hp["mutation_prob"],
            crossover_prob=hp["crossover_prob"],
            swapping_prob=hp["swapping_prob"],
        )

    def _vector(self, reward: float, metrics: Metrics) -> list[float] | None:
        if self._objective is None:
            return [reward]
        if not metrics:
            return None
        return [float(v) for v in self._objective.vector(metrics)]

    def _tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        vector = self._vector(reward, metrics)
        self._run_vectors.append(vector or [np.nan] * self._n_objectives)
        if vector is not None:
            self._vectors[self._key(design)] = vector
        if self._trial is None:
            return
        if vector is None:
            self.study.tell(self._trial, state=self._optuna.trial.TrialState.FAIL)
        else:
            self.study.tell(self._trial, vector)
        self._trial = None

    def _tell_without_simulation(self, trial: Any, key: tuple[int, ...] | None) -> None:
        if key is not None and key in self._vectors:
            self.study.tell(trial, self._vectors[key])
        else:
            self.study.tell(trial, state=self._optuna.trial.TrialState.FAIL)

    def _pareto_front(self, history: pd.DataFrame) -> pd.DataFrame | None:
        if len(self._run_vectors) != len(history):
            return None
        mask = pareto_mask(np.array(self._run_vectors, dtype=float))
        return history.loc[mask].reset_index(drop=True)
