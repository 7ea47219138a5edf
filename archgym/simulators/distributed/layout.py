"""A parallel layout: how one training or serving job is split over the NPUs.

``dp`` data-parallel replicas, ``tp`` tensor-parallel ranks (Megatron-LM's split of
attention heads and MLP columns), ``pp`` pipeline stages, ``sp`` sequence-parallel
ranks (the tokens of a sequence split over ``sp`` NPUs, attention exchanging them by
all-to-all, DeepSpeed-Ulysses style). Their product is the NPU count. Also: the
micro-batch size, whether weights, gradients and optimizer state are sharded over the
replicas (ZeRO stage 3), activation recomputation and the pipeline schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from archgym.errors import InvalidDesignError
from archgym.simulators.distributed.workloads import TransformerModel

RECOMPUTATION = ("none", "selective", "full")
SCHEDULES = ("1F1B", "interleaved")


@dataclass(frozen=True)
class ParallelLayout:
    """Degrees and options of one layout (checked against a workload by
    :func:`check_layout`)."""

    dp: int = 1
    tp: int = 1
    pp: int = 1
    sp: int = 1
    micro_batch_size: int = 1
    weight_sharded: bool = False
    recomputation: str = "none"
    schedule: str = "1F1B"
    virtual_stages: int = 2

    def __post_init__(self) -> None:
        for attr in ("dp", "tp", "pp", "sp", "micro_batch_size", "virtual_stages"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidDesignError(f"{attr} must be a positive integer, got {value!r}")
        if self.recomputation not in RECOMPUTATION:
            raise InvalidDesignError(
                f"activation recomputation {self.recomputation!r} is not one of "
                f"{', '.join(RECOMPUTATION)}"
            )
        if self.schedule not in SCHEDULES:
            raise InvalidDesignError(
                f"pipeline schedule {self.schedule!r} is not one of {', '.join(SCHEDULES)}"
            )

    @property
    def npus(self) -> int:
        return self.dp * self.tp * self.pp * self.sp

    @property
    def replicas(self) -> int:
        """NPUs holding the same weights (gradients are reduced over them)."""
        return self.dp * self.sp

    @property
    def chunks_per_stage(self) -> int:
        """Model chunks each pipeline stage holds (v for the interleaved schedule)."""
        return self.virtual_stages if self.schedule == "interleaved" and self.pp > 1 else 1

    def group_order(self) -> list[tuple[str, int]]:
        """Groups innermost first (Megatron-LM's rank order: tensor, sequence, data,
        pipeline)."""
        return [("tp", self.tp), ("sp", self.sp), ("dp", self.dp), ("pp", self.pp)]


def stage_layers(layers: int, stages: int) -> list[int]:
    """Layers of each pipeline stage: as even as possible, the first stages taking the
    remainder."""
    base, extra = divmod(layers, stages)
    return [base + (1 if s < extra else 0) for s in range(stages)]


def check_layout(
    layout: ParallelLayout, model: TransformerModel, *, seq_len: int, sequences: int, npus: int
) -> int:
    """Check ``layout`` for a model and batch; return the micro-batches per replica.

    ``sequences`` is the global batch (training) or the request batch (serving).
    Raises InvalidDesignError naming the rule broken.
    """
    layers, heads = model.layers, model.heads
    if layout.npus != npus:
        raise InvalidDesignError(
            f"dp {layout.dp} x tp {layout.tp} x pp {layout.pp} x sp {layout.sp} = "
            f"{layout.npus}, not the {npus} NPUs of the network"
        )
    if heads % layout.tp:
        raise InvalidDesignError(f"tp {layout.tp} does not divide the {heads} attention heads")
    if (heads // layout.tp) % layout.sp:
        raise InvalidDesignError(
            f"sp {layout.sp} does not divide the {heads // layout.tp} heads per tensor rank "
            "(sequence parallelism exchanges whole heads)"
        )
    if seq_len % layout.sp:
        raise InvalidDesignError(f"sp {layout.sp} does not divide the sequence of {seq_len}")
    if layers < layout.pp * layout.chunks_per_stage:
        raise InvalidDesignError(
            f"{layers} layers cannot fill {layout.pp} stages x {layout.chunks_per_stage} "
            "model chunks"
        )
    per_replica, rest = divmod(sequences, layout.dp)
    if rest or per_replica == 0:
        raise InvalidDesignError(f"dp {layout.dp} does not divide the batch of {sequences}")
    micro_batches, rest = divmod(per_replica, layout.micro_batch_size)
    if rest or micro_batches == 0:
        raise InvalidDesignError(
            f"micro-batch size {layout.micro_batch_size} does not divide the "
            f"{per_replica} sequences per replica"
        )
    return micro_batches
