"""Per-step overhead of DesignEnv through gymnasium.make, against a bare gymnasium env.

Both envs do no work: the DesignEnv wraps a simulator that returns constants, the bare
env returns a constant observation. The difference is archgym's own cost per step
(decoding, validation, cache lookup, objective, info). Prints a Markdown section.

    python benchmarks/env_overhead.py
"""

from __future__ import annotations

import platform
import time

import gymnasium as gym
import numpy as np

import archgym  # noqa: F401
from archgym.envs.base import DesignEnv
from archgym.simulator import MetricSpec, Simulator
from archgym.spaces import Categorical, DesignSpace, Integer, Ordinal

STEPS = 50_000
REPEATS = 5

SPACE = DesignSpace(
    [
        Categorical("PagePolicy", ["Open", "OpenAdaptive", "Closed", "ClosedAdaptive"]),
        Categorical("Scheduler", ["Fifo", "FrFcfs", "FrFcfsGrp"]),
        Integer("RequestBufferSize", 1, 8),
        Ordinal.powers_of_two("MaxActiveTransactions", 1, 128),
    ]
)


class NoCostSimulator(Simulator):
    name = "nocost"
    design_space = SPACE
    metric_specs = (MetricSpec("energy", "nJ"), MetricSpec("latency", "ns"))

    def evaluate(self, design, workload):
        return {"energy": 1.0, "latency": 2.0}


class BareEnv(gym.Env):
    action_space = SPACE.multidiscrete_space()
    observation_space = gym.spaces.Box(0.0, 10.0, shape=(2,), dtype=np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(2, dtype=np.float32), {}

    def step(self, action):
        return np.ones(2, dtype=np.float32), 0.0, False, False, {}


def make_design_env(cache_size: int) -> DesignEnv:
    return DesignEnv(
        NoCostSimulator(), "none", "target: latency <= 1", max_steps=10**9, cache_size=cache_size
    )


gym.register("bench/Bare-v0", entry_point=BareEnv)
gym.register("bench/Design-v0", entry_point=make_design_env)


def time_per_step(env: gym.Env) -> float:
    env.reset(seed=0)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(1024)]
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for i in range(STEPS):
            env.step(actions[i & 1023])
        best = min(best, (time.perf_counter() - start) / STEPS)
    return best * 1e6


def main() -> None:
    bare = time_per_step(gym.make("bench/Bare-v0"))
    rows = []
    for label, cache_size in (("DesignEnv, cache on", 4096), ("DesignEnv, cache off", 0)):
        design = time_per_step(gym.make("bench/Design-v0", cache_size=cache_size))
        rows.append((label, design, design - bare))
    print("## Env step overhead\n")
    print(
        f"- machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, 2-core sandbox"
    )
    print(f"- date: {time.strftime('%Y-%m-%d')}")
    print("- command: `python benchmarks/env_overhead.py`")
    print(f"- best of {REPEATS} runs of {STEPS:,} steps, both through `gymnasium.make`\n")
    print("| env | us per step | overhead over bare env (us) |")
    print("|---|---|---|")
    print(f"| bare gymnasium env | {bare:.2f} | - |")
    for label, design, overhead in rows:
        print(f"| {label} | {design:.2f} | {overhead:.2f} |")


if __name__ == "__main__":
    main()
