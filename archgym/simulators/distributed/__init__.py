"""Analytical model of distributed LLM training and serving (behind archgym/Distributed-v0).

A native, fast counterpart of ArchGym's ASTRA-sim env. Reads top-down:
:mod:`.workloads` (transformer models, training and inference workloads),
:mod:`.devices` (roofline devices), :mod:`.network` (multi-dimensional topologies and
where parallel groups sit), :mod:`.system` (collective algorithms and chunk
scheduling), :mod:`.layout` (data/tensor/pipeline/sequence parallel layouts),
:mod:`.routing` and :mod:`.collectives` (collective costs from their traffic),
:mod:`.compute` and :mod:`.memory` (per-layer compute and memory),
:mod:`.training` and :mod:`.inference` (step time; time to first token and per output
token), :mod:`.astrasim_inputs` (ASTRA-sim 2 input files), :mod:`.presets`, and
:mod:`.space` and :mod:`.simulator` (ArchGym's knobs as Simulators).
"""

from __future__ import annotations

from archgym.simulators.distributed.astrasim_inputs import (
    AstraSimSystem,
    AstraSimWorkload,
    read_network_config,
    read_system_config,
    read_workload_config,
)
from archgym.simulators.distributed.collectives import CollectiveTime, collective_time
from archgym.simulators.distributed.devices import DEVICES, DeviceSpec, resolve_device
from archgym.simulators.distributed.inference import InferenceResult, simulate_inference
from archgym.simulators.distributed.layout import ParallelLayout
from archgym.simulators.distributed.network import Dimension, GroupSlice, Network, place_groups
from archgym.simulators.distributed.presets import (
    ARCHGYM_LAYOUT,
    ARCHGYM_NETWORK,
    ARCHGYM_SERVING_LAYOUT,
    ARCHGYM_SYSTEM,
    selene_network,
)
from archgym.simulators.distributed.routing import ALGORITHMS, PhaseCost, phase_cost
from archgym.simulators.distributed.simulator import DistributedSimulator, InferenceSimulator
from archgym.simulators.distributed.space import BaseDesign
from archgym.simulators.distributed.system import COLLECTIVES, SystemConfig, uniform_system
from archgym.simulators.distributed.training import TrainingResult, simulate_training
from archgym.simulators.distributed.workloads import (
    MODELS,
    InferenceWorkload,
    TrainingWorkload,
    TransformerModel,
    resolve_model,
)

__all__ = [
    "ALGORITHMS",
    "ARCHGYM_LAYOUT",
    "ARCHGYM_NETWORK",
    "ARCHGYM_SERVING_LAYOUT",
    "ARCHGYM_SYSTEM",
    "COLLECTIVES",
    "DEVICES",
    "MODELS",
    "AstraSimSystem",
    "AstraSimWorkload",
    "BaseDesign",
    "CollectiveTime",
    "DeviceSpec",
    "Dimension",
    "DistributedSimulator",
    "GroupSlice",
    "InferenceResult",
    "InferenceSimulator",
    "InferenceWorkload",
    "Network",
    "ParallelLayout",
    "PhaseCost",
    "SystemConfig",
    "TrainingResult",
    "TrainingWorkload",
    "TransformerModel",
    "collective_time",
    "phase_cost",
    "place_groups",
    "read_network_config",
    "read_system_config",
    "read_workload_config",
    "resolve_device",
    "resolve_model",
    "selene_network",
    "simulate_inference",
    "simulate_training",
    "uniform_system",
]
