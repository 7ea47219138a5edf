"""Random search and a local random walk on archgym/DRAM-v0 (ArchGym's RandomWalker).

python examples/agents/random_walk_dram.py --budget 200
"""

from __future__ import annotations

import gymnasium as gym
from _common import parse, report

import archgym  # noqa: F401  (registers the envs)
from archgym.agents import make_agent

args = parse(__doc__.splitlines()[0], budget=200)
for mode in ("uniform", "walk"):
    # A latency target: at most 20 ns mean read latency on the workload.
    env = gym.make("archgym/DRAM-v0", workload=args.workload, objective="target: latency_ns <= 20")
    agent = make_agent("random", env.unwrapped.design_space, seed=args.seed, mode=mode)
    report(f"random ({mode})", agent.run(env, args.budget, stop_on_target=True))
