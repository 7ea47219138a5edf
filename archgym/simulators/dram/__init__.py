"""Native DRAM memory-controller simulator (DRAMSys's controller knobs, DRAMPower energy).

Reads top-down: :mod:`.spec` (memory specs), :mod:`.mapping` (address mapping),
:mod:`.trace` (workloads), :mod:`.config` (controller knobs), :mod:`.dramsim3_config`
(DRAMsim3 .ini systems as the three above), :mod:`.kernel` (the compiled event loop),
:mod:`.energy`, and :mod:`.simulator` (the Simulator class).
"""

from __future__ import annotations

from archgym.simulators.dram.config import ControllerConfig
from archgym.simulators.dram.dramsim3_config import DRAMsim3Config, read_dramsim3_config
from archgym.simulators.dram.mapping import (
    AddressMapping,
    builtin_mapping,
    get_mapping,
    load_mapping,
)
from archgym.simulators.dram.simulator import (
    ARCHGYM_KNOBS,
    EXTRA_KNOBS,
    METRIC_SPECS,
    DRAMSimulator,
    SimulationResult,
    design_space,
)
from archgym.simulators.dram.spec import MemSpec, builtin_memspecs, get_memspec, load_memspec
from archgym.simulators.dram.trace import (
    PRESETS,
    Trace,
    hotspot_trace,
    phased_trace,
    preset_trace,
    random_trace,
    read_trace,
    stream_trace,
    strided_trace,
    write_trace,
)

__all__ = [
    "ARCHGYM_KNOBS",
    "EXTRA_KNOBS",
    "METRIC_SPECS",
    "PRESETS",
    "AddressMapping",
    "ControllerConfig",
    "DRAMSimulator",
    "DRAMsim3Config",
    "MemSpec",
    "SimulationResult",
    "Trace",
    "builtin_mapping",
    "builtin_memspecs",
    "design_space",
    "get_mapping",
    "get_memspec",
    "hotspot_trace",
    "load_mapping",
    "load_memspec",
    "phased_trace",
    "preset_trace",
    "random_trace",
    "read_dramsim3_config",
    "read_trace",
    "stream_trace",
    "strided_trace",
    "write_trace",
]
