"""Serving latency: time to first token (prefill) and time per output token (decode).

A request batch of an :class:`InferenceWorkload` is split over the data-parallel
replicas and, within a replica, into micro-batches that flow through the pipeline.

* Prefill: the forward pass of every layer over the prompts (the compute of
  :mod:`.compute`, with tensor-parallel all-reduces, sequence-parallel all-to-alls and,
  with sharded weights, a weight all-gather per layer), stage after stage. The last
  micro-batch's first token is out after sum_s f_s + (m - 1) max_s f_s.
* Decode: one token per sequence per step, attending over the KV cache (its mean
  length over the generation, :attr:`InferenceWorkload.mean_context`). A micro-batch's
  next token needs its previous one to leave the last stage, and the pipeline takes a
  new micro-batch every max_s g_s, so the time per output token is
  max(sum_s g_s, m max_s g_s).

Memory: 16-bit weights (divided over the replicas when sharded), the KV cache of every
sequence of the replica at full length, and one layer's prefill activations.
"""

from __future__ import annotations

from dataclasses import dataclass

from archgym.simulators.distributed.collectives import (
    CollectiveTime,
    CommLedger,
    collective_time,
    point_to_point,
)
from archgym.simulators.distributed.compute import BYTES, layer_times, logits_times
from archgym.simulators.distributed.devices import DeviceSpec
from archgym.simulators.distributed.layout import ParallelLayout, check_layout, stage_layers
from archgym.simulators.distributed.memory import (
    check_memory,
    layer_activation_bytes,
    stage_params,
)
from archgym.simulators.distributed.network import Network, parallel_groups
from archgym.simulators.distributed.system import SystemConfig
from archgym.simulators.distributed.training import pipeline_time
from archgym.simulators.distributed.workloads import InferenceWorkload


@dataclass(frozen=True)
class InferenceResult:
    """Latencies of one request batch (seconds) and what they cost."""

    time_to_first_token_s: float
    time_per_output_token_s: float
    request_latency_s: float
    output_tokens_per_s: float
    comm_by_kind: dict[str, float]
    comm_by_dimension: tuple[float, ...]
    peak_memory_gb: float
    micro_batches: int


def simulate_inference(
    workload: InferenceWorkload,
    layout: ParallelLayout,
    network: Network,
    system: SystemConfig,
    device: DeviceSpec,
) -> InferenceResult:
    """Time to first token, time per output token and memory of serving the batch.

    Raises InvalidDesignError when the layout does not fit or the weights and KV cache
    do not fit in device memory.
    """
    model = workload.model
    micro_batches = check_layout(
        layout, model, seq_len=workload.prompt_tokens, sequences=workload.batch, npus=network.npus
    )
    groups = parallel_groups(network, layout.group_order())
    ledger = CommLedger(len(network.dimensions))
    layers = stage_layers(model.layers, layout.pp)
    mbs, h, tp, sp = layout.micro_batch_size, model.hidden, layout.tp, layout.sp

    def comm(kind: str, size: float, slices) -> CollectiveTime:
        return collective_time(kind, size, slices, network, system)

    qkv_width = model.qkv_width(tp)
    weight_gather = comm("all_gather", BYTES * model.layer_params / tp, groups.replicas)

    def phase(new_tokens: int, context: float) -> tuple[list[float], CollectiveTime, list]:
        """Per-stage forward seconds of one micro-batch, its hand-off, its collectives."""
        tokens = mbs * new_tokens / sp
        times = layer_times(
            model, device, batch=mbs, seq_len=new_tokens, context=context, tp=tp, sp=sp
        )
        collectives = [  # (kind, time, count per layer)
            ("all_reduce", comm("all_reduce", BYTES * tokens * h, groups.tp), 2),
            ("all_to_all", comm("all_to_all", BYTES * tokens * qkv_width, groups.sp), 1),
            ("all_to_all", comm("all_to_all", BYTES * tokens * h / tp, groups.sp), 1),
        ]
        layer = times.forward + sum(t.seconds * n for _, t, n in collectives)
        if layout.weight_sharded:
            layer = max(layer, weight_gather.seconds)
        logits, _, _ = logits_times(model, device, tokens=mbs, tp=tp)
        stages = [n * layer for n in layers]
        stages[-1] += logits
        hand_off = point_to_point(groups.pp, network, system, BYTES * tokens * h)
        if layout.pp > 1:
            stages = [s + hand_off.seconds for s in stages]
        return stages, hand_off, collectives

    prefill, prefill_hand_off, prefill_comm = phase(workload.prompt_tokens, workload.prompt_tokens)
    decode, decode_hand_off, decode_comm = phase(1, workload.mean_context)
    ttft = pipeline_time(prefill, micro_batches)  # the last micro-batch's first token
    tpot = max(sum(decode), micro_batches * max(decode))
    steps = workload.output_tokens - 1
    latency = ttft + steps * tpot

    for collectives, repeats in ((prefill_comm, 1), (decode_comm, steps)):
        count = repeats * micro_batches * layers[0]
        for kind, time, n in collectives:
            ledger.add(kind, time, count * n)
    if layout.weight_sharded:
        ledger.add("all_gather", weight_gather, (1 + steps) * micro_batches * layers[0])
    if layout.pp > 1:
        ledger.add("send_recv", prefill_hand_off, micro_batches)
        ledger.add("send_recv", decode_hand_off, steps * micro_batches)

    memory = _serving_memory(workload, layout, layers)
    check_memory(memory, device)
    return InferenceResult(
        time_to_first_token_s=ttft,
        time_per_output_token_s=tpot,
        request_latency_s=latency,
        output_tokens_per_s=workload.batch * workload.output_tokens / latency,
        comm_by_kind=dict(ledger.by_kind),
        comm_by_dimension=tuple(ledger.by_dimension),
        peak_memory_gb=memory / 1e9,
        micro_batches=micro_batches,
    )


def _serving_memory(
    workload: InferenceWorkload, layout: ParallelLayout, layers: list[int]
) -> float:
    """Peak bytes on the fuller of the first and last stage."""
    model = workload.model
    kv_width = model.kv_width(layout.tp * layout.sp)  # Ulysses: heads split over sp too
    sequences = workload.batch / layout.dp
    length = workload.prompt_tokens + workload.output_tokens
    kv_per_layer = 2 * BYTES * kv_width * sequences * length
    working = layer_activation_bytes(
        model,
        batch=layout.micro_batch_size,
        seq_len=workload.prompt_tokens,
        tp=layout.tp,
        sp=layout.sp,
        recomputation="none",
    )
    peak = 0.0
    for stage in {0, layout.pp - 1}:
        weights = BYTES * stage_params(model, layers, stage) / layout.tp
        if layout.weight_sharded:
            weights = weights / layout.replicas + 2 * BYTES * model.layer_params / layout.tp
        peak = max(peak, weights + layers[stage] * kv_per_layer + working)
    return peak
