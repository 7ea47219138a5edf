"""Fidelity of the native DRAM simulator on ArchGym's four traces (prints a Markdown section).

Run: python benchmarks/dram_fidelity.py

Runs ArchGym's stream, random, cloud-1 and cloud-2 traces (../shared/data/dram/traces)
under DRAMSys's default controller configuration (fr_fcfs.json: Open page, FrFcfs,
Bankwise buffer of 8, Fifo responses, all-bank refresh never postponed, Simple arbiter,
128 active transactions) on ArchGym's DDR3-1600 part, DDR4-2400 and LPDDR4-3200 (one
x16 channel, 32-byte bursts; also with per-bank refresh), and prints
latency, bandwidth, power and energy next to the reference figures of REFERENCES.md s2.
Also checks the analytic limits: peak bandwidth for a stream, and the tFAW bound
(4 activates per tFAW) for random traffic.
"""

from __future__ import annotations

import sys
from pathlib import Path

from archgym.simulators.dram import ControllerConfig, get_mapping, get_memspec, read_trace
from archgym.simulators.dram.energy import command_energies
from archgym.simulators.dram.simulator import run

TRACES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "dram" / "traces"
WORKLOADS = ("stream", "random", "cloud-1", "cloud-2")


def _latencies(m: dict) -> str:
    return (
        f"{m['latency_ns']:.0f} / {m['controller_latency_ns']:.1f} / {m['service_latency_ns']:.1f}"
    )


def main() -> None:
    if not (TRACES / "stream.stl").is_file():
        print(f"ArchGym traces not found at {TRACES}; nothing to compare", file=sys.stderr)
        return
    config = ControllerConfig()  # DRAMSys fr_fcfs.json
    print("## DRAM simulator fidelity\n")
    print(
        "Command: `python benchmarks/dram_fidelity.py`. Controller: DRAMSys `fr_fcfs.json` "
        f"({config}). 10,000 reads per trace, one a cycle.\n"
    )
    for name, mapping_name in (
        ("DDR3-1600", "rbc"),
        ("DDR4-2400", "rbc"),
        ("DDR4-2400", "rbc_bg"),
        ("LPDDR4-3200", "rbc"),
    ):
        spec = get_memspec(name)
        mapping = get_mapping(mapping_name, spec)
        e = command_energies(spec)
        faw_bound = 4 * spec.access_bytes / (spec.tFAW * spec.tck_ns)
        print(
            f"### {name}, address mapping {mapping_name} ({spec.tck_ns:.3f} ns clock, "
            f"peak {spec.peak_bandwidth_gbps:.1f} GB/s, "
            f"tFAW bound for row misses {faw_bound:.1f} GB/s)\n"
        )
        print(
            "| trace | read latency ns: from trace / controller / DRAM | p99 ns | bandwidth GB/s "
            "| % of peak | power mW | energy uJ | nJ per request | row-hit rate | REF |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for workload in WORKLOADS:
            trace = read_trace(TRACES / f"{workload}.stl")
            m = run(spec, mapping, config, trace).metrics
            share = 100 * m["bandwidth_gbps"] / spec.peak_bandwidth_gbps
            per_request = m["energy_nj"] / len(trace)
            print(
                f"| {workload} | {_latencies(m)} | {m['p99_latency_ns']:.0f} | "
                f"{m['bandwidth_gbps']:.2f} | {share:.0f} | {m['power_mw']:.0f} | "
                f"{m['energy_nj'] / 1e3:.1f} | {per_request:.2f} | "
                f"{m['row_hit_rate']:.3f} | {m['refresh_count']:.0f} |"
            )
        if spec.per_bank_refresh:
            pb = ControllerConfig(refresh_policy="PerBank")
            for workload in WORKLOADS:
                trace = read_trace(TRACES / f"{workload}.stl")
                m = run(spec, mapping, pb, trace).metrics
                print(
                    f"| {workload}, PerBank refresh | {_latencies(m)} | "
                    f"{m['p99_latency_ns']:.0f} | {m['bandwidth_gbps']:.2f} | "
                    f"{100 * m['bandwidth_gbps'] / spec.peak_bandwidth_gbps:.0f} | "
                    f"{m['power_mw']:.0f} | {m['energy_nj'] / 1e3:.1f} | "
                    f"{m['energy_nj'] / len(trace):.2f} | {m['row_hit_rate']:.3f} | "
                    f"{m['refresh_count']:.0f} |"
                )
        per_line = (e.activate + e.precharge + e.read) / 1000
        print(
            f"\nPer-command energy (one rank, {spec.devices} x{spec.device_width} device(s)): "
            f"ACT+PRE "
            f"{(e.activate + e.precharge) / 1000:.2f} nJ, RD {e.read / 1000:.2f} nJ, WR "
            f"{e.write / 1000:.2f} nJ, REF {e.refresh / 1000:.1f} nJ; a row-miss read of one "
            f"{spec.access_bytes}-byte burst {per_line:.2f} nJ.\n"
        )
    print(
        "Reference figures (REFERENCES.md s2): DDR4-2400 per device ACT+PRE about 1.0 nJ, read "
        "burst about 0.56 nJ, refresh about 23 nJ; an 8-device rank reading one 64-byte line "
        "costs about 4.5 nJ (core only); a DDR4-2400 rank at about 15 GB/s draws 1.6-2.5 W; "
        "DDR3-1600 x64 peak 12.8 GB/s, DDR4-2400 x64 peak 19.2 GB/s."
    )


if __name__ == "__main__":
    main()
