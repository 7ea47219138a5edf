"""Device memory of training and serving: weights, optimizer state, activations, KV cache.

Training keeps 16 bytes per parameter for mixed-precision Adam (16-bit weights and
gradients, fp32 master weights, momentum and variance: Rajbhandari et al., ZeRO, SC20),
all of it divided over the replicas when weights are sharded (ZeRO stage 3), plus the
two layers being gathered. Activations per layer and micro-batch are the tensors the
backward pass reads (Korthikanti et al., 2022, generalised to grouped-query attention,
SwiGLU and models without dropout): the layer norm inputs and outputs, Q, K and V, the
attention output, the MLP intermediates, dropout masks, and the softmax (and dropout)
output over the score matrix. Selective recomputation drops the score-matrix tensors,
full recomputation keeps only the layer input. A pipeline stage holds the activations
of the micro-batches in flight: ``p - s`` for stage s under 1F1B, more under the
interleaved schedule (Megatron-LM's warm-up counts).
"""

from __future__ import annotations

from archgym.errors import InvalidDesignError
from archgym.simulators.distributed.compute import BYTES
from archgym.simulators.distributed.devices import DeviceSpec
from archgym.simulators.distributed.workloads import TransformerModel

TRAINING_STATE_BYTES = 16  # per parameter: ZeRO paper's mixed-precision Adam (2 + 2 + 12)


def layer_activation_bytes(
    model: TransformerModel,
    *,
    batch: int,
    seq_len: int,
    tp: int,
    sp: int,
    recomputation: str,
) -> float:
    """Bytes one layer keeps for the backward pass, per micro-batch, on one device."""
    h, f = model.hidden, model.ffn_hidden / tp
    tokens = batch * seq_len / sp
    if recomputation == "full":
        return BYTES * tokens * h
    masks = 2 * tokens * h if model.dropout else 0.0  # two 1-byte residual dropout masks
    replicated = BYTES * 4 * tokens * h + masks  # norm inputs and outputs
    split = BYTES * tokens * (model.qkv_width(tp) + h / tp)  # Q, K, V, attention output
    split += BYTES * tokens * f * (3 if model.mlp == "swiglu" else 2)
    scores = batch * model.heads / (tp * sp) * seq_len * seq_len
    core = 0.0 if recomputation == "selective" else scores * (5 if model.dropout else 2)
    return replicated + split + core


def in_flight(stage: int, stages: int, micro_batches: int, chunks: int) -> float:
    """Micro-batches' worth of a stage's layers whose activations are held at peak."""
    if stages == 1:
        return 1.0
    if chunks == 1:
        return float(min(micro_batches, stages - stage))
    warmup = 2 * (stages - stage - 1) + (chunks - 1) * stages + 1
    return min(micro_batches * chunks, warmup) / chunks


def stage_params(model: TransformerModel, layers: list[int], stage: int) -> float:
    """Parameters of a pipeline stage: its layers, the embedding on the first, the
    output projection on the last (a copy of the tied embedding when stages differ)."""
    stages = len(layers)
    params = layers[stage] * model.layer_params
    table = model.vocab * model.hidden
    if stage == 0:
        params += model.embedding_params
        if stages > 1 and not model.tied_embeddings:
            params -= table  # the untied output projection lives on the last stage
    if stage == stages - 1 and stages > 1:
        params += table
    return params


def check_memory(peak_bytes: float, device: DeviceSpec) -> None:
    if peak_bytes > device.memory_bytes:
        raise InvalidDesignError(
            f"needs {peak_bytes / 1e9:.1f} GB per device but the {device.name} has "
            f"{device.memory_gb:g} GB: short by {(peak_bytes - device.memory_bytes) / 1e9:.1f} GB"
        )
