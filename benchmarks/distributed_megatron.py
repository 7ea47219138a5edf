"""Fidelity of the distributed training model against Megatron-LM's published throughput.

Narayanan et al., SC21, Table 1 (GPT 1.7B to 1T on up to 3,072 A100s of Selene), with
the configurations of Megatron-LM's examples/sc21/run_table_1.sh; see
archgym/simulators/distributed/validation.py.

Run: python benchmarks/distributed_megatron.py [--figure docs/figures/distributed_megatron.png]
Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import datetime
import platform
from dataclasses import replace
from pathlib import Path

from archgym.plotting import pyplot, save_figure
from archgym.simulators.distributed.devices import DEVICES
from archgym.simulators.distributed.validation import (
    A100_PEAK_TFLOPS,
    MEGATRON_TABLE1,
    SINGLE_GPU_CALIBRATION,
    SINGLE_GPU_ITERATION_S,
    simulate_run,
)

ROOT = Path(__file__).resolve().parents[1]


def calibrated(memory_efficiency: float) -> float:
    """The matrix efficiency that reproduces the single-GPU iteration time."""
    low, high = 0.3, 1.0
    for _ in range(40):
        middle = (low + high) / 2
        device = replace(
            DEVICES["A100-40GB"], matmul_efficiency=middle, memory_efficiency=memory_efficiency
        )
        result, _ = simulate_run(SINGLE_GPU_CALIBRATION, device=device)
        low, high = (middle, high) if result.step_time_s > SINGLE_GPU_ITERATION_S else (low, middle)
    return middle


def worst_error(matmul: float, memory: float) -> float:
    device = replace(DEVICES["A100"], matmul_efficiency=matmul, memory_efficiency=memory)
    errors = [
        abs(simulate_run(run, device=device)[1] / run.published_tflops - 1)
        for run in MEGATRON_TABLE1
    ]
    return max(errors)


def plot(rows: list[tuple[str, float, float]], path: Path) -> None:
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(7, 3.6), dpi=120)
    x = range(len(rows))
    axes.bar([i - 0.2 for i in x], [r[1] for r in rows], width=0.4, label="Megatron-LM (SC21)")
    axes.bar([i + 0.2 for i in x], [r[2] for r in rows], width=0.4, label="archgym model")
    for i, (_, published, predicted) in enumerate(rows):
        axes.text(
            i + 0.2,
            predicted + 2,
            f"{(predicted / published - 1) * 100:+.0f}%",
            ha="center",
            fontsize=7,
        )
    axes.set_xticks(list(x), [r[0] for r in rows], fontsize=8)
    axes.set_ylabel("TFLOP/s per GPU")
    axes.set_ylim(0, 220)
    axes.set_title("GPT training throughput on Selene (A100): published vs modelled", fontsize=9)
    axes.legend(loc="upper left", ncol=2, fontsize=8)
    figure.tight_layout()
    save_figure(figure, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--figure", type=Path, default=ROOT / "docs/figures/distributed_megatron.png"
    )
    args = parser.parse_args()

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    device = DEVICES["A100"]
    print("## Megatron-LM throughput (Narayanan et al., SC21, Table 1)\n")
    print(
        f"Python {platform.python_version()}, {platform.machine()}; {now}; command "
        "`python benchmarks/distributed_megatron.py`. Selene: 8 A100 80 GB per node on "
        "NVSwitch (300 GB/s each way), one 200 Gb/s InfiniBand port per GPU; ring "
        "collectives, hierarchical all-reduce; the paper's micro-batch sizes, interleaving "
        "and DDP (examples/sc21/run_table_1.sh), full activation recomputation. Throughput "
        "is the paper's F / (step x GPUs), F = 96 B s l h^2 (1 + s/6h + V/16lh). Device "
        f"preset: matrix efficiency {device.matmul_efficiency}, memory efficiency "
        f"{device.memory_efficiency}.\n"
    )
    print(
        "| model | TP | PP | GPUs | batch | micro-batch | schedule | published TFLOP/s | "
        "model TFLOP/s | error | model % of peak | step (s) | bubble | memory (GB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for run in MEGATRON_TABLE1:
        result, tflops = simulate_run(run)
        layout = run.layout
        schedule = layout.schedule
        if schedule == "interleaved":
            schedule += f" (v = {layout.virtual_stages})"
        error = tflops / run.published_tflops - 1
        rows.append((f"{run.billions:g}B", run.published_tflops, tflops))
        print(
            f"| {run.billions:g}B | {run.tp} | {run.pp} | {run.gpus} | {run.batch} | "
            f"{run.micro_batch} | {schedule} | {run.published_tflops:g} | {tflops:.1f} | "
            f"{error * 100:+.1f}% | {tflops / A100_PEAK_TFLOPS * 100:.0f}% | "
            f"{result.step_time_s:.2f} | {result.bubble_fraction * 100:.1f}% | "
            f"{result.peak_memory_gb:.1f} |"
        )
    worst = max(abs(p / q - 1) for _, q, p in rows)
    print(f"\nLargest error: {worst * 100:.1f}% (target: within 15% on every row).\n")

    calibration, tflops = simulate_run(SINGLE_GPU_CALIBRATION)
    print(
        "Calibration (the only fitted figure): Megatron-LM's single A100 run of a 1.2B GPT "
        f"(batch 16, sequence 1,024) takes {SINGLE_GPU_ITERATION_S * 1e3:.0f} ms "
        f"({SINGLE_GPU_CALIBRATION.published_tflops} TFLOP/s); the model, on an A100 40 GB "
        f"with the preset, gives {calibration.step_time_s * 1e3:.0f} ms ({tflops:.1f} TFLOP/s).\n"
    )
    print("Sensitivity to the assumed memory efficiency (matrix efficiency recalibrated):\n")
    print("| memory efficiency | calibrated matrix efficiency | largest Table 1 error |")
    print("|---|---|---|")
    for memory in (0.7, 0.8, 0.9):
        matmul = calibrated(memory)
        print(f"| {memory} | {matmul:.3f} | {worst_error(matmul, memory) * 100:.1f}% |")
    plot(rows, args.figure)
    print(f"\n![published vs modelled]({Path('figures') / args.figure.name})")


if __name__ == "__main__":
    main()
