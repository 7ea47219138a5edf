"""DRAM-v0 against the real DRAMsim3 (``archgym validate``), and the adapters on real tools.

Run: ``python benchmarks/external_validate.py [--dramsim3 PATH] [--ramulator2 PATH]
[--timeloop PATH]``
(about 2-4 minutes on 2 cores). Prints a Markdown section; the recorded one is
benchmarks/results/external.md. Tools are looked for in the options, then in
``$ARCHGYM_DRAMSIM3`` / ``$ARCHGYM_RAMULATOR2`` / ``$ARCHGYM_TIMELOOP``; a missing
tool's section says so.

1. ``archgym validate archgym/DRAM-v0 --against dramsim3 --n 50`` on DRAM-v0's four
   presets (10,000 reads, one a cycle) and on two mixed traces (30% writes, one request
   every 4 cycles: a stream and random lines), DDR3-1600, rbc mapping: the per-metric
   error table of DRAM-v0 relative to DRAMsim3, and a scatter plot per trace in
   docs/figures/.
2. Time per evaluation: DRAMsim3 through the adapter (files, process, parsing) against
   DRAM-v0 on the same designs.
3. Ramulator 2 (if given): ``archgym validate --against ramulator2`` on the four presets,
   DDR4-2400 (its design space has 4 designs over the knobs DRAM-v0 shares).
4. Timeloop (if given): random designs of archgym/Timeloop-v0 on three networks run by a
   real ``timeloop-model``: how many ran, how many it rejected and why, time per layer.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from archgym.envs.external import validate_adapter

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
PRESETS = ("stream", "random", "cloud-1", "cloud-2")
FIGURE_WORKLOADS = ("cloud-1", "stream-30w")


def mixed_traces() -> dict:
    from archgym.simulators.dram import random_trace, stream_trace

    return {
        "stream-30w": stream_trace(10_000, read_ratio=0.7, rate=0.25, seed=0, name="stream-30w"),
        "random-30w": random_trace(10_000, read_ratio=0.7, rate=0.25, seed=0, name="random-30w"),
    }


def _git(*args: str, cwd: Path = ROOT) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


#: The last commit of the native DRAM model, recorded with the figures.
DRAM_COMMIT = _git("log", "-1", "--format=%h %cs", "--", "archgym/simulators/dram")


def _tool(option: str | None, variable: str, default: str) -> Path | None:
    path = Path(option or os.environ.get(variable) or default)
    return path if path.is_file() and os.access(path, os.X_OK) else None


def _pct(x: float, signed: bool = False) -> str:
    return "-" if np.isnan(x) else (f"{x:+.1f}%" if signed else f"{x:.1f}%")


def validation_tables(
    adapter: str,
    label: str,
    binary: Path,
    workloads: list,
    n: int,
    jobs: int,
    figures: tuple[str, ...],
) -> list:
    """One error table per workload (and a figure for ``figures``); returns the results."""
    results = []
    for workload in workloads:
        name = workload if isinstance(workload, str) else workload.name
        start = time.perf_counter()
        result = validate_adapter(
            "archgym/DRAM-v0",
            adapter,
            n,
            seed=0,
            workload=workload,
            adapter_options={"binary": binary},
            jobs=jobs,
        )
        elapsed = time.perf_counter() - start
        print(f"**{name}** ({len(result.designs)} designs, {elapsed:.1f} s with {jobs} jobs)\n")
        print(
            f"| metric | {label} mean | DRAM-v0 mean | mean abs error | max abs error | bias "
            "| Spearman |"
        )
        print("|---|---|---|---|---|---|---|")
        for row in result.table().itertuples():
            metric = (
                row.metric
                if row.metric == row.native_metric
                else (f"{row.metric} (DRAM-v0 {row.native_metric})")
            )
            print(
                f"| {metric} | {row.tool_mean:.4g} | {row.native_mean:.4g} | "
                f"{_pct(row.mean_abs_error_pct)} | {_pct(row.max_abs_error_pct)} | "
                f"{_pct(row.bias_pct, True)} | {row.spearman:.3f} |"
            )
        print()
        for design, reason in result.skipped:
            print(f"skipped {design}: {reason}\n")
        if name in figures:
            path = result.plot(FIGURES / f"validate_dram_{adapter}_{name}.png")
            print(f"![DRAM-v0 vs {label} on {name}](figures/{path.name})\n")
        results.append((name, result))
    return results


def dramsim3_section(binary: Path, n: int, jobs: int) -> None:
    tool_commit = _git("log", "-1", "--format=%h %cs", cwd=binary.parents[1])
    print("### DRAM-v0 vs DRAMsim3 (`archgym validate`)\n")
    print(
        f"DRAMsim3 {tool_commit} (umd-memsys/DRAMsim3, built with CMake, `{binary.name}`); "
        f"DRAM-v0 as of commit {DRAM_COMMIT} of archgym/simulators/dram (repository HEAD "
        f"{_git('rev-parse', '--short', 'HEAD')}). DDR3-1600 (ArchGym's Micron 1Gb x8 part, "
        "rendered into DRAMsim3's ini), rbc mapping, 10,000 requests per trace, "
        f"{n} designs per trace sampled from the DRAMsim3 adapter's space (PagePolicy, "
        "SchedulerBuffer, RequestBufferSize, RefreshPolicy; DRAMsim3's transaction queue "
        "held at 32, DRAM-v0's other knobs at FR-FCFS, Fifo responses, Simple arbiter, 128 "
        "transactions, refresh postponing 1). Errors are (DRAM-v0 - DRAMsim3) / DRAMsim3; "
        "Spearman is the rank correlation over the designs (1: both order them alike).\n"
    )
    workloads: list = [*PRESETS, *mixed_traces().values()]
    results = validation_tables(
        "dramsim3", "DRAMsim3", binary, workloads, n, jobs, FIGURE_WORKLOADS
    )
    speed_section(binary, results[:2])


def ramulator2_section(binary: Path, n: int, jobs: int) -> None:
    print("### DRAM-v0 vs Ramulator 2 (`archgym validate --against ramulator2`)\n")
    print(
        "Ramulator 2.0 built from tag v2.0a of CMU-SAFARI/ramulator2 (CMake, its yaml-cpp, "
        f"spdlog and argparse from their release tags); DRAM-v0 as of commit {DRAM_COMMIT}. "
        "DDR4: Ramulator's DDR4_4Gb_x8 / DDR4_2400R presets against DRAM-v0's DDR4-2400 "
        "(the same organisation and CL-tRCD-tRP 16-16-16), RoBaRaCoCh = rbc, 10,000 "
        f"requests per trace, {n} designs (PagePolicy x RefreshPolicy: only 4 distinct; "
        "Ramulator's write watermarks held at 0.8 / 0.2). Ramulator's frontend ignores the "
        "trace's time stamps (a request a cycle whenever accepted) and stops at the last "
        "send; its energy uses its own 'Default' DDR4 currents (IDD0 60, IDD3N 55, IDD4R "
        "145, IDD5B 362 mA plus VPP currents; there is no per-current override), not the "
        "Micron part's of DRAM-v0, so energy and power differ by parameters as well as "
        "by model.\n"
    )
    validation_tables("ramulator2", "Ramulator 2", binary, list(PRESETS), n, jobs, ())


def speed_section(binary: Path, results: list) -> None:
    """Per-evaluation time of DRAMsim3 through the adapter vs DRAM-v0 (best of 3)."""
    from archgym.envs.registry import make_env
    from archgym.simulators.external.dramsim3 import DRAMsim3Simulator

    tool = DRAMsim3Simulator(binary)
    rows = []
    for name, result in results:
        native = make_env("archgym/DRAM-v0", workload=name).unwrapped
        counterpart = tool.native_counterpart()
        designs = result.designs[:10]
        natives = [counterpart.native_design(d, native.design_space) for d in designs]
        native.simulator.evaluate(natives[0], native.workload)  # compile
        best_tool = best_native = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for design in designs:
                tool.evaluate(design, native.workload)
            best_tool = min(best_tool, (time.perf_counter() - start) / len(designs))
            start = time.perf_counter()
            for design in natives:
                native.simulator.evaluate(design, native.workload)
            best_native = min(best_native, (time.perf_counter() - start) / len(designs))
        rows.append((name, best_tool, best_native))
    print("### Time per evaluation (10,000 requests, best of 3 over 10 designs, one process)\n")
    print("| trace | DRAMsim3 via the adapter | DRAM-v0 | ratio |")
    print("|---|---|---|---|")
    for name, tool_s, native_s in rows:
        print(
            f"| {name} | {1000 * tool_s:.1f} ms | {1000 * native_s:.2f} ms | "
            f"{tool_s / native_s:.0f}x |"
        )
    print(
        "\nThe adapter's time includes writing the ini and the 10,000-line trace, starting "
        "the process and reading two JSON files (the epoch file is about 1 MB).\n"
    )


def timeloop_section(binary: Path, designs: int) -> None:
    from archgym.envs.thirdparty import resolve_workload
    from archgym.errors import InvalidDesignError
    from archgym.simulators.external.timeloop import TimeloopSimulator

    library = binary.parents[1] / "build"
    environment = {"LD_LIBRARY_PATH": str(library)} if library.is_dir() else {}
    tool = TimeloopSimulator(binary, environment=environment)
    print("### Timeloop adapter on a real timeloop-model\n")
    print(
        f"timeloop-model built from NVlabs/timeloop tag v3.0.3 (`scons`, no Accelergy); "
        f"{designs} random designs of archgym/Timeloop-v0 (seed 0) per network, every layer "
        "a separate run.\n"
    )
    print("| network | layers | designs run | rejected by Timeloop (reason) | s per layer run |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for network in ("alexnet", "resnet18", "mobilenet_v2"):
        workload = resolve_workload(network)
        ok, reasons, start, runs = 0, Counter(), time.perf_counter(), 0
        for design in tool.design_space.sample(rng, designs):
            try:
                tool.evaluate(design, workload)
                ok += 1
                runs += len({layer.shape_key() for layer in workload.layers})
            except InvalidDesignError as error:
                reasons[str(error).split("ERROR: ")[-1].split(":")[0]] += 1
                runs += 1
        per_run = (time.perf_counter() - start) / max(runs, 1)
        why = ", ".join(f"{count} {reason}" for reason, count in reasons.most_common()) or "-"
        print(f"| {network} | {len(workload.layers)} | {ok} | {why} | {per_run:.3f} |")
    print(
        "\nEvery rendered architecture, problem and mapping was accepted by the parser; the "
        "rejections are Timeloop's capacity checks (the tile of the fixed mapping does not "
        "fit the register file or the global buffer), which the env reports as infeasible "
        "designs.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dramsim3", help="dramsim3main (default $ARCHGYM_DRAMSIM3)")
    parser.add_argument("--ramulator2", help="ramulator2 (default $ARCHGYM_RAMULATOR2)")
    parser.add_argument("--timeloop", help="timeloop-model (default $ARCHGYM_TIMELOOP)")
    parser.add_argument("--n", type=int, default=50, help="designs per trace")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeloop-designs", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    print(
        "## External simulators: DRAM-v0 against DRAMsim3 and Ramulator 2, adapters on real tools\n"
    )
    print(
        f"- Machine: {platform.machine()} {platform.system()}, Python "
        f"{platform.python_version()}, 2 cores shared with other sessions.\n"
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.\n"
        "- Command: `python benchmarks/external_validate.py --dramsim3 "
        "/work/tools/DRAMsim3/build/dramsim3main --ramulator2 "
        "/work/tools/ramulator2-build/src/build/ramulator2 --timeloop "
        "/work/tools/timeloop-src/bin/timeloop-model` (tools built outside the project).\n"
    )
    dramsim3 = _tool(args.dramsim3, "ARCHGYM_DRAMSIM3", "/work/tools/DRAMsim3/build/dramsim3main")
    if dramsim3 is None:
        print("DRAMsim3 not found (--dramsim3 or $ARCHGYM_DRAMSIM3): section skipped.\n")
    else:
        dramsim3_section(dramsim3, args.n, args.jobs)
    ramulator2 = _tool(
        args.ramulator2, "ARCHGYM_RAMULATOR2", "/work/tools/ramulator2-build/src/build/ramulator2"
    )
    if ramulator2 is None:
        print("ramulator2 not found (--ramulator2 or $ARCHGYM_RAMULATOR2): section skipped.\n")
    else:
        ramulator2_section(ramulator2, min(args.n, 4), args.jobs)
    timeloop = _tool(
        args.timeloop, "ARCHGYM_TIMELOOP", "/work/tools/timeloop-src/bin/timeloop-model"
    )
    if timeloop is None:
        print("timeloop-model not found (--timeloop or $ARCHGYM_TIMELOOP): section skipped.\n")
    else:
        timeloop_section(timeloop, args.timeloop_designs)
    print(f"Total time: {time.perf_counter() - start:.0f} s.")


if __name__ == "__main__":
    main()
