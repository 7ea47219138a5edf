"""Step time of data-, tensor-, pipeline- and sequence-parallel training.

One step of a :class:`TrainingWorkload` under a :class:`ParallelLayout` on a network:

1. Per layer and micro-batch: the roofline compute of :mod:`.compute`, plus the
   blocking collectives of the layer, which sit on the critical path (Megatron-LM):
   two tensor-parallel all-reduces of the activations forward and two backward (two
   more when the forward is recomputed), and with sequence parallelism two all-to-alls
   of Q/K/V and of the attention output each way. With sharded weights each layer
   all-gathers its weights before the forward and the backward and reduce-scatters its
   gradients; these are prefetched, so a layer takes max(compute, weight traffic).
2. Per stage: its layers (the first adds the embedding, the last the logits and loss)
   and the hand-off of activations to the next stage (split over the tensor ranks and
   all-gathered, Megatron's scatter/gather optimisation).
3. The pipeline: with f_s + b_s the forward and backward of stage s for one micro-batch,
   m micro-batches and v model chunks per stage (1 for 1F1B),
   T = sum_s (f_s + b_s) / v + (m - 1/v) max_s (f_s + b_s)
   (Narayanan et al., SC21: bubble (p - 1)/(v m) of the ideal time for equal stages).
4. Gradient reduction over the replicas (data x sequence ranks) and the optimizer
   (memory-bound Adam), until the next step's first forward can run (see
   :func:`_step_tail`): per layer and overlapped with the rest of the backward when
   ``overlap_gradient_reduction`` (PyTorch DDP), served in the scheduling policy's
   order; otherwise one all-reduce after the backward (Megatron-LM's local DDP).

The first pipeline stage is the critical one: it finishes the step's backward last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from archgym.simulators.distributed.collectives import (
    CollectiveTime,
    CommLedger,
    collective_time,
    point_to_point,
)
from archgym.simulators.distributed.compute import (
    BYTES,
    embedding_time,
    layer_times,
    logits_times,
)
from archgym.simulators.distributed.devices import DeviceSpec
from archgym.simulators.distributed.layout import ParallelLayout, check_layout, stage_layers
from archgym.simulators.distributed.memory import (
    TRAINING_STATE_BYTES,
    check_memory,
    in_flight,
    layer_activation_bytes,
    stage_params,
)
from archgym.simulators.distributed.network import (
    GroupSlice,
    Network,
    ParallelGroups,
    parallel_groups,
)
from archgym.simulators.distributed.system import SystemConfig
from archgym.simulators.distributed.workloads import TrainingWorkload

#: Bytes per element of the optimizer update: read and write fp32 master weights,
#: momentum and variance (24), read the 16-bit gradient and write the 16-bit weight (4),
#: zero the gradient (2), unscale/clip read (2).
OPTIMIZER_BYTES_PER_PARAM = 32


@dataclass(frozen=True)
class TrainingResult:
    """One training step (seconds unless named otherwise)."""

    step_time_s: float
    tokens_per_s: float
    model_flops_utilization: float
    hardware_tflops_per_device: float
    pipeline_s: float
    bubble_fraction: float
    gradient_sync_s: float
    optimizer_s: float
    comm_by_kind: dict[str, float]
    comm_by_dimension: tuple[float, ...]
    peak_memory_gb: float
    micro_batches: int


def simulate_training(
    workload: TrainingWorkload,
    layout: ParallelLayout,
    network: Network,
    system: SystemConfig,
    device: DeviceSpec,
    *,
    overlap_gradient_reduction: bool = True,
) -> TrainingResult:
    """Time, throughput, communication and memory of one step.

    Raises InvalidDesignError when the layout does not fit the model, the batch or the
    network, or the step does not fit in device memory (naming the shortfall).
    """
    model = workload.model
    micro_batches = check_layout(
        layout, model, seq_len=workload.seq_len, sequences=workload.global_batch, npus=network.npus
    )
    groups = parallel_groups(network, layout.group_order())
    ledger = CommLedger(len(network.dimensions))
    mbs, seq, h = layout.micro_batch_size, workload.seq_len, model.hidden
    tokens = mbs * seq / layout.sp
    layers = stage_layers(model.layers, layout.pp)

    def comm(kind: str, size: float, slices: tuple[GroupSlice, ...]) -> CollectiveTime:
        return collective_time(kind, size, slices, network, system)

    # ---- one layer, one micro-batch
    times = layer_times(
        model,
        device,
        batch=mbs,
        seq_len=seq,
        context=seq,
        tp=layout.tp,
        sp=layout.sp,
        recomputation=layout.recomputation,
    )
    tp_all_reduce = comm("all_reduce", BYTES * tokens * h, groups.tp)
    sp_qkv = comm("all_to_all", BYTES * tokens * model.qkv_width(layout.tp), groups.sp)
    sp_out = comm("all_to_all", BYTES * tokens * h / layout.tp, groups.sp)
    again = 1 if layout.recomputation == "full" else 0  # the recomputed forward's
    # (kind, time, count in the forward, count in the backward) per layer
    blocking = [
        ("all_reduce", tp_all_reduce, 2, 2 + 2 * again),
        ("all_to_all", sp_qkv, 1, 1 + again),
        ("all_to_all", sp_out, 1, 1 + again),
    ]
    block_fwd = sum(t.seconds * n_fwd for _, t, n_fwd, _ in blocking)
    block_bwd = sum(t.seconds * n_bwd for _, t, _, n_bwd in blocking)
    layer_fwd = times.forward + block_fwd
    layer_bwd = times.backward + times.recompute + block_bwd

    weight_bytes = BYTES * model.layer_params / layout.tp
    if layout.weight_sharded:
        gather = comm("all_gather", weight_bytes, groups.replicas)
        scatter = comm("reduce_scatter", weight_bytes, groups.replicas)
        layer_fwd = max(layer_fwd, gather.seconds)
        layer_bwd = max(layer_bwd, gather.seconds + scatter.seconds)

    # ---- stages, one micro-batch
    logits_fwd, logits_bwd, logits_flops = logits_times(model, device, tokens=tokens, tp=layout.tp)
    head_all_reduce = comm("all_reduce", BYTES * tokens * h, groups.tp)
    embed = embedding_time(model, device, tokens=tokens) + head_all_reduce.seconds
    hand_off = _hand_off(layout, groups, network, system, BYTES * tokens * h)
    chunks = layout.chunks_per_stage
    forward = [n * layer_fwd for n in layers]
    backward = [n * layer_bwd for n in layers]
    forward[0] += embed  # the vocabulary-parallel embedding all-reduces its output
    forward[-1] += logits_fwd
    backward[-1] += logits_bwd + head_all_reduce.seconds  # the input gradient's all-reduce
    if layout.pp > 1:
        forward = [f + chunks * hand_off.seconds for f in forward]
        backward = [b + chunks * hand_off.seconds for b in backward]
    per_stage = [f + b for f, b in zip(forward, backward, strict=True)]
    pipeline = pipeline_time(per_stage, micro_batches, chunks)
    ideal = micro_batches * max(per_stage)

    # ---- communication ledger of the first stage for the whole step
    count = micro_batches * layers[0]
    for kind, time, n_fwd, n_bwd in blocking:
        ledger.add(kind, time, count * (n_fwd + n_bwd))
    ledger.add("all_reduce", head_all_reduce, micro_batches * (2 if layout.pp == 1 else 1))
    if layout.weight_sharded:
        ledger.add("all_gather", gather, 2 * count)
        ledger.add("reduce_scatter", scatter, count)
    if layout.pp > 1:
        ledger.add("send_recv", hand_off, 2 * chunks * micro_batches)

    # ---- gradient reduction and optimizer, up to the next step's first forward
    tail, optimizer = _step_tail(
        layout,
        groups,
        network,
        system,
        ledger,
        model=model,
        layers=layers,
        layer_forward=layer_fwd,
        layer_backward=layer_bwd,
        embedding=embed,
        update_per_param=OPTIMIZER_BYTES_PER_PARAM / device.bytes_per_s,
        overlap=overlap_gradient_reduction,
    )
    step = pipeline + tail

    # ---- throughput and utilisation
    layer_flops = times.forward_flops * 3  # forward + two backward GEMMs
    flops_per_micro_batch = model.layers * layer_flops + 3 * logits_flops
    flops_per_micro_batch *= layout.tp * layout.sp  # every rank of the group
    model_flops = flops_per_micro_batch * micro_batches * layout.dp
    recompute_flops = _recompute_flops(times, layout, model.layers) * micro_batches * layout.npus
    npus = layout.npus
    peak_memory = _training_memory(workload, layout, layers, micro_batches)
    check_memory(peak_memory, device)
    return TrainingResult(
        step_time_s=step,
        tokens_per_s=workload.tokens / step,
        model_flops_utilization=model_flops / (step * npus * device.peak_tflops * 1e12),
        hardware_tflops_per_device=(model_flops + recompute_flops) / (step * npus) / 1e12,
        pipeline_s=pipeline,
        bubble_fraction=(pipeline - ideal) / pipeline,
        gradient_sync_s=tail,
        optimizer_s=optimizer,
        comm_by_kind=dict(ledger.by_kind),
        comm_by_dimension=tuple(ledger.by_dimension),
        peak_memory_gb=peak_memory / 1e9,
        micro_batches=micro_batches,
    )


def pipeline_time(stage_seconds: list[float], micro_batches: int, chunks: int = 1) -> float:
    """Pipeline time of ``micro_batches`` through stages taking ``stage_seconds`` (forward
    plus backward of one micro-batch) with ``chunks`` model chunks per stage:
    sum / chunks + (micro_batches - 1 / chunks) x slowest."""
    slowest = max(stage_seconds)
    return sum(stage_seconds) / chunks + (micro_batches - 1 / chunks) * slowest


def _recompute_flops(times, layout: ParallelLayout, layers: int) -> float:
    """FLOPs re-executed per micro-batch per device."""
    if layout.recomputation == "none":
        return 0.0
    per_layer = times.forward_flops
    if layout.recomputation == "selective":
        per_layer *= times.attention_core / max(times.forward, 1e-30)
    return per_layer * layers / layout.pp


def _hand_off(
    layout: ParallelLayout,
    groups: ParallelGroups,
    network: Network,
    system: SystemConfig,
    activation_bytes: float,
) -> CollectiveTime:
    """Sending a micro-batch's activations to the next stage: each tensor rank sends
    its 1/tp share, then the tensor group all-gathers them."""
    send = point_to_point(groups.pp, network, system, activation_bytes / layout.tp)
    if layout.tp == 1:
        return send
    gather = collective_time("all_gather", activation_bytes, groups.tp, network, system)
    dims = tuple(
        a + b for a, b in zip(send.dimension_seconds, gather.dimension_seconds, strict=True)
    )
    return CollectiveTime(send.seconds + gather.seconds, dims)


def _step_tail(
    layout: ParallelLayout,
    groups: ParallelGroups,
    network: Network,
    system: SystemConfig,
    ledger: CommLedger,
    *,
    model,
    layers: list[int],
    layer_forward: float,
    layer_backward: float,
    embedding: float,
    update_per_param: float,
    overlap: bool,
) -> tuple[float, float]:
    """(seconds from the end of the pipeline to the next step's first forward, optimizer
    seconds) on the first stage.

    Without overlap (Megatron's local DDP): one all-reduce of the stage's gradients, then
    the optimizer. With overlap: each layer's gradients are reduced as soon as the last
    micro-batch's backward leaves it (the embedding's last); the reductions are served
    one at a time in the scheduling policy's order (LIFO: the newest first, preempting),
    each layer is updated once reduced, and the next step's forward of a layer waits for
    its update, as ASTRA-sim's training loop makes the next pass wait for each layer's
    weight-gradient collective. LIFO thus returns the first layers, which the next
    forward needs first, soonest. Tied embeddings are also all-reduced between the first
    and last stage.
    """
    per_param = update_per_param / layout.tp
    if layout.weight_sharded:
        per_param /= layout.replicas
    embedding_params = stage_params(model, layers, 0) - layers[0] * model.layer_params
    params = [embedding_params] + [model.layer_params] * layers[0]
    optimizer = sum(params) * per_param
    reduce = not layout.weight_sharded and layout.replicas > 1

    def all_reduce(parameters: float) -> float:
        if not reduce:
            return 0.0
        time = collective_time(
            "all_reduce", BYTES * parameters / layout.tp, groups.replicas, network, system
        )
        return ledger.add("all_reduce", time)

    sync = 0.0
    if layout.pp > 1 and model.tied_embeddings:
        table = BYTES * model.vocab * model.hidden / layout.tp
        sync = ledger.add("all_reduce", point_to_point(groups.pp, network, system, table))
    if not overlap:
        return all_reduce(sum(params)) + sync + optimizer, optimizer
    service = [all_reduce(embedding_params) + sync]
    service += [all_reduce(model.layer_params) for _ in range(layers[0])]
    # ready times relative to the end of the backward pass: layer k leaves it k-1
    # layer-backwards before the embedding's backward (about half of ``embedding``)
    ready = [0.0] + [-(embedding / 2 + k * layer_backward) for k in range(layers[0])]
    done = _serve(ready, service, lifo=system.scheduling_policy == "LIFO")
    forward = [embedding / 2] + [layer_forward] * layers[0]
    finish = 0.0
    for completed, count, duration in zip(done, params, forward, strict=True):
        finish = max(finish, completed + count * per_param) + duration
    return finish - sum(forward), optimizer


def _serve(ready: list[float], service: list[float], lifo: bool) -> list[float]:
    """Completion times of jobs served one at a time: FIFO in arrival order, or LIFO
    (the newest first, preempting the one in service)."""
    order = sorted(range(len(ready)), key=lambda i: ready[i])
    done = [0.0] * len(ready)
    if not lifo:
        time = -math.inf
        for i in order:
            time = max(time, ready[i]) + service[i]
            done[i] = time
        return done
    stack: list[list] = []  # [job, remaining seconds]

    def serve_until(time: float, limit: float) -> float:
        while stack and time <= limit:
            job = stack[-1]
            run = min(job[1], limit - time)
            time += run
            job[1] -= run
            if job[1] <= 0:
                done[job[0]] = time
                stack.pop()
            elif time >= limit:
                break
        return time

    time = ready[order[0]]
    for i in order:
        time = max(serve_until(time, ready[i]), ready[i])
        stack.append([i, service[i]])
    serve_until(time, math.inf)
    return done


def _training_memory(
    workload: TrainingWorkload, layout: ParallelLayout, layers: list[int], micro_batches: int
) -> float:
    """Peak bytes on the fuller of the first and last pipeline stage."""
    model = workload.model

    def activations(recomputation: str) -> float:
        return layer_activation_bytes(
            model,
            batch=layout.micro_batch_size,
            seq_len=workload.seq_len,
            tp=layout.tp,
            sp=layout.sp,
            recomputation=recomputation,
        )

    per_layer = activations(layout.recomputation)
    tokens = layout.micro_batch_size * workload.seq_len / layout.sp
    # one layer's full activations while it is recomputed
    working = activations("none") if layout.recomputation == "full" else 0.0
    peak = 0.0
    chunks = layout.chunks_per_stage
    for stage in {0, layout.pp - 1}:
        params = stage_params(model, layers, stage)
        params /= layout.tp
        state = params * TRAINING_STATE_BYTES
        if layout.weight_sharded:
            state = state / layout.replicas + 2 * BYTES * model.layer_params / layout.tp
        held = in_flight(stage, layout.pp, micro_batches, chunks) * layers[stage] * per_layer
        logits = 0.0
        if stage == layout.pp - 1:
            logits = tokens * model.vocab / layout.tp * (BYTES + 4)
        peak = max(peak, state + held + working + logits)
    return peak
