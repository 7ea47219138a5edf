"""System-on-chip cost model for AR/VR workloads (the model behind archgym/SoC-v0).

Reads top-down: :mod:`.taskgraph` (workload spec types), :mod:`.workloads` (built-in
task graphs) and :mod:`.farsi` (FARSI database reader), :mod:`.hardware` (block
library and allocated SoC), :mod:`.model` (phase-driven simulation), :mod:`.kernel`
(its compiled event loop) and :mod:`.simulator` (the Simulator with FARSIGym's design
space).
"""

from __future__ import annotations

from archgym.simulators.soc.farsi import load_farsi_workload
from archgym.simulators.soc.hardware import (
    DEFAULT_LIBRARY,
    BusInstance,
    BusType,
    HardwareLibrary,
    MemoryInstance,
    MemoryType,
    PEInstance,
    PEType,
    SoC,
)
from archgym.simulators.soc.model import SoCResult, simulate
from archgym.simulators.soc.simulator import SoCSimulator
from archgym.simulators.soc.taskgraph import AcceleratorIP, Edge, Task, TaskGraph
from archgym.simulators.soc.workloads import BUILTIN_WORKLOADS, load_workload

__all__ = [
    "BUILTIN_WORKLOADS",
    "DEFAULT_LIBRARY",
    "AcceleratorIP",
    "BusInstance",
    "BusType",
    "Edge",
    "HardwareLibrary",
    "MemoryInstance",
    "MemoryType",
    "PEInstance",
    "PEType",
    "SoC",
    "SoCResult",
    "SoCSimulator",
    "Task",
    "TaskGraph",
    "load_farsi_workload",
    "load_workload",
    "simulate",
]
