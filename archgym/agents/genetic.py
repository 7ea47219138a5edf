"""Genetic algorithm on the MultiDiscrete index encoding (ArchGym's GA agent)."""

from __future__ import annotations

from typing import Any

import numpy as np

from archgym.agents.base import Agent, Metrics
from archgym.agents.hyperparameters import (
    HyperParameter,
    non_negative_int,
    optional_positive_int,
    positive_int,
    probability,
)
from archgym.spaces import Design, DesignSpace

#: Breedings in a row that may produce no new design before random immigrants are injected.
_MAX_STALE_BREEDINGS = 20
#: Re-mutations tried on an infeasible or duplicate child before replacing it.
_MAX_REPAIRS = 10


class GeneticAgent(Agent):
    """Generational GA with tournament selection, uniform crossover, per-gene mutation and
    elitism, vectorised with numpy over the population's index matrix.

    Each generation has ``num_agents`` individuals. The first is uniform random. A child
    is made from two tournament winners (``tournament_size`` contestants each) by uniform
    crossover with probability ``crossover_rate`` (else a copy of the first parent); then
    each gene mutates with probability ``prob_mut`` to a different index of its knob, so
    categorical knobs are handled natively. The best ``elitism`` individuals survive
    unchanged. A child identical to a design already evaluated inherits its known
    fitness and is not evaluated again; an infeasible child or a duplicate within its
    generation is re-mutated (then replaced by a random design). ``num_iter`` caps the
    number of generations (None: the run's budget decides).
    """

    name = "ga"
    description = "Genetic algorithm: tournament, uniform crossover, mutation, elitism"
    hyperparameter_specs = (
        HyperParameter(
            "num_agents", 32, "population size", positive_int, archgym="num_agents (32)"
        ),
        HyperParameter(
            "num_iter",
            None,
            "maximum number of generations (None: until the budget is spent)",
            optional_positive_int,
            archgym="num_iter (100)",
        ),
        HyperParameter(
            "prob_mut",
            0.1,
            "probability that a gene (knob) of a child mutates",
            probability,
            archgym="prob_mutation (0.1)",
        ),
        HyperParameter(
            "crossover_rate", 0.9, "probability that a child is a crossover", probability
        ),
        HyperParameter("tournament_size", 3, "contestants per tournament selection", positive_int),
        HyperParameter(
            "elitism",
            2,
            "best individuals copied unchanged to the next generation",
            non_negative_int,
        ),
    )

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(space, seed=seed, **hyperparameters)
        if self._hparams["elitism"] >= self._hparams["num_agents"]:
            raise self._error(
                f"hyperparameter 'elitism' must be smaller than 'num_agents' "
                f"({self._hparams['num_agents']}), got {self._hparams['elitism']}"
            )
        self._nvec = space.nvec
        self.generation = 0
        self._population = np.empty((0, len(space)), dtype=np.int64)
        self._fitness = np.empty(0)
        self._queue: list[int] = []
        self._pending: int | None = None
        self._stale = 0

    @property
    def finished(self) -> bool:
        cap = self._hparams["num_iter"]
        return cap is not None and self.generation >= cap and not self._queue

    @property
    def population(self) -> np.ndarray:
        """The current generation as an index matrix (num_agents, knobs)."""
        return self._population.copy()

    def _ask(self) -> Design:
        while not self._queue:
            self._next_generation()
        self._pending = self._queue.pop(0)
        return self.space.from_indices(self._population[self._pending])

    def _tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        if self._pending is not None:
            self._fitness[self._pending] = reward
            self._pending = None

    # ------------------------------------------------------------------ evolution
    def _next_generation(self) -> None:
        size = self._hparams["num_agents"]
        if self._population.shape[0] == 0:
            designs = [self._sample_unseen() for _ in range(size)]
            children = np.array([self.space.to_indices(d) for d in designs])
        else:
            children = self._breed()
        self._install(children)
        self.generation += 1

    def _breed(self) -> np.ndarray:
        hp = self._hparams
        size, elite = hp["num_agents"], hp["elitism"]
        n_children = size - elite
        # An individual asked but never told has no fitness: it loses every comparison.
        fitness = np.where(np.isnan(self._fitness), -np.inf, self._fitness)
        order = np.argsort(-fitness, kind="stable")
        elites = self._population[order[:elite]]

        contestants = self.rng.integers(size, size=(2 * n_children, hp["tournament_size"]))
        winners = contestants[np.arange(2 * n_children), np.argmax(fitness[contestants], axis=1)]
        mothers = self._population[winners[:n_children]]
        fathers = self._population[winners[n_children:]]

        crossing = self.rng.random(n_children) < hp["crossover_rate"]
        take_father = (self.rng.random(mothers.shape) < 0.5) & crossing[:, None]
        children = np.where(take_father, fathers, mothers)
        children = self._mutate(children, hp["prob_mut"])
        return np.vstack([elites, children])

    def _mutate(self, genes: np.ndarray, rate: float) -> np.ndarray:
        """Each gene moves, with probability ``rate``, to a different index of its knob."""
        mask = self.rng.random(genes.shape) < rate
        shift = self.rng.integers(1, np.maximum(self._nvec, 2), size=genes.shape)
        mutated = (genes + shift) % self._nvec
        return np.where(mask & (self._nvec > 1), mutated, genes)

    def _install(self, children: np.ndarray) -> None:
        """Make ``children`` the population; queue the ones that need an evaluation."""
        elite = self._hparams["elitism"] if self.generation > 0 else 0
        fitness = np.full(children.shape[0], np.nan)
        if elite:
            old_fitness = np.where(np.isnan(self._fitness), -np.inf, self._fitness)
            old = np.argsort(-old_fitness, kind="stable")[:elite]
            fitness[:elite] = old_fitness[old]
        in_generation: set[tuple[int, ...]] = set()
        queue = []
        repair_rate = max(self._hparams["prob_mut"], 1.0 / len(self._nvec))
        for row in range(elite, children.shape[0]):
            child = children[row]
            for _ in range(_MAX_REPAIRS):
                key = tuple(int(i) for i in child)
                known = key in self._seen
                if (known or key not in in_generation) and self._feasible(child):
                    break
                child = self._mutate(child[None, :], repair_rate)[0]
            else:
                child = self.space.to_indices(self._sample_unseen())
                key = tuple(int(i) for i in child)
            children[row] = child
            if key in self._seen:
                fitness[row] = self._seen[key]
            else:
                in_generation.add(key)
                queue.append(row)
        self._population, self._fitness, self._queue = children, fitness, queue
        if not queue:
            self._stale += 1
            if self._stale >= _MAX_STALE_BREEDINGS:
                self._immigrate()
        else:
            self._stale = 0

    def _immigrate(self) -> None:
        """Replace the worse half of a converged population with random unseen designs."""
        worst = np.argsort(self._fitness, kind="stable")[: self._population.shape[0] // 2]
        for row in worst:
            self._population[row] = self.space.to_indices(self._sample_unseen())
            self._fitness[row] = np.nan
        self._queue = [int(r) for r in sorted(worst)]
        self._stale = 0

    def _feasible(self, genes: np.ndarray) -> bool:
        if not self.space.constraints:
            return True
        return self.space.is_feasible(self.space.from_indices(genes))
