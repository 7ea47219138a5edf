"""Speed of the SoC model: evaluations per second on a three-PE SoC.

Run: python benchmarks/soc_speed.py [--farsi-dir PATH] [--repeats N]
Prints a Markdown section. The design allocates three PEs (A53, IP, A53x2), three
memories and three buses, with tasks and data dealt round-robin over the slots.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from archgym.envs.soc import make_soc_env
from archgym.errors import InvalidDesignError
from archgym.simulators.soc import SoCSimulator, simulate

DEFAULT_FARSI = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "soc" / ("farsi_workloads")
)


def three_pe_design(sim: SoCSimulator) -> dict:
    design = sim.baseline_design()
    kinds = (
        ("A53", "lpddr4", "axi32"),
        ("IP", "sram_4MiB", "axi64"),
        ("A53x2", "lpddr4", "axi128"),
    )
    for s, (pe, mem, bus) in enumerate(kinds):
        design |= {
            f"pe{s}_type": pe,
            f"pe{s}_bus": s,
            f"pe{s}_unroll": 4,
            f"mem{s}_type": mem,
            f"mem{s}_bus": s,
            f"bus{s}_type": bus,
        }
    for i, task in enumerate(sim.mapped_tasks):
        design[f"pe_of_{task}"] = i % 3
    for i, task in enumerate(sim.stored_tasks):
        design[f"mem_of_{task}"] = i % 3
    return design


def time_per_call(fn, repeats: int) -> float:
    fn()  # warm up
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--farsi-dir", type=Path, default=DEFAULT_FARSI.resolve())
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()

    workloads = ["audio_decoder", "edge_detection", "camera_pipeline"]
    if args.farsi_dir.is_dir():
        workloads += [
            str(args.farsi_dir / w) for w in ("audio_decoder", "edge_detection", "hpvm_cava")
        ]
    print("## SoC model speed (archgym/SoC-v0)\n")
    print(
        f"Python {platform.python_version()}, {platform.machine()}; best of 5 runs of "
        f"{args.repeats} evaluations; three-PE SoC (A53, IP, A53x2; 3 memories; 3 buses).\n"
    )
    print("| workload | tasks | edges | evaluate (us) | simulate only (us) | evaluations/s |")
    print("|---|---|---|---|---|---|")
    for spec in workloads:
        sim = SoCSimulator(spec)
        design = three_pe_design(sim)
        try:
            sim.evaluate(design)
        except InvalidDesignError:  # the frame workloads overflow the SRAM: all DRAM
            design |= {f"mem{s}_type": "lpddr4" for s in range(3)}
        soc = sim.to_soc(design)

        full = time_per_call(lambda sim=sim, design=design: sim.evaluate(design), args.repeats)
        core = time_per_call(lambda sim=sim, soc=soc: simulate(sim.graph, soc), args.repeats)
        label = sim.graph.name + (" (FARSI)" if "/" in spec else " (built-in)")
        print(
            f"| {label} | {len(sim.graph.tasks)} | {len(sim.graph.edges)} | "
            f"{full * 1e6:.0f} | {core * 1e6:.0f} | {1 / full:,.0f} |"
        )

    env = make_soc_env("audio_decoder", cache_size=0)
    env.reset(seed=0)
    action = env.encode(three_pe_design(env.simulator))
    step = time_per_call(lambda: env.step(action), args.repeats)
    print(
        f"\nOne `env.step` of archgym/SoC-v0 (audio_decoder, cache off, same design): "
        f"{step * 1e6:.0f} us."
    )


if __name__ == "__main__":
    main()
