"""Cross-check of the native DRAM model against DRAMsim3 on mixed read/write traffic.

Run: python benchmarks/dram_crosscheck.py [--dramsim3 DIR] [--requests N] [--gap CYCLES]

DIR is a DRAMsim3 checkout with a built ``build/dramsim3main`` and its ``configs/``
(default: the DRAMSIM3_DIR environment variable). Nothing of DRAMsim3 is part of archgym:
this script reads DRAMsim3's own .ini files with
:func:`archgym.simulators.dram.read_dramsim3_config`, writes DRAMsim3-format traces to a
temporary directory, runs both simulators and prints a Markdown section.

Cases: DRAMsim3's DDR4_4Gb_x8_2400 and DDR3_1Gb_x8_1333 systems (two ranks each), a
sequential and a uniformly random 64-byte stream over the whole capacity, with 0%, 30%
and 50% writes, N requests one every GAP memory cycles (default 200,000 and 4: the
trace asks for the peak bandwidth, so queues fill and writes meet reads).

Like for like: DRAMsim3 is run once with a 1,000-cycle epoch to find the epoch in which
its last request completed, then again for exactly that many cycles, and its summary
statistics (average_bandwidth, average_power, average_read_latency) are compared with
archgym's bandwidth_gbps, power_mw and controller_latency_ns (DRAMsim3 counts a read's
latency from the controller accepting it). Goals (issue 11): bandwidth and power within
10%, latency from acceptance within 20% on every case. Speed: CPU seconds of archgym's
evaluation (best of 3) against DRAMsim3's second run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from archgym.simulators.dram import random_trace, read_dramsim3_config, stream_trace, write_trace
from archgym.simulators.dram.simulator import decode, run

CONFIGS = ("DDR4_4Gb_x8_2400", "DDR3_1Gb_x8_1333")
PATTERNS = ("sequential", "random")
WRITE_SHARES = (0.0, 0.3, 0.5)
GOALS = {"bandwidth": 0.10, "power": 0.10, "latency": 0.20}
EPOCH_CYCLES = 1000
REPEATS = 3


def _child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_dramsim3(binary: Path, ini: Path, trace: Path, cycles: int, out: Path) -> float:
    """Run DRAMsim3 for ``cycles``; returns its CPU seconds. Stats land in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    before = _child_cpu_seconds()
    command = [str(binary), str(ini), "-c", str(cycles), "-t", str(trace), "-o", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    return _child_cpu_seconds() - before


def drain_cycles(epochs: list[dict]) -> int:
    """Cycles up to the end of the epoch in which the last request completed."""
    done = [e["num_reads_done"] + e["num_writes_done"] for e in epochs]
    total, cycles, seen = sum(done), 0, 0
    for epoch, count in zip(epochs, done, strict=True):
        cycles += epoch["num_cycles"]
        seen += count
        if seen == total:
            return cycles
    raise RuntimeError("DRAMsim3 epochs do not add up")


def reference_run(
    binary: Path, ini: Path, trace_file: Path, budget: int, work: Path
) -> tuple[int, dict, float]:
    """DRAMsim3 on ``trace_file`` until its last request completed: (cycles, its summary
    statistics of channel 0, CPU seconds of that run). Raises RuntimeError when it does
    not drain within ``budget`` cycles."""
    # First run: long enough to drain, 1,000-cycle epochs to see when it did.
    epoch_ini = work / "epochs.ini"
    epoch_ini.write_text(
        re.sub(r"(?m)^epoch_period\s*=.*$", f"epoch_period = {EPOCH_CYCLES}", ini.read_text())
    )
    run_dramsim3(binary, epoch_ini, trace_file, budget, work / "first")
    epochs = json.loads((work / "first" / "dramsim3epoch.json").read_text())
    cycles = drain_cycles(epochs)
    if cycles >= budget:
        raise RuntimeError(f"DRAMsim3 did not drain {trace_file} within {budget} cycles")
    # Second run: exactly until the drain; its summary statistics are the reference.
    cpu = run_dramsim3(binary, ini, trace_file, cycles, work / "second")
    stats = json.loads((work / "second" / "dramsim3.json").read_text())["0"]
    return cycles, stats, cpu


def _trace(spec, pattern: str, writes: float, n: int, gap: int, seed: int):
    options = {"read_ratio": 1.0 - writes, "rate": 1.0 / gap, "seed": seed}
    if pattern == "sequential":
        return stream_trace(n, address_space=spec.capacity_bytes, name="seq", **options)
    return random_trace(n, address_space=spec.capacity_bytes, name="rand", **options)


def _case(binary: Path, ini: Path, config, pattern, writes, n, gap, work: Path) -> dict:
    spec, mapping, controller = config.memspec, config.address_mapping, config.controller
    trace = _trace(spec, pattern, writes, n, gap, seed=11)
    trace_file = work / "trace.txt"
    write_trace(trace, trace_file, "dramsim3")
    decoded = decode(spec, mapping, trace)
    ours = run(spec, mapping, controller, trace, decoded)
    ours_cpu = float("inf")
    for _ in range(REPEATS):
        start = time.process_time()
        run(spec, mapping, controller, trace, decoded)
        ours_cpu = min(ours_cpu, time.process_time() - start)
    cycles, stats, reference_cpu = reference_run(
        binary, ini, trace_file, 3 * ours.counts["end_cycle"] + 100_000, work
    )
    tck = spec.tck_ns
    m = ours.metrics
    hits = stats["num_read_row_hits"] + stats["num_write_row_hits"]
    columns = stats["num_read_cmds"] + stats["num_write_cmds"]
    return {
        "reference": {
            "bandwidth": stats["average_bandwidth"],
            "power": stats["average_power"],
            "latency": stats["average_read_latency"] * tck,
            "row_hits": hits / columns if columns else 0.0,
            "cycles": cycles,
            "cpu": reference_cpu,
        },
        "archgym": {
            "bandwidth": m["bandwidth_gbps"],
            "power": m["power_mw"],
            "latency": m["controller_latency_ns"],
            "row_hits": m["row_hit_rate"],
            "cycles": ours.counts["end_cycle"],
            "cpu": ours_cpu,
            "turnarounds": ours.counts["turnarounds"],
            "drains": ours.counts["write_drains"],
        },
    }


def locate_dramsim3(argument: str | None) -> Path | None:
    """The dramsim3main binary under ``argument`` or $DRAMSIM3_DIR; None, with a message
    on stderr saying where it was looked for, when there is none."""
    folder = argument or os.environ.get("DRAMSIM3_DIR")
    binary = Path(folder) / "build" / "dramsim3main" if folder else None
    if binary is not None and binary.is_file():
        return binary
    where = f"{binary}" if binary else "nowhere (pass --dramsim3 DIR or set DRAMSIM3_DIR)"
    print(
        f"DRAMsim3 not found: expected its dramsim3main binary at {where}. Build DRAMsim3 "
        "(github.com/umd-memsys/DRAMsim3) outside archgym and point this benchmark at it.",
        file=sys.stderr,
    )
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dramsim3", help="DRAMsim3 checkout (default: $DRAMSIM3_DIR)")
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--gap", type=int, default=4, help="memory cycles between requests")
    args = parser.parse_args()
    binary = locate_dramsim3(args.dramsim3)
    if binary is None:
        return 2
    folder = binary.parents[1]
    print("## DRAM model against DRAMsim3 (mixed reads and writes)\n")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}; date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
    )
    print(
        f"Command: `python benchmarks/dram_crosscheck.py --requests {args.requests} "
        f"--gap {args.gap}` with DRAMsim3 at its own build. {args.requests:,} requests of 64 "
        f"bytes, one every {args.gap} memory cycles; archgym reads DRAMsim3's .ini. Errors are "
        "archgym / DRAMsim3 - 1; goals: bandwidth and power within 10%, read latency from "
        "acceptance within 20%.\n"
    )
    print(
        "| system | trace | writes | GB/s DRAMsim3 | GB/s archgym | err | mW DRAMsim3 | "
        "mW archgym | err | latency ns DRAMsim3 | archgym | err | row hits D3 / ag | "
        "CPU s D3 / ag | speed-up |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    worst = dict.fromkeys(GOALS, 0.0)
    speedups = []
    for name in CONFIGS:
        ini = folder / "configs" / f"{name}.ini"
        config = read_dramsim3_config(ini)
        for pattern in PATTERNS:
            for writes in WRITE_SHARES:
                with tempfile.TemporaryDirectory() as tmp:
                    case = _case(
                        binary, ini, config, pattern, writes, args.requests, args.gap, Path(tmp)
                    )
                ref, ours = case["reference"], case["archgym"]
                errors = {k: ours[k] / ref[k] - 1 for k in GOALS}
                for k, e in errors.items():
                    worst[k] = max(worst[k], abs(e))
                flags = {k: "" if abs(e) <= GOALS[k] else " **!**" for k, e in errors.items()}
                speedup = ref["cpu"] / ours["cpu"]
                speedups.append(speedup)
                print(
                    f"| {name} | {pattern} | {writes:.0%} | {ref['bandwidth']:.2f} | "
                    f"{ours['bandwidth']:.2f} | {errors['bandwidth']:+.1%}{flags['bandwidth']} | "
                    f"{ref['power']:.0f} | {ours['power']:.0f} | "
                    f"{errors['power']:+.1%}{flags['power']} | {ref['latency']:.0f} | "
                    f"{ours['latency']:.0f} | {errors['latency']:+.1%}{flags['latency']} | "
                    f"{ref['row_hits']:.3f} / {ours['row_hits']:.3f} | "
                    f"{ref['cpu']:.2f} / {ours['cpu']:.3f} | {speedup:.0f}x |",
                    flush=True,
                )
    met = all(worst[k] <= GOALS[k] for k in GOALS)
    print(
        f"\nLargest errors: bandwidth {worst['bandwidth']:.1%}, power {worst['power']:.1%}, "
        f"latency from acceptance {worst['latency']:.1%}: goals "
        f"{'met' if met else 'NOT met'} on every case. archgym ran "
        f"{min(speedups):.0f}-{max(speedups):.0f}x faster than DRAMsim3 (CPU time)."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
