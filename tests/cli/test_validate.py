"""``archgym validate``: native env against an external tool (a stand-in here)."""

from __future__ import annotations

import pandas as pd

from archgym.cli import main
from tests.simulators.external.standins import write_standin


def test_validate_prints_the_error_table_and_writes_plot_and_csv(tmp_path, capsys):
    binary = write_standin(tmp_path, "dramsim3")
    out = tmp_path / "out"
    status = main(
        [
            "validate",
            "archgym/DRAM-v0",
            "--against",
            "dramsim3",
            "--n",
            "3",
            "--env-arg",
            "trace_length=120",
            "--adapter-arg",
            f"binary={binary}",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "archgym/DRAM-v0 vs DRAMsim3 on 'stream': 3 designs" in printed
    assert "mean |err|" in printed and "read_latency_ns ~ controller_latency_ns" in printed
    designs = pd.read_csv(out / "designs.csv")
    assert len(designs) == 3 and {"tool:sim_time_ns", "native:sim_time_ns"} <= set(designs)
    errors = pd.read_csv(out / "errors.csv")
    assert "energy_nj" in set(errors["metric"])
    assert (out / "scatter.png").stat().st_size > 1000


def test_an_adapter_without_a_counterpart_is_one_clear_line(tmp_path, capsys):
    binary = write_standin(tmp_path, "timeloop")
    args = [
        "validate",
        "archgym/Accelerator-v0",
        "--against",
        "timeloop",
        "--n",
        "2",
        "--adapter-arg",
        f"binary={binary}",
        "--no-progress",
    ]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.startswith("archgym: error: adapter 'timeloop' has no native counterpart")
    assert error.count("\n") == 1
