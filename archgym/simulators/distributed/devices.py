"""Accelerator devices as rooflines: peak matrix FLOP/s, memory bandwidth and capacity.

A kernel of ``flops`` operations that moves ``bytes`` through device memory takes
``max(flops / (peak x matmul_efficiency), bytes / (bandwidth x memory_efficiency))``.
The efficiencies are the fractions of the datasheet peaks that dense GEMMs and
streaming kernels reach in practice; see docs/envs/distributed.md for how the presets'
values were chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archgym.errors import ConfigError


@dataclass(frozen=True)
class DeviceSpec:
    """One accelerator (NPU/GPU).

    ``peak_tflops``: dense 16-bit matrix peak (TFLOP/s); ``memory_bandwidth_gbs``: HBM
    bandwidth (GB/s); ``memory_gb``: capacity (GB, 1e9 bytes); ``matmul_efficiency`` and
    ``memory_efficiency``: fractions (0, 1] of those peaks that kernels achieve.
    Raises ConfigError for a non-positive figure or an efficiency above 1.
    """

    name: str
    peak_tflops: float
    memory_bandwidth_gbs: float
    memory_gb: float
    matmul_efficiency: float = 1.0
    memory_efficiency: float = 1.0

    def __post_init__(self) -> None:
        for attr in ("peak_tflops", "memory_bandwidth_gbs", "memory_gb"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ConfigError(f"device {self.name!r}: {attr} must be positive, got {value!r}")
        for attr in ("matmul_efficiency", "memory_efficiency"):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ConfigError(f"device {self.name!r}: {attr} must be in (0, 1], got {value!r}")

    @property
    def flops_per_s(self) -> float:
        """Achieved matrix FLOP/s."""
        return self.peak_tflops * 1e12 * self.matmul_efficiency

    @property
    def bytes_per_s(self) -> float:
        """Achieved memory bandwidth in bytes/s."""
        return self.memory_bandwidth_gbs * 1e9 * self.memory_efficiency

    @property
    def memory_bytes(self) -> float:
        return self.memory_gb * 1e9


# NVIDIA A100 SXM4 datasheet: 312 TFLOP/s dense FP16/BF16 tensor core; HBM2e 2,039 GB/s
# for 80 GB (Selene's GPUs in Narayanan et al., SC21), 1,555 GB/s for 40 GB.
# NVIDIA H100 SXM5 datasheet: 989 TFLOP/s dense BF16, HBM3 3,350 GB/s, 80 GB.
# Efficiencies (docs/envs/distributed.md, "Device presets"): 0.63 of the matrix peak
# reproduces Megatron-LM's single-A100 run (1.2B GPT, batch 16: 1,076 ms, 149.8 TFLOP/s;
# README of January 2021; see validation.SINGLE_GPU_CALIBRATION); 0.8 of the HBM peak is
# an assumption for streaming kernels. H100 reuses them, unvalidated.
MATMUL_EFFICIENCY = 0.63
MEMORY_EFFICIENCY = 0.80
DEVICES: dict[str, DeviceSpec] = {
    "A100": DeviceSpec("A100", 312.0, 2039.0, 80.0, MATMUL_EFFICIENCY, MEMORY_EFFICIENCY),
    "A100-40GB": DeviceSpec("A100-40GB", 312.0, 1555.0, 40.0, MATMUL_EFFICIENCY, MEMORY_EFFICIENCY),
    "H100": DeviceSpec("H100", 989.0, 3350.0, 80.0, MATMUL_EFFICIENCY, MEMORY_EFFICIENCY),
}


def resolve_device(device: DeviceSpec | str | dict[str, Any]) -> DeviceSpec:
    """A preset name (:data:`DEVICES`), a DeviceSpec, or a dict of DeviceSpec fields.

    Raises ConfigError naming the presets or the bad field.
    """
    if isinstance(device, DeviceSpec):
        return device
    if isinstance(device, str):
        if device not in DEVICES:
            raise ConfigError(f"unknown device {device!r}; presets: {', '.join(DEVICES)}")
        return DEVICES[device]
    if isinstance(device, dict):
        fields = {"name": "custom", **device}
        try:
            return DeviceSpec(**fields)
        except TypeError as error:
            raise ConfigError(f"device {device!r}: {error}") from None
    raise ConfigError(f"device must be a preset name, a DeviceSpec or a dict, got {device!r}")
