"""The six SoC workloads under the baseline SoC, against ArchGym's budgets.

Run: python benchmarks/soc_workloads.py [--farsi-dir PATH] [--samples N] [--seed S]
Prints a Markdown section: each workload's latency, power and area on the baseline
SoC (one A53 at 1 GHz, one 32-bit bus at 100 MHz, one LPDDR4 memory), the budgets,
and the best design that N uniform random samples of archgym/SoC-v0 found.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from archgym.envs.soc import make_soc_env

DEFAULT_FARSI = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "soc" / "farsi_workloads"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--farsi-dir", type=Path, default=DEFAULT_FARSI.resolve())
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    workloads = ["audio_decoder", "edge_detection", "camera_pipeline"]
    if args.farsi_dir.is_dir():
        workloads += [
            str(args.farsi_dir / w) for w in ("audio_decoder", "edge_detection", "hpvm_cava")
        ]
    print("## SoC workloads on the baseline SoC (archgym/SoC-v0)\n")
    print(
        "Baseline: one A53 at 1 GHz, one axi32 bus at 100 MHz, one LPDDR4 memory, queue 4, "
        "256-byte bursts, every task on the A53. Budgets: ArchGym's (latency 21 ms audio / "
        f"34 ms others, power 8.737 mW, area 17.475 mm2). Random search: {args.samples} "
        f"uniform designs, seed {args.seed}.\n"
    )
    print(
        "| workload | source | baseline latency (ms) | power (mW) | area (mm2) | "
        "latency budget (ms) | random search: valid | met | best (latency ms, power mW, "
        "area mm2) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for spec in workloads:
        env = make_soc_env(spec, cache_size=0)
        env.reset(seed=args.seed)
        sim = env.simulator
        base = sim.evaluate(sim.baseline_design())
        budget = env.objective.targets["latency_ms"][1]
        rng = np.random.default_rng(args.seed)
        valid = met = 0
        best_reward, best = -np.inf, None
        for design in env.design_space.sample(rng, args.samples):
            _, reward, _, _, info = env.evaluate_design(design)
            if not info["valid"]:
                continue
            valid += 1
            met += info["target_met"]
            if reward > best_reward:
                best_reward, best = reward, info["metrics"]
        source = "FARSI" if "/" in spec else "built-in"
        best_text = (
            "-"
            if best is None
            else f"{best['latency_ms']:.3g}, {best['power_mw']:.3g}, {best['area_mm2']:.3g}"
        )
        print(
            f"| {sim.graph.name} | {source} | {base['latency_ms']:.4g} | "
            f"{base['power_mw']:.3g} | {base['area_mm2']:.3g} | {budget:g} | "
            f"{valid} | {met} | {best_text} |"
        )


if __name__ == "__main__":
    main()
