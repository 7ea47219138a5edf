"""The model against Megatron-LM's published throughput (the benchmark's figures, pinned)."""

from __future__ import annotations

import pytest

from archgym.simulators.distributed.validation import (
    A100_PEAK_TFLOPS,
    MEGATRON_TABLE1,
    SINGLE_GPU_CALIBRATION,
    SINGLE_GPU_ITERATION_S,
    simulate_run,
)


def test_the_a100_preset_reproduces_the_single_gpu_measurement():
    result, tflops = simulate_run(SINGLE_GPU_CALIBRATION)
    assert result.step_time_s == pytest.approx(SINGLE_GPU_ITERATION_S, rel=0.01)
    assert tflops == pytest.approx(SINGLE_GPU_CALIBRATION.published_tflops, rel=0.01)


@pytest.mark.parametrize("run", MEGATRON_TABLE1, ids=lambda r: f"{r.billions:g}B")
def test_megatron_table_1_throughput_within_15_percent(run):
    result, tflops = simulate_run(run)
    assert tflops == pytest.approx(run.published_tflops, rel=0.15)
    assert result.peak_memory_gb < 80  # every published configuration fits an A100 80 GB
    # 44-52 % of the 312 TFLOP/s peak in the paper
    assert 0.35 < tflops / A100_PEAK_TFLOPS < 0.6


def test_the_formula_matches_the_papers_aggregate_petaflops():
    # Table 1's last column: 502.0 PFLOP/s for 1T on 3,072 GPUs at 163 TFLOP/s each
    trillion = MEGATRON_TABLE1[-1]
    assert trillion.published_tflops * trillion.gpus / 1e3 == pytest.approx(502.0, rel=0.01)
    assert trillion.model.params / 1e9 == pytest.approx(trillion.billions, rel=0.01)
