"""Training step model: pipeline schedule, gradient overlap and scheduling, memory."""

from __future__ import annotations

from dataclasses import replace

import pytest

from archgym.errors import InvalidDesignError
from archgym.simulators.distributed import (
    MODELS,
    ParallelLayout,
    TrainingWorkload,
    collective_time,
    place_groups,
    simulate_training,
    uniform_system,
)
from archgym.simulators.distributed.compute import BYTES, layer_times, logits_times
from archgym.simulators.distributed.network import network_from_lists
from archgym.simulators.distributed.training import (
    OPTIMIZER_BYTES_PER_PARAM,
    _serve,
    pipeline_time,
)


def test_pipeline_time_has_the_1f1b_and_interleaved_bubbles():
    # p equal stages of t: (m + p - 1) t for 1F1B, (m + (p - 1)/v) t interleaved
    assert pipeline_time([2.0] * 4, micro_batches=8) == pytest.approx((8 + 3) * 2.0)
    assert pipeline_time([2.0] * 4, micro_batches=8, chunks=2) == pytest.approx((8 + 1.5) * 2.0)
    # the slowest stage sets the pace
    assert pipeline_time([1.0, 3.0], micro_batches=5) == pytest.approx(4.0 + 4 * 3.0)


def test_fifo_serves_in_arrival_order_and_lifo_newest_first():
    ready, service = [-3.0, -2.0, -1.0, 0.0], [2.0] * 4
    assert _serve(ready, service, lifo=False) == [-1.0, 1.0, 3.0, 5.0]
    # each arrival preempts the job in service; after the last, the stack unwinds
    assert _serve(ready, service, lifo=True) == [5.0, 4.0, 3.0, 2.0]
    assert _serve([0.0, 5.0], [1.0, 1.0], lifo=True) == [1.0, 6.0]  # idle gap


def test_a_single_npu_step_is_its_compute(small_training, a100):
    net = network_from_lists(["Switch"], [1], [100.0], [1000.0])
    layout = ParallelLayout(micro_batch_size=4)
    result = simulate_training(small_training, layout, net, uniform_system(1), a100)
    assert result.micro_batches == 16
    assert result.comm_by_kind["all_reduce"] == 0.0
    model = small_training.model
    times = layer_times(model, a100, batch=4, seq_len=2048, context=2048, tp=1, sp=1)
    logits_fwd, logits_bwd, _ = logits_times(model, a100, tokens=4 * 2048, tp=1)
    compute = 16 * (8 * (times.forward + times.backward) + logits_fwd + logits_bwd)
    optimizer = model.params * OPTIMIZER_BYTES_PER_PARAM / a100.bytes_per_s
    assert compute < result.step_time_s < compute + optimizer + 0.01 * compute
    assert result.bubble_fraction == 0.0


def test_tensor_parallel_all_reduces_are_counted_per_layer(
    small_training, two_level, ring_system, a100
):
    untied = replace(small_training, model=replace(small_training.model, tied_embeddings=False))
    layout = ParallelLayout(dp=1, tp=8, pp=8)
    result = simulate_training(untied, layout, two_level, ring_system, a100)
    tp = place_groups(two_level, layout.group_order())["tp"]
    one = collective_time("all_reduce", BYTES * 2048 * 1024, tp, two_level, ring_system)
    # first stage: 1 layer x 64 micro-batches x 4 all-reduces, plus the embedding's
    assert result.comm_by_kind["all_reduce"] == pytest.approx(64 * (4 + 1) * one.seconds)
    assert result.comm_by_kind["send_recv"] > 0


def test_interleaving_shrinks_the_bubble_and_costs_memory(small_training, two_level, a100):
    system = uniform_system(2, "ring")
    plain = ParallelLayout(dp=8, tp=2, pp=4, micro_batch_size=1)
    interleaved = ParallelLayout(
        dp=8, tp=2, pp=4, micro_batch_size=1, schedule="interleaved", virtual_stages=2
    )
    a = simulate_training(small_training, plain, two_level, system, a100)
    b = simulate_training(small_training, interleaved, two_level, system, a100)
    assert b.bubble_fraction < a.bubble_fraction
    assert b.peak_memory_gb > a.peak_memory_gb


