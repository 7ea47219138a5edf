"""Worked example: add your own simulator and env to archgym (docs/custom-env.md).

A set-associative LRU cache model over an address trace. The simulator is one class
with a DesignSpace, a metric list and ``evaluate``; the env is one registration call.
Run it:  python examples/custom_simulator.py
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

import archgym
from archgym.agents import make_agent
from archgym.simulator import stable_hash


@dataclass(frozen=True)
class AddressTrace:
    """The workload: byte addresses, with a name and a content fingerprint."""

    name: str
    addresses: tuple[int, ...]

    def fingerprint(self) -> str:
        return stable_hash(repr(self.addresses))


def looping_trace(working_set_kib: int = 12, passes: int = 4) -> AddressTrace:
    """Sweeps a working set several times: fits a large cache, thrashes a small one."""
    one_pass = list(range(0, working_set_kib * 1024, 16))
    return AddressTrace(f"loop-{working_set_kib}k", tuple(one_pass * passes))


class CacheSimulator(archgym.Simulator):
    """Miss rate and area of an LRU set-associative cache."""

    name = "cache"
    design_space = archgym.DesignSpace(
        [
            archgym.Ordinal.powers_of_two("size_kib", 1, 64, unit="KiB", doc="capacity"),
            archgym.Ordinal.powers_of_two("ways", 1, 8, doc="associativity"),
            archgym.Ordinal.powers_of_two("line_bytes", 16, 128, unit="B", doc="line size"),
        ],
        constraints=[
            archgym.Constraint(
                "size_kib * 1024 >= ways * line_bytes",
                lambda d: d["size_kib"] * 1024 >= d["ways"] * d["line_bytes"],
            )
        ],
    )
    metric_specs = (
        archgym.MetricSpec("miss_rate", "", "min", "misses per access", scale=0.1),
        archgym.MetricSpec("area_mm2", "mm2", "min", "a rough SRAM area", scale=0.1),
    )

    def evaluate(self, design, workload):
        sets = design["size_kib"] * 1024 // (design["ways"] * design["line_bytes"])
        lines = [OrderedDict() for _ in range(sets)]
        misses = 0
        for address in workload.addresses:
            block = address // design["line_bytes"]
            ways = lines[block % sets]
            if block in ways:
                ways.move_to_end(block)
            else:
                misses += 1
                ways[block] = True
                if len(ways) > design["ways"]:
                    ways.popitem(last=False)
        # Area grows with capacity and, through the tag comparators, with associativity.
        area = 0.01 * design["size_kib"] * (1 + 0.05 * np.log2(design["ways"]))
        return {"miss_rate": misses / len(workload.addresses), "area_mm2": float(area)}


def make_cache_env(
    workload=None, objective="target: miss_rate <= 0.05, area_mm2 <= 0.2", **env_options
):
    return archgym.DesignEnv(
        CacheSimulator(),
        workload or looping_trace(),
        objective,
        env_id="mylab/Cache-v0",
        **env_options,
    )


archgym.register_env("mylab/Cache-v0", make_cache_env, "LRU cache over an address trace")


if __name__ == "__main__":
    env = gym.make("mylab/Cache-v0")
    agent = make_agent("random", env.unwrapped.design_space, seed=0)
    result = agent.run(env, budget=60, stop_on_target=True)
    print("best design:", result.best_design)
    print("metrics:", result.best_metrics, "target met:", result.target_met)
