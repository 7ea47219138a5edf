"""The Simulators behind archgym/Distributed-v0 (training) and the serving variant.

Both take a workload, a base design (network, system and parallel layout: the knobs
that are not exposed keep its values) and a device, and expose ArchGym's AstraSim knobs
(:mod:`.space`). ``evaluate`` decodes a design and runs :func:`.simulate_training` or
:func:`.simulate_inference`; an infeasible design raises InvalidDesignError with the
reason (a layout that does not divide the model, batch or network, or a memory
shortfall).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from archgym.errors import ConfigError
from archgym.simulator import Metrics, MetricSpec, Simulator
from archgym.simulators.distributed.collectives import COMM_KINDS
from archgym.simulators.distributed.devices import DeviceSpec, resolve_device
from archgym.simulators.distributed.inference import simulate_inference
from archgym.simulators.distributed.space import BaseDesign, base_values, build_space, decode
from archgym.simulators.distributed.training import simulate_training
from archgym.simulators.distributed.workloads import InferenceWorkload, TrainingWorkload
from archgym.spaces import Design, DesignSpace


class _AstraSimSpaceSimulator(Simulator):
    """Shared construction: base design, exposed knobs, device, communication metrics."""

    training = True

    def __init__(
        self,
        workload: Any,
        base: BaseDesign,
        device: DeviceSpec | str = "A100",
        knobs: str | Sequence[str] = "all",
    ) -> None:
        self.workload = workload
        self.base = base
        self.device = resolve_device(device)
        self.npus = base.network.npus
        self._space = build_space(base, self.npus, self.training, knobs)
        self._base_values = base_values(base)
        self._fingerprint = workload.fingerprint()
        dims = len(base.network.dimensions)
        self._comm_specs = (
            *(
                MetricSpec(f"comm_{kind}_s", "s", "min", f"{kind} time on the critical NPU", 10.0)
                for kind in COMM_KINDS
            ),
            *(
                MetricSpec(f"comm_dim{i}_s", "s", "min", f"time dimension {i} is busy", 10.0)
                for i in range(dims)
            ),
            MetricSpec("peak_memory_gb", "GB", "min", "peak memory per NPU", 80.0),
            MetricSpec(
                "network_link_bandwidth_tbs",
                "TB/s",
                "min",
                "bandwidth of all links summed: the network's size (cost proxy)",
                100.0,
            ),
        )

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    def config(self) -> dict[str, Any]:
        return {
            "workload": self._fingerprint,
            "base": repr(self.base),
            "device": repr(self.device),
            "knobs": list(self._space.names),
        }

    def full_design(self, design: Design) -> Design:
        """``design`` completed with the base values of the knobs it does not set."""
        return {**self._base_values, **design}

    def _decode(self, design: Design, workload: Any):
        if workload is not None and workload is not self.workload:
            fingerprint = getattr(workload, "fingerprint", None)
            if fingerprint is None or fingerprint() != self._fingerprint:
                raise ConfigError(
                    f"this simulator was built for workload {self.workload.name!r}; "
                    "build one simulator per workload"
                )
        design = self._space.validate(design)
        return decode(design, self.base)

    def _comm_metrics(self, by_kind: dict, by_dimension: Sequence[float], memory_gb, network):
        metrics = {f"comm_{kind}_s": seconds for kind, seconds in by_kind.items()}
        metrics.update({f"comm_dim{i}_s": s for i, s in enumerate(by_dimension)})
        metrics["peak_memory_gb"] = memory_gb
        metrics["network_link_bandwidth_tbs"] = network.link_bandwidth_tbs
        return metrics


class DistributedSimulator(_AstraSimSpaceSimulator):
    """Training step time of a :class:`TrainingWorkload` over ArchGym's AstraSim knobs.

    ``overlap_gradient_reduction``: reduce gradients during the backward pass (PyTorch
    DDP) or after it (Megatron-LM's local DDP).
    """

    name = "distributed"
    training = True

    def __init__(
        self,
        workload: TrainingWorkload,
        base: BaseDesign,
        device: DeviceSpec | str = "A100",
        knobs: str | Sequence[str] = "all",
        overlap_gradient_reduction: bool = True,
    ) -> None:
        super().__init__(workload, base, device, knobs)
        self.overlap_gradient_reduction = overlap_gradient_reduction
        self._metric_specs = (
            MetricSpec("step_time_s", "s", "min", "time of one training step", 10.0),
            MetricSpec("tokens_per_s", "tokens/s", "max", "training throughput", 1e6),
            MetricSpec("model_flops_utilization", "", "max", "model FLOP/s over peak FLOP/s", 0.5),
            MetricSpec(
                "hardware_tflops_per_device",
                "TFLOP/s",
                "max",
                "FLOP/s per NPU counting recomputation (Megatron-LM's figure)",
                100.0,
            ),
            MetricSpec("bubble_fraction", "", "min", "pipeline idle share of the step", 0.1),
            MetricSpec(
                "gradient_sync_s",
                "s",
                "min",
                "gradient reduction and optimizer time the next step waits for",
                1.0,
            ),
            *self._comm_specs,
        )

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return self._metric_specs

    def config(self) -> dict[str, Any]:
        return {**super().config(), "overlap": self.overlap_gradient_reduction}

    def evaluate(self, design: Design, workload: Any = None) -> Metrics:
        """Metrics of one training step; InvalidDesignError if infeasible."""
        network, system, layout = self._decode(design, workload)
        result = simulate_training(
            self.workload,
            layout,
            network,
            system,
            self.device,
            overlap_gradient_reduction=self.overlap_gradient_reduction,
        )
        metrics = {
            "step_time_s": result.step_time_s,
            "tokens_per_s": result.tokens_per_s,
            "model_flops_utilization": result.model_flops_utilization,
            "hardware_tflops_per_device": result.hardware_tflops_per_device,
            "bubble_fraction": result.bubble_fraction,
            "gradient_sync_s": result.gradient_sync_s,
        }
        metrics.update(
            self._comm_metrics(
                result.comm_by_kind, result.comm_by_dimension, result.peak_memory_gb, network
            )
        )
        return metrics


class InferenceSimulator(_AstraSimSpaceSimulator):
    """Serving latency of an :class:`InferenceWorkload` over ArchGym's AstraSim knobs
    (without the training-only recomputation and pipeline-schedule knobs)."""

    name = "distributed_inference"
    training = False

    def __init__(
        self,
        workload: InferenceWorkload,
        base: BaseDesign,
        device: DeviceSpec | str = "A100",
        knobs: str | Sequence[str] = "all",
    ) -> None:
        super().__init__(workload, base, device, knobs)
        self._metric_specs = (
            MetricSpec("time_to_first_token_ms", "ms", "min", "prefill of the batch", 1000.0),
            MetricSpec("time_per_output_token_ms", "ms", "min", "one decode step", 50.0),
            MetricSpec("request_latency_s", "s", "min", "first token + all decode steps", 10.0),
            MetricSpec("output_tokens_per_s", "tokens/s", "max", "generation throughput", 1e4),
            *self._comm_specs,
        )

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return self._metric_specs

    def evaluate(self, design: Design, workload: Any = None) -> Metrics:
        """Metrics of serving the request batch; InvalidDesignError if infeasible."""
        network, system, layout = self._decode(design, workload)
        result = simulate_inference(self.workload, layout, network, system, self.device)
        metrics = {
            "time_to_first_token_ms": result.time_to_first_token_s * 1e3,
            "time_per_output_token_ms": result.time_per_output_token_s * 1e3,
            "request_latency_s": result.request_latency_s,
            "output_tokens_per_s": result.output_tokens_per_s,
        }
        metrics.update(
            self._comm_metrics(
                result.comm_by_kind, result.comm_by_dimension, result.peak_memory_gb, network
            )
        )
        return metrics