def test_overlapping_the_gradient_reduction_hides_it(small_training, two_level, ring_system, a100):
    layout = ParallelLayout(dp=64, micro_batch_size=1)
    hidden = simulate_training(small_training, layout, two_level, ring_system, a100)
    exposed = simulate_training(
        small_training, layout, two_level, ring_system, a100, overlap_gradient_reduction=False
    )
    assert hidden.gradient_sync_s < exposed.gradient_sync_s
    assert exposed.step_time_s - hidden.step_time_s == pytest.approx(
        exposed.gradient_sync_s - hidden.gradient_sync_s
    )


def test_lifo_returns_the_first_layers_sooner(small_training, a100):
    # a slow data-parallel network: reductions are still queued when the backward ends
    net = network_from_lists(["Switch", "Switch"], [8, 8], [300.0, 5.0], [1000.0, 2000.0])
    layout = ParallelLayout(dp=64, micro_batch_size=1)
    lifo = simulate_training(small_training, layout, net, uniform_system(2, "ring"), a100)
    fifo = simulate_training(
        small_training, layout, net, uniform_system(2, "ring", scheduling_policy="FIFO"), a100
    )
    assert lifo.gradient_sync_s < fifo.gradient_sync_s


def test_sharding_weights_trades_memory_for_traffic(small_training, two_level, ring_system, a100):
    plain = ParallelLayout(dp=64, micro_batch_size=1)
    sharded = ParallelLayout(dp=64, micro_batch_size=1, weight_sharded=True)
    a = simulate_training(small_training, plain, two_level, ring_system, a100)
    b = simulate_training(small_training, sharded, two_level, ring_system, a100)
    assert b.peak_memory_gb < a.peak_memory_gb
    assert b.comm_by_kind["all_gather"] > 0 and b.comm_by_kind["reduce_scatter"] > 0
    assert a.comm_by_kind["all_gather"] == 0


def test_gpt3_175b_does_not_fit_on_eight_gpus(a100):
    workload = TrainingWorkload(MODELS["gpt3-175b"], 8, 2048)
    net = network_from_lists(["Switch"], [8], [300.0], [1000.0])
    with pytest.raises(InvalidDesignError, match=r"needs \d+\.\d GB per device .* short by"):
        simulate_training(workload, ParallelLayout(tp=8), net, uniform_system(1), a100)


def test_mfu_and_hardware_flops_count_recomputation(small_training, two_level, ring_system, a100):
    layout = ParallelLayout(dp=8, tp=8, micro_batch_size=2)
    plain = simulate_training(small_training, layout, two_level, ring_system, a100)
    full = simulate_training(
        small_training,
        ParallelLayout(dp=8, tp=8, micro_batch_size=2, recomputation="full"),
        two_level,
        ring_system,
        a100,
    )
    assert full.step_time_s > plain.step_time_s
    assert full.model_flops_utilization < plain.model_flops_utilization
    # hardware FLOPs add the recomputed forward of the layers (not of the logits):
    # Narayanan et al.'s 96 B s l h^2 (1 + s/6h + V/16lh) over 72 B s l h^2 (... V/12lh)
    s, l, h, v = 2048, 8, 1024, 51200
    expected = (
        96 * (1 + s / (6 * h) + v / (16 * l * h)) / (72 * (1 + s / (6 * h) + v / (12 * l * h)))
    )
    ratio = full.hardware_tflops_per_device / (full.model_flops_utilization * 312)
    assert ratio == pytest.approx(expected, rel=1e-6)
    assert plain.hardware_tflops_per_device == pytest.approx(plain.model_flops_utilization * 312)
