"""Speed of the native accelerator model and mapper (prints a Markdown section).

Run: python benchmarks/accelerator_speed.py
"""

from __future__ import annotations

import os
import platform
import statistics
import time

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
from archgym.simulators.accelerator.mapper import search
from archgym.simulators.accelerator.simulator import DEFAULT_TIMELOOP_DESIGN, AcceleratorSimulator
from archgym.simulators.thirdparty.crosscheck import zigzag_architecture
from archgym.simulators.thirdparty.zigzag import zigzag_available

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

    # loop orders the compiled search allocates and costs per second (one spatial
    # unrolling, every order of 8 loop factors)
    spatial = ((("Q", 14),), (("C", 3), ("S", 3)))
    search(REF_LAYER, arch, budget=100, spatial=spatial, lpf_limit=8)
    rates = {}
    zigzag_arch = zigzag_architecture("eyeriss_like") if zigzag_available() else None
    for label, a in (("timeloop", arch), ("zigzag", zigzag_arch)):
        if a is None:
            continue
        sp = spatial if label == "timeloop" else ((("Q", 14),), (("K", 12),))
        search(REF_LAYER, a, budget=100, spatial=sp, lpf_limit=8)
        t = time.perf_counter()
        found = search(REF_LAYER, a, budget=20000, spatial=sp, lpf_limit=8)
        rates[label] = found.evaluated / (time.perf_counter() - t)

    print("## Accelerator model speed\n")
    print(f"Machine: {platform.machine()} {os.cpu_count()}-core python sandbox, one process,")
    print(f"Python {platform.python_version()}, date {time.strftime('%Y-%m-%d')}.")
    print("Command: `python benchmarks/accelerator_speed.py`\n")
    print(f"- numba warm-up (compile or cache load): {warmup:.2f} s")
    print(f"- one layer, fixed mapping, `evaluate` (Timeloop reference layer): {single_us:.1f} us")
    for label, rate in rates.items():
        print(
            f"- mapper, {label} convention: {rate / 1e3:.0f} k loop orders/s (allocated and costed)"
        )
    print()
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
