"""Ant colony optimisation on archgym/DRAM-v0 with ArchGym's hyperparameter names.

python examples/agents/ant_colony_dram.py --budget 300
"""

from __future__ import annotations

import gymnasium as gym
from _common import parse, report

import archgym  # noqa: F401  (registers the envs)
from archgym.agents import AntColonyAgent

args = parse(__doc__.splitlines()[0], budget=300)
env = gym.make("archgym/DRAM-v0", workload=args.workload, objective="target: latency_ns <= 20")
agent = AntColonyAgent(
    env.unwrapped.design_space, seed=args.seed, ant_count=16, evaporation=0.1, greediness=0.5
)
report("aco", agent.run(env, args.budget, stop_on_target=True))
# The pheromone of each knob shows which values the colony learned to prefer.
for knob, tau in zip(env.unwrapped.design_space, agent.pheromone, strict=True):
    print(f"  pheromone {knob.name:20s} favours {knob.value_at(int(tau.argmax()))}")
