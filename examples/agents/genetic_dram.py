"""A genetic algorithm on archgym/DRAM-v0 with ArchGym's hyperparameter names.

python examples/agents/genetic_dram.py --budget 300
"""

from __future__ import annotations

import gymnasium as gym
from _common import parse, report

import archgym  # noqa: F401  (registers the envs)
from archgym.agents import GeneticAgent

args = parse(__doc__.splitlines()[0], budget=300)
env = gym.make("archgym/DRAM-v0", workload=args.workload, objective="target: latency_ns <= 20")
agent = GeneticAgent(
    env.unwrapped.design_space,
    seed=args.seed,
    num_agents=16,  # population (ArchGym num_agents)
    prob_mut=0.1,  # per-knob mutation probability (ArchGym prob_mutation)
    elitism=2,
)
report("ga", agent.run(env, args.budget, stop_on_target=True))
print(f"  generations: {agent.generation}")
