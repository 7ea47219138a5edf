"""What the DRAM adapters (DRAMsim3, Ramulator 2, DRAMSys) share: knobs, metrics, traces.

The adapters name their knobs as archgym/DRAM-v0 does (DRAMSys's controller knob names,
ArchGym's value sets), offering only the values the tool supports, so that a design of
an adapter is also a design of DRAM-v0 and ``archgym validate`` can run both on it.
Their metrics keep DRAM-v0's names where the meaning is the same; where it may differ
(which point a latency is counted from), the adapter's metric has its own name and its
:class:`~archgym.simulators.external.validation.NativeCounterpart` says which DRAM-v0
metric it is compared with.
"""

from __future__ import annotations

from typing import Any

from archgym.errors import WorkloadError
from archgym.simulator import MetricSpec
from archgym.spaces import Categorical, Integer

#: DRAM-v0's env id, the native counterpart of every DRAM adapter.
NATIVE_DRAM_ENV = "archgym/DRAM-v0"

#: Knob constructors with DRAM-v0's names and ArchGym's value sets (REFERENCES.md s1);
#: ``values`` narrows a categorical knob to what a tool supports.
_DOCS = {
    "PagePolicy": "row-buffer policy after a column access",
    "SchedulerBuffer": "how the request buffer is split",
    "RefreshPolicy": "no refresh or all-bank refresh",
}


def categorical(name: str, values: tuple[str, ...]) -> Categorical:
    """A DRAM-v0 categorical knob restricted to ``values``."""
    return Categorical(name, values, doc=_DOCS[name])


def request_buffer_size() -> Integer:
    return Integer("RequestBufferSize", 1, 8, unit="requests", doc="request buffer entries")


def metric(name: str) -> MetricSpec:
    """The spec of a DRAM adapter metric (units and scales as DRAM-v0's)."""
    return METRICS[name]


METRICS = {
    m.name: m
    for m in (
        MetricSpec("sim_time_ns", "ns", "min", "time until the last request is served", 1e5),
        MetricSpec("bandwidth_gbps", "GB/s", "max", "bytes moved / sim_time (1e9 B/s)", 10.0),
        MetricSpec("energy_nj", "nJ", "min", "DRAM energy over sim_time (all devices)", 1e5),
        MetricSpec("power_mw", "mW", "min", "energy_nj / sim_time_ns", 1000.0),
        MetricSpec(
            "read_latency_ns",
            "ns",
            "min",
            "mean read latency from the controller accepting the request",
            100.0,
        ),
        MetricSpec("row_hit_rate", "1", "max", "column accesses that found their row open"),
        MetricSpec("refresh_count", "1", "min", "REF commands issued", 10.0),
    )
}

#: DRAM-v0's metrics each adapter metric is compared with, the first it has: its read
#: latency from controller acceptance (the tools' definition), else its mean read latency.
NATIVE_METRICS: dict[str, tuple[str, ...]] = {
    "read_latency_ns": ("controller_latency_ns", "latency_ns"),
}

#: DRAM-v0's values for the knobs an adapter's tool does not have, chosen as the closest
#: to what these tools do: FR-FCFS scheduling, responses as completed, no front-end
#: arbitration, and as little refresh postponing as DRAM-v0's space allows (1).
NATIVE_FIXED_KNOBS: dict[str, Any] = {
    "PagePolicy": "Open",
    "Scheduler": "FrFcfs",
    "SchedulerBuffer": "Bankwise",
    "RequestBufferSize": 8,
    "RespQueue": "Fifo",
    "RefreshPolicy": "AllBank",
    "RefreshMaxPostponed": 1,
    "RefreshMaxPulledin": 1,
    "Arbiter": "Simple",
    "MaxActiveTransactions": 128,
}


def require_trace(tool: str, workload: Any) -> Any:
    """``workload`` if it is a DRAM Trace; WorkloadError naming the tool otherwise."""
    from archgym.simulators.dram import Trace

    if not isinstance(workload, Trace):
        raise WorkloadError(f"{tool} needs a DRAM Trace workload, got {workload!r}")
    return workload
