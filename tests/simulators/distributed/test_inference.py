"""Serving model: time to first token, time per output token, KV-cache memory."""

from __future__ import annotations

import pytest

from archgym.errors import InvalidDesignError
from archgym.simulators.distributed import (
    InferenceWorkload,
    ParallelLayout,
    simulate_inference,
    uniform_system,
)
from archgym.simulators.distributed.compute import BYTES, layer_times
from archgym.simulators.distributed.network import network_from_lists

from .conftest import SMALL


def one_npu():
    return network_from_lists(["Switch"], [1], [100.0], [1000.0])


def test_decode_reads_the_weights_once_per_micro_batch(a100):
    workload = InferenceWorkload(SMALL, 8, prompt_tokens=512, output_tokens=64)
    one = simulate_inference(
        workload, ParallelLayout(micro_batch_size=8), one_npu(), uniform_system(1), a100
    )
    eight = simulate_inference(
        workload, ParallelLayout(micro_batch_size=1), one_npu(), uniform_system(1), a100
    )
    # memory-bound decode: eight micro-batches read the weights eight times (the KV
    # cache, read once per sequence either way, keeps the ratio below 8)
    assert 5 < eight.time_per_output_token_s / one.time_per_output_token_s < 8
    weights = 8 * BYTES * SMALL.layer_params
    assert one.time_per_output_token_s > weights / a100.bytes_per_s


def test_latency_is_first_token_plus_the_decode_steps(a100):
    workload = InferenceWorkload(SMALL, 4, prompt_tokens=256, output_tokens=32)
    result = simulate_inference(
        workload, ParallelLayout(micro_batch_size=4), one_npu(), uniform_system(1), a100
    )
    assert result.request_latency_s == pytest.approx(
        result.time_to_first_token_s + 31 * result.time_per_output_token_s
    )
    assert result.output_tokens_per_s == pytest.approx(4 * 32 / result.request_latency_s)
    prefill = layer_times(SMALL, a100, batch=4, seq_len=256, context=256, tp=1, sp=1)
    assert result.time_to_first_token_s > 8 * prefill.forward


def test_pipelining_hides_stages_for_many_micro_batches(two_level, ring_system, a100):
    workload = InferenceWorkload(SMALL, 64, prompt_tokens=512, output_tokens=16)
    one_stage = simulate_inference(
        workload, ParallelLayout(dp=8, tp=8, micro_batch_size=8), two_level, ring_system, a100
    )
    pipelined = simulate_inference(
        workload, ParallelLayout(dp=1, tp=8, pp=8, micro_batch_size=8), two_level, ring_system, a100
    )
    # the same tensor split; eight replicas each serve 8 sequences, while the pipeline
    # serves all 64 in eight micro-batches: its first token comes later
    assert pipelined.time_to_first_token_s > one_stage.time_to_first_token_s
    assert pipelined.comm_by_kind["send_recv"] > 0
    assert one_stage.comm_by_kind["all_reduce"] > 0


def test_the_kv_cache_must_fit(a100):
    workload = InferenceWorkload(SMALL, 512, prompt_tokens=8192, output_tokens=8192)
    with pytest.raises(InvalidDesignError, match="short by"):
        simulate_inference(
            workload, ParallelLayout(micro_batch_size=512), one_npu(), uniform_system(1), a100
        )


def test_mean_context_is_archgyms_decoding_length():
    # ArchGym's QA decoding config attends over 1,100 tokens for 1,000 + 200
    assert InferenceWorkload(SMALL, 1, 1000, 200).mean_context == 1100
