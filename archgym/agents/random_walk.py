"""Random search and local random walk (ArchGym's ``RandomWalker``)."""

from __future__ import annotations

from typing import Any

from archgym.agents.base import Agent, Metrics
from archgym.agents.hyperparameters import HyperParameter, one_of, probability
from archgym.spaces import Design, DesignSpace


class RandomWalkAgent(Agent):
    """Uniform random search (``mode="uniform"``) or a local random walk (``mode="walk"``).

    The walk starts at a uniform sample and moves to a random unseen neighbour of the
    current design (one knob changed by one step); with probability ``restart_prob``, or
    when every neighbour has been evaluated, it jumps to a fresh uniform sample. Neither
    mode uses the rewards, so both are the baseline every other agent is compared to.
    Designs already told are not proposed again while unseen ones remain.
    """

    name = "random"
    description = "Uniform random search or a local random walk (ArchGym RandomWalker)"
    hyperparameter_specs = (
        HyperParameter(
            "mode",
            "uniform",
            "'uniform': independent uniform samples; 'walk': step to a random neighbour",
            one_of("uniform", "walk"),
            archgym="random_walk (uniform samples)",
        ),
        HyperParameter(
            "restart_prob",
            0.05,
            "walk mode: probability of jumping to a uniform sample instead of a neighbour",
            probability,
        ),
    )

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(space, seed=seed, **hyperparameters)
        self._current: Design | None = None

    def _ask(self) -> Design:
        if self._hparams["mode"] == "uniform" or self._current is None:
            return self._sample_unseen()
        if self.rng.random() < self._hparams["restart_prob"]:
            return self._sample_unseen()
        # DesignSpace.neighbours returns feasible designs only.
        neighbours = [n for n in self.space.neighbours(self._current) if not self.is_seen(n)]
        if not neighbours:
            return self._sample_unseen()
        return neighbours[int(self.rng.integers(len(neighbours)))]

    def _tell(self, design: Design, reward: float, metrics: Metrics) -> None:
        self._current = design
