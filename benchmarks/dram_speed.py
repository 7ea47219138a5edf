"""Speed and memory of the native DRAM simulator (prints a Markdown section).

Run: python benchmarks/dram_speed.py [n_requests] [--dramsim3 DIR]   (default 1,000,000)

Measures one evaluation (address decoding + compiled kernel + metrics) on generated
stream and random traces of n requests, as requests per second of CPU time (the
machine is shared, so wall time is noisy) and of wall time, and the peak memory the
evaluation allocates beyond the trace itself, per request. Also times one evaluation of
each of ArchGym's four 10,000-request traces when they are present. With a DRAMsim3
build (--dramsim3 DIR or $DRAMSIM3_DIR), times DRAMsim3 and archgym on the same
200,000-request traces and system (DRAMsim3's DDR4_4Gb_x8_2400, read by archgym from
its .ini); without one, compares with the DRAMsim3 speed anchor of REFERENCES.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from dram_crosscheck import locate_dramsim3, reference_run

from archgym.simulators.dram import (
    DRAMSimulator,
    preset_trace,
    random_trace,
    read_dramsim3_config,
    read_trace,
    stream_trace,
    write_trace,
)
from archgym.simulators.dram.config import ControllerConfig
from archgym.simulators.dram.simulator import decode, run

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


def _against_dramsim3(binary: Path, n: int = 200_000) -> None:
    """Both simulators on the same traces and system, CPU seconds to drain each trace."""
    import tempfile

    ini = binary.parents[1] / "configs" / "DDR4_4Gb_x8_2400.ini"
    config = read_dramsim3_config(ini)
    spec, mapping, controller = config.memspec, config.address_mapping, config.controller
    space = spec.capacity_bytes
    traces = {
        "stream, reads, 1 per cycle": stream_trace(n, address_space=space),
        "random, reads, 1 per cycle": random_trace(n, address_space=space),
        "stream, 30% writes, 1 per 4 cycles": stream_trace(
            n, read_ratio=0.7, rate=0.25, address_space=space, seed=3
        ),
        "random, 30% writes, 1 per 4 cycles": random_trace(
            n, read_ratio=0.7, rate=0.25, address_space=space, seed=3
        ),
    }
    print(
        f"\nAgainst DRAMsim3 on {n:,}-request traces, DRAMsim3's DDR4_4Gb_x8_2400 system (two "
        "ranks) for both; CPU seconds until the last request completed (archgym best of "
        f"{REPEATS}, DRAMsim3 one run of exactly the cycles it needed):\n"
    )
    print("| trace | DRAMsim3 cycles | DRAMsim3 s | archgym s | archgym M req/s | x DRAMsim3 |")
    print("|---|---|---|---|---|---|")
    for label, trace in traces.items():
        decoded = decode(spec, mapping, trace)
        end = run(spec, mapping, controller, trace, decoded).counts["end_cycle"]
        best = float("inf")
        for _ in range(REPEATS):
            start = time.process_time()
            run(spec, mapping, controller, trace, decoded)
            best = min(best, time.process_time() - start)
        with tempfile.TemporaryDirectory() as tmp:
            trace_file = Path(tmp) / "trace.txt"
            write_trace(trace, trace_file, "dramsim3")
            cycles, _, reference = reference_run(binary, ini, trace_file, 3 * end, Path(tmp))
        print(
            f"| {label} | {cycles:,} | {reference:.2f} | {best:.3f} | {n / best / 1e6:.2f} | "
            f"{reference / best:.0f}x |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="DRAM simulator speed")
    parser.add_argument("n_requests", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--dramsim3", help="DRAMsim3 checkout (default: $DRAMSIM3_DIR)")
    args = parser.parse_args()
    n = args.n_requests
    print("## DRAM simulator speed\n")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}; date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
    )
    print(
        f"Command: `python benchmarks/dram_speed.py {n}` (DRAMsim3 via $DRAMSIM3_DIR); "
        f"best of {REPEATS} runs.\n"
    )
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
    binary = locate_dramsim3(args.dramsim3)
    if binary is None:
        print("\n(DRAMsim3 not found: the comparison uses the speed anchor of REFERENCES.md)")
    else:
        _against_dramsim3(binary)


if __name__ == "__main__":
    main()
