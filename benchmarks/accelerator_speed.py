"""Speed of the native accelerator model and mapper (prints a Markdown section).

Run: python benchmarks/accelerator_speed.py
"""

from __future__ import annotations

import os
import platform
import statistics
import time

import numpy as np

from archgym.simulators.accelerator import (
    Layer,
    Mapping,
    alexnet,
    bert_base,
    evaluate,
    eyeriss_like,
    mobilenet_v2,
    resnet50,
    search_network,
    systolic,
    timeloop_reference,
)
from archgym.simulators.accelerator.model import run_kernel
from archgym.simulators.accelerator.simulator import DEFAULT_TIMELOOP_DESIGN, AcceleratorSimulator

REF_LAYER = Layer("ref", K=32, C=3, P=112, Q=112, R=3, S=3, stride_h=2, stride_w=2)
REF_MAPPING = Mapping.from_levels(
    REF_LAYER,
    pe={"K": 8, "R": 3},
    x={"Q": 14},
    y={"C": 3, "S": 3},
    glb={"P": 14, "Q": 4},
    dram={"K": 4, "Q": 2, "P": 8},
    glb_order="QPCKRSNG",
    dram_order="KQPCRSNG",
)


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    t = time.perf_counter()
    evaluate(REF_LAYER, timeloop_reference(), REF_MAPPING)  # numba compile or cache load
    warmup = time.perf_counter() - t
    arch = timeloop_reference()
    n = 2000
    t = time.perf_counter()
    for _ in range(n):
        evaluate(REF_LAYER, arch, REF_MAPPING)
    single_us = (time.perf_counter() - t) / n * 1e6

    batch = 10000
    factors = np.repeat(REF_MAPPING.as_array()[None], batch, axis=0)
    orders = np.tile(np.arange(8, dtype=np.int64), (batch, 1))
    kernel_s = median_time(lambda: run_kernel(REF_LAYER, arch, factors, orders, orders), 5)

    print("## Accelerator model speed\n")
    print(f"Machine: {platform.machine()} {os.cpu_count()}-core python sandbox, one process,")
    print(f"Python {platform.python_version()}, date {time.strftime('%Y-%m-%d')}.")
    print("Command: `python benchmarks/accelerator_speed.py`\n")
    print(f"- numba warm-up (compile or cache load): {warmup:.2f} s")
    print(f"- one layer, fixed mapping, `evaluate` (Timeloop reference layer): {single_us:.1f} us")
    print(f"- kernel batch: {batch / kernel_s / 1e6:.2f} M mappings/s ({kernel_s * 1e3:.1f} ms)\n")
    print("| network | arch | layers (distinct) | mapper budget/layer | search time s |")
    print("|---|---|---|---|---|")
    cases = [
        (resnet50(), eyeriss_like()),
        (resnet50(), systolic(32, 32, "ws")),
        (alexnet(), eyeriss_like()),
        (mobilenet_v2(), eyeriss_like()),
        (bert_base(), systolic(32, 32, "os")),
    ]
    for net, a in cases:
        distinct = len({layer.shape_key() for layer in net})
        s = median_time(lambda net=net, a=a: search_network(net, a, budget=2000), 3)
        print(f"| {net.name} | {a.name} | {len(net)} ({distinct}) | 2000 | {s:.2f} |")
    sim = AcceleratorSimulator()
    print("\n| Accelerator-v0 step (default design, mapper budget 1000) | seconds |")
    print("|---|---|")
    for name in ("alexnet", "resnet50", "mobilenet_v2"):
        s = median_time(lambda name=name: sim.evaluate(DEFAULT_TIMELOOP_DESIGN, name), 3)
        print(f"| {name} | {s:.3f} |")


if __name__ == "__main__":
    main()
