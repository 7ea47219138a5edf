"""Worked example 2: wrap a command-line simulator as an archgym env (docs/custom-env.md).

The simulator is a separate program, examples/tools/cachesim.py (an LRU cache model that
reads an INI file and a trace and writes JSON): exactly the situation of a lab with its
own simulator binary. archgym writes its inputs per design, runs it in a private work
directory, reads its JSON, and maps its "does not fit" error to an infeasible design.
Run it:  python examples/external_simulator.py
"""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym

# The workload of example 1: an address trace with a name and a fingerprint.
from custom_simulator import AddressTrace, looping_trace  # examples/custom_simulator.py

import archgym
from archgym.agents import make_agent
from archgym.simulators.external import CommandLineSimulator, json_values

TOOL = Path(__file__).resolve().parent / "tools" / "cachesim.py"

CONFIG = """\
[cache]
size_kib = $size_kib
ways = $ways
line_bytes = $line_bytes
"""


def trace_file(design, workload: AddressTrace) -> str:
    """The trace in the tool's format: one hexadecimal address a line."""
    return "".join(f"{address:x}\n" for address in workload.addresses)


def cache_simulator(binary: str | Path = TOOL, **options) -> CommandLineSimulator:
    return CommandLineSimulator(
        binary,
        name="cachesim",
        design_space=archgym.DesignSpace(
            [
                archgym.Ordinal.powers_of_two("size_kib", 1, 64, unit="KiB", doc="capacity"),
                archgym.Ordinal.powers_of_two("ways", 1, 8, doc="associativity"),
                archgym.Ordinal.powers_of_two("line_bytes", 16, 256, unit="B", doc="line size"),
            ]
        ),
        metric_specs=(
            archgym.MetricSpec("miss_rate", "", "min", "misses per access", scale=0.1),
            archgym.MetricSpec("area_mm2", "mm2", "min", "a rough SRAM area", scale=0.1),
        ),
        inputs={"cache.ini": CONFIG, "trace.txt": trace_file},
        command=["--config", "cache.ini", "--trace", "trace.txt", "--out", "stats.json"],
        parser=json_values(
            "stats.json", {"miss_rate": "cache.miss_rate", "area_mm2": "cache.area_mm2"}
        ),
        rejections=[r"^error: .* does not fit"],
        timeout_s=60,
        **options,
    )


def make_cache_cli_env(
    workload=None,
    objective="target: miss_rate <= 0.05, area_mm2 <= 0.2",
    binary: str | Path = TOOL,
    **env_options,
):
    simulator_options = {
        k: env_options.pop(k) for k in ("timeout_s", "jobs", "work_root") if k in env_options
    }
    return archgym.DesignEnv(
        cache_simulator(binary, **simulator_options),
        workload or looping_trace(),
        objective,
        env_id="mylab/CacheCLI-v0",
        **env_options,
    )


archgym.register_env(
    "mylab/CacheCLI-v0", make_cache_cli_env, "LRU cache, simulated by a command-line tool"
)


if __name__ == "__main__":
    env = gym.make("mylab/CacheCLI-v0")
    agent = make_agent("random", env.unwrapped.design_space, seed=0)
    result = agent.run(env, budget=60, stop_on_target=True)
    print("best design:", result.best_design)
    print("metrics:", result.best_metrics, "target met:", result.target_met)
