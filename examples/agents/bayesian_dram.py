"""Bayesian optimisation (scikit-optimize) on archgym/DRAM-v0: GP and random-forest surrogates.

python examples/agents/bayesian_dram.py --budget 60
"""

from __future__ import annotations

import gymnasium as gym
from _common import parse, report

import archgym  # noqa: F401  (registers the envs)
from archgym.agents import make_agent

args = parse(__doc__.splitlines()[0], budget=60)
for surrogate, acquisition in (("GP", "EI"), ("RF", "LCB")):
    # ArchGym's joint target: power at most 1 W and latency at most 20 ns.
    env = gym.make(
        "archgym/DRAM-v0",
        workload=args.workload,
        objective="target: power_mw <= 1000, latency_ns <= 20",
    )
    agent = make_agent(
        "bo",
        env.unwrapped.design_space,
        seed=args.seed,
        base_estimator=surrogate,
        acq_func=acquisition,
        n_initial_points=10,
    )
    report(f"bo ({surrogate}, {acquisition})", agent.run(env, args.budget, stop_on_target=True))
