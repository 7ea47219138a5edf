"""PPO (stable-baselines3, the ``rl`` extra) on archgym/DRAM-v0 in both formulations.

"sa": each episode is one step whose action is a whole design; "tdm": one knob per step.

    python examples/agents/rl_dram.py --budget 300
"""

from __future__ import annotations

import gymnasium as gym
from _common import parse, report

import archgym  # noqa: F401  (registers the envs)
from archgym.agents import make_agent

args = parse(__doc__.splitlines()[0], budget=300)
for formulation in ("sa", "tdm"):
    env = gym.make("archgym/DRAM-v0", workload=args.workload, objective="target: latency_ns <= 20")
    agent = make_agent("ppo", env.unwrapped.design_space, seed=args.seed, formulation=formulation)
    report(f"ppo ({formulation})", agent.run(env, args.budget, stop_on_target=True))
