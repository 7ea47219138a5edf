"""Per-layer FLOPs, roofline times, activation memory: against the published formulas."""

from __future__ import annotations

import pytest

from archgym.errors import ConfigError, InvalidDesignError
from archgym.simulators.distributed.compute import BYTES, layer_times, logits_times
from archgym.simulators.distributed.devices import DeviceSpec, resolve_device
from archgym.simulators.distributed.memory import (
    check_memory,
    in_flight,
    layer_activation_bytes,
    stage_params,
)
from archgym.simulators.distributed.workloads import MODELS, TransformerModel

GPT = TransformerModel("gpt", 4, 2048, 16, 8192, 51200)  # d_ff = 4h, dropout
IDEAL = DeviceSpec("ideal", 100.0, 1000.0, 80.0)


@pytest.mark.parametrize("tp", [1, 2, 8])
def test_layer_flops_are_narayanans_24bsh2_plus_4bs2h(tp):
    b, s, h = 2, 1024, GPT.hidden
    times = layer_times(GPT, IDEAL, batch=b, seq_len=s, context=s, tp=tp, sp=1)
    assert times.forward_flops * tp == pytest.approx(24 * b * s * h * h + 4 * b * s * s * h)


def test_swiglu_and_grouped_query_attention_flops():
    llama = MODELS["llama-70b"]  # 8 of 64 heads carry keys and values
    b, s, h, f = 1, 512, llama.hidden, llama.ffn_hidden
    kv = h * 8 / 64
    times = layer_times(llama, IDEAL, batch=b, seq_len=s, context=s, tp=1, sp=1)
    gemms = 2 * b * s * (h * (h + 2 * kv) + h * h + 3 * h * f)
    assert times.forward_flops == pytest.approx(gemms + 4 * b * s * s * h)


def test_sequence_parallelism_splits_the_work_not_the_flops():
    whole = layer_times(GPT, IDEAL, batch=1, seq_len=2048, context=2048, tp=1, sp=1)
    split = layer_times(GPT, IDEAL, batch=1, seq_len=2048, context=2048, tp=1, sp=4)
    assert split.forward_flops * 4 == pytest.approx(whole.forward_flops)


def test_a_decode_step_is_memory_bound_on_the_weights():
    # one token: the GEMMs read every weight once; time ~ weight bytes / bandwidth
    times = layer_times(GPT, IDEAL, batch=1, seq_len=1, context=128, tp=1, sp=1)
    weights = BYTES * (4 * GPT.hidden**2 + 2 * GPT.hidden * GPT.ffn_hidden)
    assert times.forward == pytest.approx(weights / 1e12, rel=0.02)
    # a large prefill is compute bound: time ~ FLOPs / peak
    prefill = layer_times(GPT, IDEAL, batch=8, seq_len=2048, context=2048, tp=1, sp=1)
    assert prefill.forward > prefill.forward_flops / 1e14
    gemm_share = 24 * 8 * 2048 * GPT.hidden**2 / 1e14
    assert prefill.forward < 3 * gemm_share


def test_backward_is_twice_the_forward_gemms_and_recomputation_reruns_work():
    plain = layer_times(GPT, IDEAL, batch=1, seq_len=1024, context=1024, tp=1, sp=1)
    full = layer_times(
        GPT, IDEAL, batch=1, seq_len=1024, context=1024, tp=1, sp=1, recomputation="full"
    )
    selective = layer_times(
        GPT, IDEAL, batch=1, seq_len=1024, context=1024, tp=1, sp=1, recomputation="selective"
    )
    assert plain.recompute == 0.0
    assert full.recompute == pytest.approx(plain.forward)
    assert selective.recompute == pytest.approx(plain.attention_core)
    assert 0 < selective.recompute < full.recompute
    assert plain.backward > 1.9 * (plain.forward - plain.attention_core) - 1e-12


def test_logits_flops_are_2_tokens_h_vocab_over_tp():
    _, _, flops = logits_times(GPT, IDEAL, tokens=4096, tp=4)
    assert flops == pytest.approx(2 * 4096 * GPT.hidden * GPT.vocab / 4)


@pytest.mark.parametrize("tp", [1, 2, 8])
def test_activation_memory_is_korthikantis_formula(tp):
    # Korthikanti et al. 2022: s b h (10 + 24/t + 5 a s / (h t)) bytes per layer
    s, b, h, a = 2048, 2, GPT.hidden, GPT.heads
    kept = layer_activation_bytes(GPT, batch=b, seq_len=s, tp=tp, sp=1, recomputation="none")
    assert kept == pytest.approx(s * b * h * (10 + 24 / tp + 5 * a * s / (h * tp)))
    selective = layer_activation_bytes(
        GPT, batch=b, seq_len=s, tp=tp, sp=1, recomputation="selective"
    )
    assert selective == pytest.approx(s * b * h * (10 + 24 / tp))
    full = layer_activation_bytes(GPT, batch=b, seq_len=s, tp=tp, sp=1, recomputation="full")
    assert full == pytest.approx(2 * s * b * h)


def test_stages_hold_the_micro_batches_in_flight():
    assert in_flight(0, 4, micro_batches=16, chunks=1) == 4  # 1F1B: p - stage
    assert in_flight(3, 4, micro_batches=16, chunks=1) == 1
    assert in_flight(0, 4, micro_batches=2, chunks=1) == 2  # fewer micro-batches than stages
    # interleaved, v = 2: p (1 + (p - 1) / (p v)) = 5.5 on the first stage
    assert in_flight(0, 4, micro_batches=16, chunks=2) == pytest.approx(5.5)


def test_stage_params_put_the_embedding_first_and_a_copy_last():
    layers = [2, 2]
    table = GPT.vocab * GPT.hidden
    assert stage_params(GPT, layers, 0) == pytest.approx(
        2 * GPT.layer_params + GPT.embedding_params
    )
    assert stage_params(GPT, layers, 1) == pytest.approx(2 * GPT.layer_params + table)
    assert stage_params(GPT, [4], 0) == pytest.approx(GPT.params)


def test_a_memory_shortfall_names_the_device_and_the_gap():
    with pytest.raises(InvalidDesignError, match=r"needs 95.0 GB .* A100 has 80 GB: short by 15.0"):
        check_memory(95e9, resolve_device("A100"))


def test_device_presets_and_validation():
    a100 = resolve_device("A100")
    assert (a100.peak_tflops, a100.memory_bandwidth_gbs, a100.memory_gb) == (312.0, 2039.0, 80.0)
    assert resolve_device({"peak_tflops": 10, "memory_bandwidth_gbs": 50, "memory_gb": 24}).name
    with pytest.raises(ConfigError, match="unknown device 'TPU'"):
        resolve_device("TPU")
    with pytest.raises(ConfigError, match="matmul_efficiency must be in"):
        DeviceSpec("x", 1.0, 1.0, 1.0, matmul_efficiency=1.5)


def test_model_presets_have_their_published_sizes():
    # GPT-3 175B and 13B (Brown et al.), LLaMA 7B/13B/70B: parameter counts in billions
    expected = {"gpt3-175b": 175, "gpt3-13b": 13, "llama-7b": 6.7, "llama-13b": 13.0}
    expected["llama-70b"] = 69
    for name, billions in expected.items():
        assert MODELS[name].params / 1e9 == pytest.approx(billions, rel=0.03), name
