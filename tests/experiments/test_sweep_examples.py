"""The example sweep specs in examples/sweeps/ are valid and expand as documented."""

from __future__ import annotations

from pathlib import Path

from archgym.experiments import check_spec, expand_runs, load_spec

SWEEPS = Path(__file__).resolve().parents[2] / "examples" / "sweeps"


def test_quick_example_is_valid() -> None:
    spec = load_spec(SWEEPS / "analytic_quick.yaml")
    check_spec(spec)
    # 2 workloads x 2 objectives x (1 + 3 + 6 + 6 settings) x 3 seeds
    assert len(expand_runs(spec)) == 2 * 2 * 16 * 3


def test_dram_lottery_example_expands_to_the_documented_runs() -> None:
    spec = load_spec(SWEEPS / "dram_lottery.yaml")
    runs = expand_runs(spec)
    # 4 traces x (random 1 + GA 15 + ACO 24 + BO 1 + PPO 2 settings) x 3 seeds
    assert len(runs) == 4 * 43 * 3 == 516
    assert {r.workload for r in runs} == {"stream", "random", "cloud-1", "cloud-2"}
    assert {r.objective for r in runs} == {"power_latency"}
    assert spec.output == str((SWEEPS / "../../runs/sweeps/dram_lottery").resolve())
