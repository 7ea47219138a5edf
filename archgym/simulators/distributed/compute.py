"""Compute time of transformer layers on one device, kernel by kernel on a roofline.

Every kernel has a FLOP count and the bytes it moves through device memory (16-bit
activations and weights); it takes max(FLOPs / achieved FLOP/s, bytes / achieved
bandwidth). A layer on one device, for ``tokens`` local tokens of ``batch`` sequences
of ``seq_len`` (``context`` keys each), split ``tp`` ways by tensor and ``sp`` ways by
sequence parallelism (attention then runs on ``heads / (tp sp)`` whole heads):

* GEMMs: QKV, attention output, MLP (two matrices for GeLU, three for SwiGLU); the
  attention scores Q K^T and their product with V (batched, per head). A backward GEMM
  is two GEMMs of the forward's size (input and weight gradients).
* Memory-bound kernels (Megatron-LM's fused ones, pre-FlashAttention): two layer norms,
  the scaled-masked softmax over the score matrix, attention dropout, bias+activation,
  two bias+dropout+residual adds (plain residual adds without dropout). Bytes read and
  written per element are listed below; the backward reads saved inputs and gradients.

Selective recomputation re-runs the attention core (scores, softmax, dropout, A V) in
the backward pass (Korthikanti et al., 2022); full recomputation re-runs the forward.
"""

from __future__ import annotations

from dataclasses import dataclass

from archgym.simulators.distributed.devices import DeviceSpec
from archgym.simulators.distributed.workloads import TransformerModel

BYTES = 2  # 16-bit activations and weights
# Bytes per element moved by the memory-bound kernels (16-bit data, 1-byte masks):
LAYERNORM = (4, 6)  # forward: read x, write y; backward: read x, dy, write dx
SOFTMAX = (4, 6)  # read scores, write probabilities; backward: read y, dy, write dx
DROPOUT = (5, 5)  # read, write, write mask; backward: read mask, dy, write dx
BIAS_DROPOUT_ADD = (7, 5)  # read x, residual, write, mask; backward: read mask, dy, write
RESIDUAL_ADD = (6, 2)  # read two, write one; backward passes the gradient on
GELU = (4, 6)  # read, write; backward: read x, dy, write dx
SWIGLU = (6, 10)  # read gate and up, write product; backward: read three, write two


@dataclass(frozen=True)
class LayerTimes:
    """Seconds of one layer for one micro-batch on one device, and its model FLOPs.

    ``recompute`` is what the backward pass re-runs first (0 without recomputation).
    """

    forward: float
    backward: float
    recompute: float
    attention_core: float
    forward_flops: float


def _kernel(device: DeviceSpec, flops: float, moved: float) -> float:
    return max(flops / device.flops_per_s, moved / device.bytes_per_s)


def _gemm(device: DeviceSpec, m: float, k: float, n: float, batch: float = 1.0) -> tuple:
    """(forward seconds, backward seconds, forward FLOPs) of a (m x k) @ (k x n) GEMM."""
    flops = 2 * batch * m * k * n
    moved = BYTES * batch * (m * k + k * n + m * n)
    forward = _kernel(device, flops, moved)
    return forward, 2 * forward, flops


def layer_times(
    model: TransformerModel,
    device: DeviceSpec,
    *,
    batch: int,
    seq_len: int,
    context: float,
    tp: int,
    sp: int,
    recomputation: str = "none",
) -> LayerTimes:
    """Times of one transformer layer processing ``batch`` sequences of ``seq_len`` new
    tokens each (split over ``sp`` ranks) that attend to ``context`` keys (``seq_len`` in
    training and prefill; the KV-cache length in decode, where ``seq_len`` is 1)."""
    h, f = model.hidden, model.ffn_hidden / tp
    tokens = batch * seq_len / sp
    head_dim = model.head_dim
    heads = model.heads / (tp * sp)  # whole heads on this rank for the attention core
    queries = seq_len  # Ulysses: every query of the sequence, for a share of the heads

    up_width = f * (model.mlp_matrices - 1)  # SwiGLU's gate and up projections side by side
    forward = backward = flops = 0.0
    for m, k, n in (
        (tokens, h, model.qkv_width(tp)),
        (tokens, h / tp, h),
        (tokens, h, up_width),
        (tokens, f, h),
    ):
        fwd, bwd, fl = _gemm(device, m, k, n)
        forward, backward, flops = forward + fwd, backward + bwd, flops + fl
    scores_fwd, scores_bwd, scores_flops = _gemm(device, queries, head_dim, context, batch * heads)
    av_fwd, av_bwd, av_flops = _gemm(device, queries, context, head_dim, batch * heads)
    scores = batch * heads * queries * context
    core_fwd = scores_fwd + av_fwd + _stream(device, scores, SOFTMAX[0])
    core_bwd = scores_bwd + av_bwd + _stream(device, scores, SOFTMAX[1])
    if model.dropout:
        core_fwd += _stream(device, scores, DROPOUT[0])
        core_bwd += _stream(device, scores, DROPOUT[1])
    forward += core_fwd
    backward += core_bwd
    flops += scores_flops + av_flops

    residual = BIAS_DROPOUT_ADD if model.dropout else RESIDUAL_ADD
    activation = SWIGLU if model.mlp == "swiglu" else GELU
    for elements, (fwd_bytes, bwd_bytes) in (
        (2 * tokens * h, LAYERNORM),
        (2 * tokens * h, residual),
        (tokens * f, activation),
    ):
        forward += _stream(device, elements, fwd_bytes)
        backward += _stream(device, elements, bwd_bytes)

    recompute = {"none": 0.0, "selective": core_fwd, "full": forward}[recomputation]
    return LayerTimes(forward, backward, recompute, core_fwd, flops)


def logits_times(
    model: TransformerModel, device: DeviceSpec, *, tokens: float, tp: int
) -> tuple[float, float, float]:
    """(forward s, backward s, forward FLOPs) of the output projection to the vocabulary
    (split ``tp`` ways) and the cross-entropy over it, for ``tokens`` tokens."""
    fwd, bwd, flops = _gemm(device, tokens, model.hidden, model.vocab / tp)
    elements = tokens * model.vocab / tp
    # vocabulary-parallel cross-entropy in fp32: read logits, write probabilities
    return fwd + _stream(device, elements, 6), bwd + _stream(device, elements, 6), flops


def embedding_time(model: TransformerModel, device: DeviceSpec, *, tokens: float) -> float:
    """Forward plus backward of the embedding lookup (gather rows, scatter gradients)."""
    return _stream(device, tokens * model.hidden, 3 * BYTES)


def _stream(device: DeviceSpec, elements: float, bytes_per_element: float) -> float:
    return elements * bytes_per_element / device.bytes_per_s
