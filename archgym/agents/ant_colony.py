"""Ant colony optimisation with pheromone per (knob, value) (ArchGym's ACO agent).

ArchGym adapted DeepSwarm's ant colony system: each ant builds a design knob by knob,
choosing greedily (the value with the most pheromone) with probability ``greediness``
and otherwise by roulette over the pheromone; a local update pulls the pheromone of the
values an ant used back toward the start level (so later ants explore), and after each
colony iteration a global update with rate ``evaporation`` reinforces the values of the
best design found so far. This module implements that scheme on the index encoding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from archgym.agents.base import Agent, Metrics
from archgym.agents.hyperparameters import (
    HyperParameter,
    optional_positive_int,
    positive_float,
    positive_int,
    probability,
)
from archgym.spaces import Design, DesignSpace

#: Constructions tried per ask before falling back to a random unseen design.
_MAX_CONSTRUCTIONS = 50


class AntColonyAgent(Agent):
    """Ant colony system over the knobs' index values.

    Pheromone ``tau[k][v]`` starts at ``pheromone_start`` for every value ``v`` of knob
    ``k``. An ant picks each knob's value as argmax of ``tau`` with probability
    ``greediness`` (ties broken at random), else with probability proportional to ``tau``.
    After an ant is told, ``tau <- (1 - decay) * tau + decay * pheromone_start`` on the
    values it used. After ``ant_count`` ants, ``tau <- (1 - evaporation) * tau +
    evaporation * deposit`` on the values of the best design so far. ``depth`` caps the
    number of colony iterations (None: the run's budget decides). An ant whose design is
    infeasible or already evaluated is rebuilt.
    """

    name = "aco"
    description = "Ant colony system with pheromone per (knob, value) (ArchGym ACO)"
    hyperparameter_specs = (
        HyperParameter(
            "ant_count", 16, "ants per colony iteration", positive_int, archgym="ant_count (16)"
        ),
        HyperParameter(
            "evaporation",
            0.1,
            "global update rate toward the deposit on the best design's values",
            probability,
            archgym="evaporation (0.1)",
        ),
        HyperParameter(
            "greediness",
            0.5,
            "probability of choosing a knob's highest-pheromone value",
            probability,
            archgym="greediness (0.5)",
        ),
        HyperParameter(
            "depth",
            None,
            "maximum number of colony iterations (None: until the budget is spent)",
            optional_positive_int,
            archgym="depth (4; one colony iteration per depth level)",
        ),
        HyperParameter(
            "decay",
            0.1,
            "local update rate toward the start level",
            probability,
            archgym="pheromone decay (DeepSwarm config)",
        ),
        HyperParameter(
            "pheromone_start",
            1.0,
            "initial pheromone level",
            positive_float,
            archgym="pheromone start (DeepSwarm config)",
        ),
        HyperParameter(
            "deposit",
            10.0,
            "pheromone level the best design's values move toward",
            positive_float,
        ),
    )

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(space, seed=seed, **hyperparameters)
        start = self._hparams["pheromone_start"]
        self.pheromone = [np.full(int(n), float(start)) for n in space.nvec]
        self.iteration = 0
        self._ants_in_iteration = 0
        self._best: tuple[float, np.ndarray] | None = None

    @property
    def finished(self) -> bool:
        cap = self._hparams["depth"]
        return cap is not None and self.iteration >= cap

    def _ask(self) -> Design:
        for _ in range(_MAX_CONSTRUCTIONS):
            indices = self._construct()
            design = self.space.from_indices(indices)
            if not self.is_seen(design) and self.space.is_feasible(design):
                return design
        return self._sample_unseen()

    def _construct(self) -> np.ndarray:
        greedy = self.rng.random(len(self.pheromone)) < self._hparams["greediness"]
        indices = np.empty(len(self.pheromone), dtype=np.int64)
        for k, tau in enumerate(self.pheromone):
            if greedy[k]:
                best = np.flatnonzero(tau == tau.max())
                indices[k] = best[int(self.rng.integers(best.size))]
            else:
                indices[k] = int(self.rng.choice(tau.size, p=tau / tau.sum()))
        return indices

    def _tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        hp = self._hparams
        indices = self.space.to_indices(design)
        for tau, v in zip(self.pheromone, indices, strict=True):
            tau[v] = (1 - hp["decay"]) * tau[v] + hp["decay"] * hp["pheromone_start"]
        if self._best is None or reward > self._best[0]:
            self._best = (reward, indices)
        self._ants_in_iteration += 1
        if self._ants_in_iteration >= hp["ant_count"]:
            for tau, v in zip(self.pheromone, self._best[1], strict=True):
                tau[v] = (1 - hp["evaporation"]) * tau[v] + hp["evaporation"] * hp["deposit"]
            self._ants_in_iteration = 0
            self.iteration += 1
