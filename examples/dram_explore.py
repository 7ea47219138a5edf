"""Explore the DRAM memory controller: one design by hand, then a random search.

Run: python examples/dram_explore.py
"""

from __future__ import annotations

import gymnasium as gym

import archgym  # noqa: F401  (registers the envs)
from archgym.agents import make_agent


def main() -> None:
    env = gym.make("archgym/DRAM-v0", workload="cloud-1", objective="power_latency").unwrapped
    simulator = env.simulator

    # DRAMSys's default controller, then the same with one outstanding request.
    default = simulator.default_design()
    for label, design in (
        ("default", default),
        ("serial", {**default, "MaxActiveTransactions": 1}),
    ):
        _, reward, _, _, info = env.evaluate_design(design)
        m = info["metrics"]
        print(
            f"{label:8s} power {m['power_mw']:7.0f} mW  latency {m['latency_ns']:6.1f} ns  "
            f"bandwidth {m['bandwidth_gbps']:5.2f} GB/s  reward {reward + 0.0:.3f}"
        )

    # A random search for a design under 1 W with a mean read latency under 50 ns.
    agent = make_agent("random", env.design_space, seed=0)
    result = agent.run(env, budget=100, stop_on_target=True)
    print(f"best after {result.evaluations} evaluations: {result.best_design}")
    print({k: round(v, 2) for k, v in result.best_metrics.items()})


if __name__ == "__main__":
    main()
