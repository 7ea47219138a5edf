"""Shared set-up of the proxy benchmarks: DRAM-v0 datasets (collected once, then reused).

Datasets live in ``$ARCHGYM_BENCH_DATA`` (default /tmp/archgym-proxy-bench) as
``dram-<workload>-<trace length>-n<N>-s<seed>.parquet``. A cached file is reused only
if re-simulating a sample of its rows gives the same metrics (a changed simulator
invalidates it).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archgym.data.collect import collect, write_dataset  # noqa: E402
from archgym.envs import make_env  # noqa: E402

DATA_DIR = Path(os.environ.get("ARCHGYM_BENCH_DATA", "/tmp/archgym-proxy-bench"))
FIGURES = ROOT / "docs" / "figures"
DRAM = "archgym/DRAM-v0"
#: ArchGym's four DRAMGym workloads (REFERENCES.md s1).
WORKLOADS = ("stream", "random", "cloud-1", "cloud-2")
#: ArchGym's traces have 10,000 requests each (REFERENCES.md s1).
TRACE_LENGTH = 10_000
N_DESIGNS = 25_000
SEED = 1
PROXY_METRICS = ("power_mw", "energy_nj", "latency_ns")


def machine() -> str:
    cores = os.cpu_count()
    return f"{platform.node() or 'sandbox'}, {cores} cores, Python {platform.python_version()}"


#: ArchGym's own trace files (10,000 reads each), read-only beside the repository.
TRACE_FILES = ROOT / ".." / "shared" / "data" / "dram" / "traces"


def trace_file(workload: str) -> str:
    """Path of ArchGym's trace file for a workload (ValueError if the folder is absent)."""
    path = (TRACE_FILES / f"{workload}.stl").resolve()
    if not path.is_file():
        raise ValueError(f"reference trace {path} is absent")
    return str(path)


def dram_env(workload: str, trace_length: int = TRACE_LENGTH, **options):
    """DRAM-v0 on a preset (generated with ``trace_length``) or a trace file path."""
    if workload.endswith(".stl"):
        return make_env(DRAM, workload=workload, **options)
    return make_env(DRAM, workload=workload, trace_length=trace_length, **options)


def _fresh(data: pd.DataFrame, workload: str, trace_length: int) -> bool:
    env = dram_env(workload, trace_length).unwrapped
    knobs = list(env.design_space.names)
    rows = data.iloc[np.random.default_rng(0).choice(len(data), 8, replace=False)]
    for _, row in rows.iterrows():
        metrics = env.simulator.evaluate({k: row[k] for k in knobs}, env.workload)
        for name in PROXY_METRICS:
            if not np.isclose(metrics[name], row[name], rtol=1e-9):
                return False
    return True


def dram_dataset(
    workload: str, n: int = N_DESIGNS, trace_length: int = TRACE_LENGTH, seed: int = SEED
) -> pd.DataFrame:
    """Random-sampled DRAM-v0 rows (collected with 2 processes if not cached and fresh)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    label = f"file-{Path(workload).stem}" if workload.endswith(".stl") else workload
    path = DATA_DIR / f"dram-{label}-{trace_length}-n{n}-s{seed}.parquet"
    if path.exists():
        data = pd.read_parquet(path)
        if _fresh(data, workload, trace_length):
            return data
        print(f"<!-- {path.name} is stale (simulator changed); collecting again -->")
    start = time.perf_counter()
    data = collect(
        DRAM,
        n,
        workload=workload,
        sampler="random",
        jobs=2,
        seed=seed,
        env_options={"trace_length": trace_length},
    )
    write_dataset(data, path)
    print(f"<!-- collected {path.name} in {time.perf_counter() - start:.0f} s -->")
    return data


def markdown_table(frame: pd.DataFrame, digits: int = 4) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
