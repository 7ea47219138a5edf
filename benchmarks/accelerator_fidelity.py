"""Fidelity of the native accelerator model against Timeloop's eyeriss_like reference run.

Needs ../shared/data/accelerator/timeloop_eyeriss_like_reference (REFERENCES.md s3).
Run: python benchmarks/accelerator_fidelity.py  (prints a Markdown section)
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from archgym.simulators.accelerator import (
    evaluate,
    read_timeloop_problem,
    search,
    timeloop_reference,
)
from archgym.simulators.accelerator.mapping import read_timeloop_map

REF = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "accelerator"
    / "timeloop_eyeriss_like_reference"
)
LEVELS = ("DRAM", "weights_spad", "psum_spad", "shared_glb", "mac", "ifmap_spad")


def main() -> None:
    if not REF.is_dir():
        print(f"reference data {REF} absent; nothing to compare", file=sys.stderr)
        return
    layer = read_timeloop_problem(REF / "parsed-processed-input.yaml")
    mapping = read_timeloop_map(REF / "timeloop-mapper.map.yaml", layer)
    arch = timeloop_reference()
    ours = evaluate(layer, arch, mapping)
    text = (REF / "timeloop-mapper.stats.txt").read_text()
    theirs = {
        k: float(v) / 1000
        for k, v in re.findall(r"^\s+(\w+)\s+= ([\d.]+)$", text.split("fJ/Compute")[1], re.M)
    }
    cycles = float(re.search(r"Summary Stats.*?\nCycles: (\d+)", text, re.S).group(1))
    mine = {
        ("DRAM" if k == "dram" else k): v / layer.macs for k, v in ours.energy_breakdown_pj.items()
    }
    print("## Accelerator model vs Timeloop (eyeriss_like reference layer)\n")
    print(f"Date {time.strftime('%Y-%m-%d')}; command `python benchmarks/accelerator_fidelity.py`.")
    print("Layer C3 M32 P=Q112 R=S3 stride 2 (10.84 M MACs); Timeloop's own mapping,")
    print("archgym's energy tables (REFERENCES.md s3).\n")
    print("| level | Timeloop pJ/MAC | archgym pJ/MAC | ratio |")
    print("|---|---|---|---|")
    for level in LEVELS:
        ratio = mine[level] / theirs[level]
        print(f"| {level} | {theirs[level]:.3f} | {mine[level]:.3f} | {ratio:.3f} |")
    total = ours.energy_per_mac_pj
    print(f"| **total** | {theirs['Total']:.3f} | {total:.3f} | {total / theirs['Total']:.3f} |")
    print(
        f"\nCycles: Timeloop {cycles:.0f}, archgym {ours.cycles:.0f} "
        f"(ratio {ours.cycles / cycles:.3f}); utilisation {ours.utilisation:.2%}."
    )
    rank_t = sorted(LEVELS, key=lambda k: -theirs[k])
    rank_o = sorted(LEVELS, key=lambda k: -mine[k])
    print(f"Energy ranking identical: {rank_t == rank_o} ({' > '.join(rank_o)}).\n")
    print("archgym's mapper on the same layer and hardware (EDP objective):\n")
    print("| budget | seed | pJ/MAC | cycles | EDP vs Timeloop mapper | time ms |")
    print("|---|---|---|---|---|---|")
    timeloop_edp = theirs["Total"] * layer.macs * cycles
    for budget in (1000, 4000, 16000):
        for seed in (0, 1, 2):
            t = time.perf_counter()
            r = search(layer, arch, budget=budget, seed=seed).result
            ms = (time.perf_counter() - t) * 1e3
            print(
                f"| {budget} | {seed} | {r.energy_per_mac_pj:.3f} | {r.cycles:.0f} | "
                f"{r.edp / timeloop_edp:.3f} | {ms:.0f} |"
            )


def baselines() -> None:
    """Default TimeloopGym design on whole networks against ArchGym's baselines."""
    from archgym.simulators.accelerator.simulator import (
        ARCHGYM_BASELINES,
        DEFAULT_TIMELOOP_DESIGN,
        AcceleratorSimulator,
    )

    sim = AcceleratorSimulator()
    shapes = REF.parent / "timeloop_layer_shapes"
    cases = [
        ("alexnet", "alexnet", "alexnet"),
        ("resnet50", "resnet50", "resnet50"),
        ("mobilenet_v2 (grouped)", "mobilenet_v2", None),
        ("mobilenet_v2 (TimeloopGym files)", str(shapes / "mobilenet_v2"), "mobilenet_v2"),
        ("vgg16", "vgg16", None),
        ("resnet18", "resnet18", None),
        ("bert_base", "bert_base", None),
    ]
    print("\nDefault TimeloopGym design (ArchGym's eyeriss_like.yaml), Accelerator-v0 defaults")
    print("(mapper budget 1000, seed 0), against ArchGym's Timeloop baselines:\n")
    print("| network | energy uJ | area mm^2 | cycles | utilisation | ArchGym uJ, mm^2, cycles |")
    print("|---|---|---|---|---|---|")
    for label, workload, key in cases:
        m = sim.evaluate(DEFAULT_TIMELOOP_DESIGN, workload)
        base = ARCHGYM_BASELINES.get(key) if key else None
        ref = f"{base[0]:.0f}, {base[1]}, {base[2] / 1e6:.2f} M" if base else "-"
        print(
            f"| {label} | {m['energy_uj']:.0f} | {m['area_mm2']:.2f} | "
            f"{m['cycles'] / 1e6:.2f} M | {m['utilisation']:.2f} | {ref} |"
        )


if __name__ == "__main__":
    main()
    if REF.is_dir():
        baselines()
