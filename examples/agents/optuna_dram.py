"""Optuna samplers on archgym/DRAM-v0: TPE on a latency target, NSGA-II on energy vs power.

python examples/agents/optuna_dram.py --budget 150
"""

from __future__ import annotations

import gymnasium as gym
from _common import parse, report

import archgym  # noqa: F401  (registers the envs)
from archgym.agents import make_agent

args = parse(__doc__.splitlines()[0], budget=150)

env = gym.make("archgym/DRAM-v0", workload=args.workload, objective="target: latency_ns <= 20")
tpe = make_agent("tpe", env.unwrapped.design_space, seed=args.seed)
report("tpe", tpe.run(env, args.budget, stop_on_target=True))

# Multi-objective: energy and power conflict (a slower, lower-power controller takes longer
# and spends more energy); NSGA-II returns the Pareto front of the designs it evaluated.
env = gym.make("archgym/DRAM-v0", workload=args.workload, objective="multi: energy_nj, power_mw")
nsga = make_agent("nsga2", env.unwrapped.design_space, seed=args.seed, population_size=20)
result = nsga.run(env, args.budget)
front = result.pareto_front.sort_values("power_mw")
print(f"nsga2: {len(front)} Pareto-optimal designs of {result.evaluations} evaluated")
points = front.drop_duplicates(["energy_nj", "power_mw"])
print(points[["PagePolicy", "Scheduler", "energy_nj", "power_mw"]].to_string(index=False))
