"""Published Megatron-LM measurements the model is checked against.

* :data:`MEGATRON_TABLE1`: Narayanan et al., "Efficient Large-Scale Language Model
  Training on GPU Clusters Using Megatron-LM", SC21, Table 1: GPT models of 1.7B to 1T
  parameters on Selene (A100 80 GB), vocabulary 51,200, sequence 2,048, with the
  micro-batch sizes, interleaving (layers per virtual stage) and data-parallel
  implementation of the paper's script (Megatron-LM ``examples/sc21/run_table_1.sh``:
  full activation checkpointing everywhere; PyTorch DDP, which overlaps the gradient
  all-reduce, for the rows without pipeline parallelism, Megatron's local DDP
  otherwise). Throughput is the paper's per-GPU figure: F / (step time x GPUs) with
  F = 96 B s l h^2 (1 + s/6h + V/16lh) (its equation 3, counting the recomputed forward).
* :data:`SINGLE_GPU_CALIBRATION`: Megatron-LM's README of January 2021 (its
  ``images/tables.tex``): a 1.2B GPT (hidden 1920, 24 layers, 15 heads, sequence 1,024)
  with batch 16 on one DGX A100 GPU takes 1,076 ms per iteration (149.8 TFLOP/s). This
  single measurement, without communication, set the A100 preset's matrix efficiency;
  Table 1 is then a prediction.
"""

from __future__ import annotations

from dataclasses import dataclass

from archgym.simulators.distributed.devices import DEVICES, DeviceSpec
from archgym.simulators.distributed.layout import ParallelLayout
from archgym.simulators.distributed.network import Network, network_from_lists
from archgym.simulators.distributed.presets import (
    NVSWITCH_GBS,
    NVSWITCH_LATENCY_NS,
    selene_network,
)
from archgym.simulators.distributed.system import uniform_system
from archgym.simulators.distributed.training import TrainingResult, simulate_training
from archgym.simulators.distributed.workloads import TrainingWorkload, TransformerModel

VOCAB = 51200
SEQ_LEN = 2048
A100_PEAK_TFLOPS = 312.0


@dataclass(frozen=True)
class MegatronRun:
    """One published configuration and its measured per-GPU throughput."""

    billions: float
    heads: int
    hidden: int
    layers: int
    tp: int
    pp: int
    gpus: int
    batch: int
    micro_batch: int
    layers_per_virtual_stage: int  # 0: no interleaving
    torch_ddp: bool
    published_tflops: float
    seq_len: int = SEQ_LEN

    @property
    def model(self) -> TransformerModel:
        return TransformerModel(
            f"gpt-{self.billions:g}b",
            self.layers,
            self.hidden,
            self.heads,
            4 * self.hidden,
            VOCAB,
            max_positions=self.seq_len,
        )

    @property
    def layout(self) -> ParallelLayout:
        stages_per_gpu = 1
        if self.layers_per_virtual_stage:
            stages_per_gpu = self.layers // self.pp // self.layers_per_virtual_stage
        return ParallelLayout(
            dp=self.gpus // (self.tp * self.pp),
            tp=self.tp,
            pp=self.pp,
            micro_batch_size=self.micro_batch,
            recomputation="full",
            schedule="interleaved" if stages_per_gpu > 1 else "1F1B",
            virtual_stages=max(stages_per_gpu, 2),
        )

    @property
    def flops(self) -> float:
        """Narayanan et al.'s equation 3: FLOPs of one iteration with recomputation."""
        b, s, l, h = self.batch, self.seq_len, self.layers, self.hidden
        return 96 * b * s * l * h * h * (1 + s / (6 * h) + VOCAB / (16 * l * h))


#  billions, heads, hidden, layers, tp, pp, GPUs, batch, micro-batch,
#  layers per virtual stage, torch DDP, published TFLOP/s per GPU
MEGATRON_TABLE1 = (
    MegatronRun(1.7, 24, 2304, 24, 1, 1, 32, 512, 16, 0, True, 137),
    MegatronRun(3.6, 32, 3072, 30, 2, 1, 64, 512, 16, 0, True, 138),
    MegatronRun(7.5, 32, 4096, 36, 4, 1, 128, 512, 16, 0, True, 142),
    MegatronRun(18.4, 48, 6144, 40, 8, 1, 256, 1024, 8, 0, True, 135),
    MegatronRun(39.1, 64, 8192, 48, 8, 2, 512, 1536, 4, 0, False, 138),
    MegatronRun(76.1, 80, 10240, 60, 8, 4, 1024, 1792, 2, 5, False, 140),
    MegatronRun(145.6, 96, 12288, 80, 8, 8, 1536, 2304, 2, 5, False, 148),
    MegatronRun(310.1, 128, 16384, 96, 8, 16, 1920, 2160, 1, 3, False, 155),
    MegatronRun(529.6, 128, 20480, 105, 8, 35, 2520, 2520, 1, 1, False, 163),
    MegatronRun(1008.0, 160, 25600, 128, 8, 64, 3072, 3072, 1, 0, False, 163),
)

#: 1.2B GPT, batch 16, sequence 1,024, on one A100: 1,076 ms (149.8 TFLOP/s).
SINGLE_GPU_CALIBRATION = MegatronRun(1.2, 15, 1920, 24, 1, 1, 1, 16, 16, 0, True, 149.8, 1024)
SINGLE_GPU_ITERATION_S = 1.076


def _one_switch(gpus: int) -> Network:
    return network_from_lists(["Switch"], [gpus], [NVSWITCH_GBS], [NVSWITCH_LATENCY_NS])


def simulate_run(
    run: MegatronRun, device: DeviceSpec | None = None, network: Network | None = None
) -> tuple[TrainingResult, float]:
    """(result, per-GPU TFLOP/s by the paper's formula) of ``run`` on Selene."""
    if device is None:
        device = DEVICES["A100-40GB"] if run.gpus == 1 else DEVICES["A100"]
    if network is None:
        network = selene_network(run.gpus) if run.gpus >= 8 else _one_switch(run.gpus)
    system = uniform_system(len(network.dimensions), "ring")  # NCCL-like rings
    workload = TrainingWorkload(run.model, run.batch, run.seq_len)
    result = simulate_training(
        workload, run.layout, network, system, device, overlap_gradient_reduction=run.torch_ddp
    )
    return result, run.flops / (result.step_time_s * run.gpus) / 1e12
