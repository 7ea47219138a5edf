"""Speed and memory of the native DRAM simulator (prints a Markdown section).

Run: python benchmarks/dram_speed.py [n_requests]   (default 1,000,000)

Measures one evaluation (address decoding + compiled kernel + metrics) on generated
stream and random traces of n requests, as requests per second of CPU time (the
machine is shared, so wall time is noisy) and of wall time, and the peak memory the
evaluation allocates beyond the trace itself (tracemalloc), per request. Also times
one evaluation of each of ArchGym's four 10,000-request traces when they are present.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from archgym.simulators.dram import DRAMSimulator, preset_trace, read_trace
from archgym.simulators.dram.config import ControllerConfig

TRACES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "dram" / "traces"
REPEATS = 3
# Speed anchor from REFERENCES.md s2: DRAMsim3 on this machine class, DDR4-2400.
DRAMSIM3_REQ_PER_S = {"stream": 239e3, "random": 168e3}


DESIGNS = {
    "fr_fcfs (Open, FrFcfs, Bankwise 8), refresh 1/1": ControllerConfig(),
    "Closed, Fifo, Shared 8, Reorder, refresh 1/1": ControllerConfig(
        page_policy="Closed",
        scheduler="Fifo",
        scheduler_buffer="Shared",
        resp_queue="Reorder",
        arbiter="Reorder",
    ),
}


def _design(sim: DRAMSimulator, label: str) -> dict:
    knobs = DESIGNS[label].to_design()
    design = {k: v for k, v in knobs.items() if k in sim.design_space.names}
    design["RefreshMaxPostponed"] = max(1, design["RefreshMaxPostponed"])
    design["RefreshMaxPulledin"] = max(1, design["RefreshMaxPulledin"])
    return design


def _time(sim: DRAMSimulator, design: dict, trace) -> tuple[float, float]:
    """Best CPU and wall seconds of REPEATS evaluations (decoding included each time)."""
    best_cpu = best_wall = float("inf")
    for _ in range(REPEATS):
        sim.clear_cache()
        wall, cpu = time.perf_counter(), time.process_time()
        sim.evaluate(design, trace)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall


def _peak_rss_growth(memspec: str, workload: str, n: int, design: dict) -> int:
    """Growth of the peak resident set during one evaluation, measured in a fresh process
    (covers numpy and numba allocations alike; the trace exists before the baseline)."""
    code = (
        "import json, sys\n"
        "from archgym.simulators.dram import DRAMSimulator, preset_trace\n"
        f"sim = DRAMSimulator({memspec!r})\n"
        f"design = json.loads({json.dumps(json.dumps(design))})\n"
        f"trace = preset_trace({workload!r}, {n})\n"
        "sim.evaluate(design, preset_trace('stream', 1000))\n"
        "sim.clear_cache()\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM'):\n"
        "            return int(line.split()[1]) * 1024\n"
        "base = hwm()\n"
        "sim.evaluate(design, trace)\n"
        "print(hwm() - base)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print("## DRAM simulator speed\n")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}; date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
    )
    print(f"Command: `python benchmarks/dram_speed.py {n}`; best of {REPEATS} runs.\n")
    start = time.perf_counter()
    warm = DRAMSimulator()
    warm.evaluate(warm.default_design(), preset_trace("stream", 100))
    print(
        f"First call in this process (numba cache load or compile): "
        f"{time.perf_counter() - start:.2f} s\n"
    )
    print(
        "Peak memory: growth of the process's peak resident set during one evaluation, "
        "in a fresh process, per request (the trace itself, 17 bytes/request, is excluded).\n"
    )
    print(
        "| memspec | trace | controller | M req/s (CPU) | M req/s (wall) | "
        "x DRAMsim3 | peak B/request |"
    )
    print("|---|---|---|---|---|---|---|")
    for memspec in ("DDR3-1600", "DDR4-2400"):
        sim = DRAMSimulator(memspec, extra_knobs=False)
        for workload in ("stream", "random"):
            trace = preset_trace(workload, n)
            for label in DESIGNS:
                design = _design(sim, label)
                cpu, wall = _time(sim, design, trace)
                peak = _peak_rss_growth(memspec, workload, n, design)
                rate = n / cpu
                print(
                    f"| {memspec} | {workload} {n:,} | {label} | {rate / 1e6:.2f} | "
                    f"{n / wall / 1e6:.2f} | {rate / DRAMSIM3_REQ_PER_S[workload]:.0f}x | "
                    f"{peak / n:.0f} |"
                )
    if (TRACES / "stream.stl").is_file():
        sim = DRAMSimulator()
        design = sim.default_design()
        print(
            "\nArchGym's traces (10,000 requests each, DDR3-1600, default design), "
            "one evaluation:\n"
        )
        print("| trace | ms (CPU) | ms (wall) |")
        print("|---|---|---|")
        for name in ("stream", "random", "cloud-1", "cloud-2"):
            trace = read_trace(TRACES / f"{name}.stl")
            cpu, wall = _time(sim, design, trace)
            print(f"| {name} | {cpu * 1e3:.1f} | {wall * 1e3:.1f} |")
    else:
        print(f"\n(ArchGym traces not found at {TRACES}; skipped)")


if __name__ == "__main__":
    main()
