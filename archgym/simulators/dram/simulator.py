"""DRAMSimulator: the memory-controller model behind archgym/DRAM-v0.

``evaluate(design, trace)`` maps a design (DRAMSys knob names, see
:data:`ARCHGYM_KNOBS`) and a :class:`~archgym.simulators.dram.trace.Trace` to the metrics
of :data:`METRIC_SPECS`. ``simulate`` returns the same plus command counts and the energy
breakdown.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from archgym.errors import ConfigError, InvalidDesignError, WorkloadError
from archgym.simulator import Metrics, MetricSpec, Simulator
from archgym.simulators.dram import kernel
from archgym.simulators.dram.config import (
    ARBITERS,
    ARCHGYM_REFRESH_POLICIES,
    CMD_MUXES,
    KNOB_FIELDS,
    PAGE_POLICIES,
    POWER_DOWN_POLICIES,
    REFRESH_POLICIES,
    RESP_QUEUES,
    SCHEDULER_BUFFERS,
    SCHEDULERS,
    ControllerConfig,
)
from archgym.simulators.dram.energy import energy_breakdown_nj
from archgym.simulators.dram.mapping import BUILTIN_MAPPINGS, AddressMapping, get_mapping
from archgym.simulators.dram.spec import MemSpec, builtin_memspecs, get_memspec
from archgym.simulators.dram.trace import Trace
from archgym.spaces import Categorical, Constraint, Design, DesignSpace, Integer, Ordinal

logger = logging.getLogger(__name__)

#: ArchGym's ten DRAMGym knobs (REFERENCES.md s1), in ArchGym's order.
ARCHGYM_KNOBS = (
    "PagePolicy",
    "Scheduler",
    "SchedulerBuffer",
    "RequestBufferSize",
    "RespQueue",
    "RefreshPolicy",
    "RefreshMaxPostponed",
    "RefreshMaxPulledin",
    "Arbiter",
    "MaxActiveTransactions",
)
EXTRA_KNOBS = (
    "PowerDownPolicy",
    "AddressMapping",
    "MemSpec",
    "WriteHighWatermark",
    "WriteLowWatermark",
)

METRIC_SPECS = (
    MetricSpec("sim_time_ns", "ns", "min", "time until every request is served", scale=1e5),
    MetricSpec("latency_ns", "ns", "min", "mean read latency from the trace time stamp", scale=5e4),
    MetricSpec("p99_latency_ns", "ns", "min", "99th percentile of latency_ns", scale=1e5),
    MetricSpec(
        "controller_latency_ns",
        "ns",
        "min",
        "mean read latency from the controller accepting the request",
        scale=500.0,
    ),
    MetricSpec(
        "service_latency_ns",
        "ns",
        "min",
        "mean read latency from its first DRAM command to the end of its data",
        scale=50.0,
    ),
    MetricSpec("bandwidth_gbps", "GB/s", "max", "bytes moved / sim_time (1e9 B/s)", scale=10.0),
    MetricSpec("energy_nj", "nJ", "min", "DRAM energy over the run (all ranks)", scale=1e5),
    MetricSpec("power_mw", "mW", "min", "energy_nj / sim_time_ns", scale=1000.0),
    MetricSpec("row_hit_rate", "1", "max", "column accesses that found their row open"),
    MetricSpec("refresh_count", "1", "min", "REF commands issued", scale=10.0),
)

COMMAND_NAMES = {
    kernel.CMD_ACT: "ACT",
    kernel.CMD_PRE: "PRE",
    kernel.CMD_RD: "RD",
    kernel.CMD_WR: "WR",
    kernel.CMD_PREA: "PREA",
    kernel.CMD_REF: "REF",
    kernel.CMD_REFPB: "REFPB",
}


VALUE_SETS = ("archgym", "rl")
#: Values of the write-drain knobs (extra knobs) for the default 32-entry write buffer.
WRITE_HIGH_WATERMARKS = (8, 16, 24, 32)
WRITE_LOW_WATERMARKS = (0, 4, 8, 16)


def design_space(
    extra_knobs: bool = False,
    memspecs: tuple[str, ...] | None = None,
    value_sets: str = "archgym",
    per_bank_refresh: bool = False,
) -> DesignSpace:
    """ArchGym's ten knobs; plus the extra knobs if asked.

    RefreshPolicy also offers PerBank with the extra knobs (then a constraint ties it to
    a memspec that has per-bank refresh) or when ``per_bank_refresh`` (the memspec has it).

    ``value_sets="archgym"``: ArchGym's ranges (RequestBufferSize and the refresh limits
    1-8); ``"rl"``: the sets of ArchGym's RL agent (RequestBufferSize 1-128 and refresh
    limits 1, 2, 4, 8, all powers of two). Raises ConfigError for another name.
    """
    if value_sets == "archgym":
        buffer = Integer("RequestBufferSize", 1, 8, unit="requests", doc="request buffer entries")
        postponed = Integer("RefreshMaxPostponed", 1, 8, unit="REF", doc="postponable refreshes")
        pulledin = Integer("RefreshMaxPulledin", 1, 8, unit="REF", doc="refreshes to pull in")
    elif value_sets == "rl":
        buffer = Ordinal.powers_of_two(
            "RequestBufferSize", 1, 128, unit="requests", doc="request buffer entries"
        )
        postponed = Ordinal.powers_of_two(
            "RefreshMaxPostponed", 1, 8, unit="REF", doc="postponable refreshes"
        )
        pulledin = Ordinal.powers_of_two(
            "RefreshMaxPulledin", 1, 8, unit="REF", doc="refreshes to pull in"
        )
    else:
        raise ConfigError(f"value_sets {value_sets!r} is not one of {', '.join(VALUE_SETS)}")
    params = [
        Categorical("PagePolicy", PAGE_POLICIES, doc="row-buffer policy after a column access"),
        Categorical("Scheduler", SCHEDULERS, doc="which buffered request a bank serves next"),
        Categorical("SchedulerBuffer", SCHEDULER_BUFFERS, doc="how the request buffer is split"),
        buffer,
        Categorical("RespQueue", RESP_QUEUES, doc="response order: as completed or in order"),
        Categorical(
            "RefreshPolicy",
            REFRESH_POLICIES if extra_knobs or per_bank_refresh else ARCHGYM_REFRESH_POLICIES,
            doc="no refresh, all-bank or per-bank refresh",
        ),
        postponed,
        pulledin,
        Categorical("Arbiter", ARBITERS, doc="front-end arbiter between initiator and controller"),
        Ordinal.powers_of_two(
            "MaxActiveTransactions", 1, 128, unit="requests", doc="outstanding requests allowed"
        ),
    ]
    constraints = []
    if extra_knobs:
        names = memspecs or builtin_memspecs()
        params += [
            Categorical("PowerDownPolicy", POWER_DOWN_POLICIES, doc="power down idle ranks"),
            Categorical("AddressMapping", BUILTIN_MAPPINGS, doc="address bits to bank/row/column"),
            Categorical("MemSpec", names, doc="the DRAM part"),
            Ordinal(
                "WriteHighWatermark",
                WRITE_HIGH_WATERMARKS,
                unit="writes",
                doc="buffered writes that start a drain (write buffer of 32)",
            ),
            Ordinal(
                "WriteLowWatermark",
                WRITE_LOW_WATERMARKS,
                unit="writes",
                doc="buffered writes at which a drain stops when reads wait",
            ),
        ]
        constraints.append(
            Constraint(
                "WriteLowWatermark must be below WriteHighWatermark",
                lambda d: d["WriteLowWatermark"] < d["WriteHighWatermark"],
            )
        )
        with_per_bank = {n for n in names if get_memspec(n).per_bank_refresh}
        constraints.append(
            Constraint(
                "RefreshPolicy PerBank needs a memspec with per-bank refresh "
                f"({', '.join(sorted(with_per_bank)) or 'none'})",
                lambda d: d["RefreshPolicy"] != "PerBank" or d["MemSpec"] in with_per_bank,
            )
        )
    return DesignSpace(params, constraints)


@dataclass(frozen=True)
class SimulationResult:
    """Everything one run produces: metrics, command counts, energy breakdown (nJ).

    Per read, in trace order, in clock cycles: ``read_latency_cycles`` from the trace
    time stamp to the data's return, ``read_controller_latency_cycles`` from the
    controller accepting the read, ``read_service_latency_cycles`` from its first DRAM
    command to the end of its data burst.
    """

    metrics: Metrics
    counts: dict[str, int]
    energy_nj: dict[str, float]
    read_latency_cycles: np.ndarray = field(repr=False)
    read_controller_latency_cycles: np.ndarray = field(repr=False)
    read_service_latency_cycles: np.ndarray = field(repr=False)
    commands: list[tuple[int, str, int, int]] = field(default_factory=list, repr=False)


class DRAMSimulator(Simulator):
    """Native memory-controller + DRAM model (see docs/envs/dram.md).

    ``memspec``: built-in name ("DDR3-1600", "DDR4-2400", ...), JSON path (archgym or
    DRAMSys format) or MemSpec. ``address_mapping``: "rbc", "brc", "rbc_xor", a DRAMSys
    address-mapping JSON path, or an AddressMapping. ``extra_knobs`` adds PowerDownPolicy,
    AddressMapping, MemSpec, WriteHighWatermark and WriteLowWatermark to the design space
    (:data:`EXTRA_KNOBS`); ``value_sets`` picks ArchGym's ranges
    ("archgym") or its RL agent's ("rl", see :func:`design_space`). ``base_config``
    supplies the knobs a design leaves out (default: DRAMSys's fr_fcfs configuration). Raises
    ConfigError for a bad memspec, mapping or config.
    """

    name = "dram"

    def __init__(
        self,
        memspec: str | Path | MemSpec = "DDR3-1600",
        address_mapping: str | Path | AddressMapping = "rbc",
        *,
        extra_knobs: bool = False,
        value_sets: str = "archgym",
        base_config: ControllerConfig | None = None,
    ) -> None:
        self.memspec = get_memspec(memspec)
        self.address_mapping = get_mapping(address_mapping, self.memspec)
        self.extra_knobs = bool(extra_knobs)
        self.base_config = base_config or ControllerConfig()
        self._memspec_arg = memspec
        self.value_sets = value_sets
        self._space = design_space(
            self.extra_knobs,
            value_sets=value_sets,
            per_bank_refresh=self.memspec.per_bank_refresh,
        )
        self._decoded: OrderedDict[tuple, dict[str, np.ndarray]] = OrderedDict()

    @property
    def design_space(self) -> DesignSpace:
        return self._space

    @property
    def metric_specs(self) -> tuple[MetricSpec, ...]:
        return METRIC_SPECS

    def config(self) -> dict[str, Any]:
        return {
            "memspec": self.memspec.to_dict(),
            "address_mapping": repr(self.address_mapping),
            "extra_knobs": self.extra_knobs,
            "value_sets": self.value_sets,
            "base_config": repr(self.base_config),
        }

    def default_design(self) -> Design:
        """The base config expressed in this simulator's knobs (clipped into the space)."""
        design = self.base_config.to_design()
        out: Design = {}
        for param in self._space:
            if param.name in design:
                value = design[param.name]
                if param.name in ("RefreshMaxPostponed", "RefreshMaxPulledin"):
                    value = max(1, value)
                out[param.name] = value
        if self.extra_knobs:
            out["AddressMapping"] = (
                self.address_mapping.name
                if self.address_mapping.name in BUILTIN_MAPPINGS
                else BUILTIN_MAPPINGS[0]
            )
            names = builtin_memspecs()
            out["MemSpec"] = str(self._memspec_arg) if str(self._memspec_arg) in names else names[0]
        return self._space.validate(out)

    # ------------------------------------------------------------------------------
    def evaluate(self, design: Design, workload: Trace) -> Metrics:
        """Metrics of ``design`` on ``workload`` (see METRIC_SPECS for names and units).

        Raises InvalidDesignError for a design outside the space, WorkloadError for a
        workload that is not a Trace.
        """
        return self.simulate(design, workload).metrics

    def simulate(self, design: Design, workload: Trace) -> SimulationResult:
        """Run the model; the result also holds command counts and the energy breakdown."""
        if not isinstance(workload, Trace):
            raise WorkloadError(f"the DRAM simulator needs a Trace workload, got {workload!r}")
        design = self._space.validate(design)
        spec, mapping = self.memspec, self.address_mapping
        if self.extra_knobs:
            if design["MemSpec"] != str(self._memspec_arg):
                spec = get_memspec(design["MemSpec"])
            if design["MemSpec"] != str(self._memspec_arg) or design["AddressMapping"] != (
                mapping.name
            ):
                mapping = get_mapping(design["AddressMapping"], spec)
        try:
            config = ControllerConfig.from_design(design, self.base_config)
        except ConfigError as error:
            raise InvalidDesignError(str(error)) from error
        if config.refresh_policy == "PerBank" and not spec.per_bank_refresh:
            raise InvalidDesignError(
                f"RefreshPolicy PerBank: memspec {spec.name!r} ({spec.memory_type}) has no "
                "per-bank refresh; use NoRefresh or AllBank"
            )
        return run(spec, mapping, config, workload, self._decode(spec, mapping, workload))

    def clear_cache(self) -> None:
        """Forget the decoded addresses of recent traces (kept for up to four traces)."""
        self._decoded.clear()

    def _decode(self, spec: MemSpec, mapping: AddressMapping, trace: Trace):
        key = (spec.name, repr(mapping), trace.fingerprint())
        if key in self._decoded:
            self._decoded.move_to_end(key)
            return self._decoded[key]
        decoded = decode(spec, mapping, trace)
        self._decoded[key] = decoded
        while len(self._decoded) > 4:
            self._decoded.popitem(last=False)
        return decoded


def decode(spec: MemSpec, mapping: AddressMapping, trace: Trace) -> dict[str, np.ndarray]:
    """Kernel inputs of ``trace``: channel, flat bank index and row per request (int64)."""
    fields = mapping.decode(trace.address)
    flat = (fields["rank"] * spec.bank_groups + fields["bank_group"]) * spec.banks_per_group
    flat += fields["bank"]
    return {"channel": fields["channel"], "bank": flat, "row": fields["row"]}


def timing_array(spec: MemSpec) -> np.ndarray:
    """The kernel's timing vector for ``spec`` (see the T_* constants in kernel.py)."""
    t = np.zeros(kernel.N_TIMING, dtype=np.int64)
    t[kernel.T_RL] = spec.RL
    t[kernel.T_WL] = spec.WL
    t[kernel.T_BURST] = spec.burst_cycles
    t[kernel.T_RCD] = spec.tRCD
    t[kernel.T_RP] = spec.tRP
    t[kernel.T_RAS] = spec.tRAS
    t[kernel.T_RC] = spec.tRC
    t[kernel.T_CCD_S] = spec.tCCD_S
    t[kernel.T_CCD_L] = spec.tCCD_L
    t[kernel.T_RRD_S] = spec.tRRD_S
    t[kernel.T_RRD_L] = spec.tRRD_L
    t[kernel.T_FAW] = spec.tFAW
    t[kernel.T_WR] = spec.tWR
    t[kernel.T_WTR_S] = spec.tWTR_S
    t[kernel.T_WTR_L] = spec.tWTR_L
    t[kernel.T_RTP] = spec.tRTP
    t[kernel.T_RFC] = spec.tRFC
    t[kernel.T_REFI] = spec.tREFI
    t[kernel.T_XP] = spec.tXP
    t[kernel.T_CKE] = spec.tCKE
    t[kernel.T_RTRS] = spec.tRTRS
    # Read-to-write turnaround (JEDEC DDR3/DDR4): RL + tCCD + 2 tCK - WL, tCCD = one burst.
    t[kernel.T_RTW] = spec.RL + spec.burst_cycles + 2 - spec.WL
    t[kernel.T_RP_AB] = spec.tRP_AB
    t[kernel.T_RFC_PB] = spec.tRFC_PB
    t[kernel.T_REFI_PB] = spec.tREFI_PB
    return t


def config_array(spec: MemSpec, config: ControllerConfig) -> np.ndarray:
    """The kernel's config vector (see the C_* constants in kernel.py)."""
    c = np.zeros(kernel.N_CONFIG, dtype=np.int64)
    c[kernel.C_PAGE] = PAGE_POLICIES.index(config.page_policy)
    c[kernel.C_SCHED] = SCHEDULERS.index(config.scheduler)
    c[kernel.C_BUF] = SCHEDULER_BUFFERS.index(config.scheduler_buffer)
    c[kernel.C_BUFSIZE] = config.request_buffer_size
    c[kernel.C_RESP_REORDER] = int(config.resp_queue == "Reorder")
    c[kernel.C_REFRESH] = REFRESH_POLICIES.index(config.refresh_policy)
    c[kernel.C_POSTPONE] = config.refresh_max_postponed
    c[kernel.C_PULLIN] = config.refresh_max_pulledin
    c[kernel.C_ARBITER] = ARBITERS.index(config.arbiter)
    c[kernel.C_MAT] = config.max_active_transactions
    c[kernel.C_POWERDOWN] = int(config.power_down_policy == "Staggered")
    c[kernel.C_RANKS] = spec.ranks
    c[kernel.C_GROUPS] = spec.bank_groups
    c[kernel.C_BANKS_PER_GROUP] = spec.banks_per_group
    c[kernel.C_TRANS_QUEUE] = config.transaction_queue_size
    c[kernel.C_WRITE_BUFFER] = config.write_buffer_size
    c[kernel.C_WRITE_HIGH] = config.write_high_watermark
    c[kernel.C_WRITE_LOW] = config.write_low_watermark
    c[kernel.C_CMD_MUX] = CMD_MUXES.index(config.cmd_mux)
    return c


def run(
    spec: MemSpec,
    mapping: AddressMapping,
    config: ControllerConfig,
    trace: Trace,
    decoded: dict[str, np.ndarray] | None = None,
    command_log: int = 0,
) -> SimulationResult:
    """Simulate ``trace`` on ``spec`` with ``config``; channels run independently.

    Raises ConfigError when ``config`` asks for per-bank refresh on a part without it.

    With ``command_log`` > 0 the first that many commands of a single-channel run are
    kept in ``result.commands`` as (cycle, kind, bank or rank, request) rows.
    """
    if config.refresh_policy == "PerBank" and not spec.per_bank_refresh:
        raise ConfigError(f"memspec {spec.name!r} has no per-bank refresh (RefreshPolicy PerBank)")
    if decoded is None:
        decoded = decode(spec, mapping, trace)
    timing = timing_array(spec)
    cfg = config_array(spec, config)
    stats = np.zeros(kernel.N_STATS, dtype=np.int64)
    n = len(trace)
    response = np.empty(n, dtype=np.int64)
    accepted = np.empty(n, dtype=np.int64)
    service = np.empty(n, dtype=np.int64)
    is_write = trace.is_write
    if spec.channels == 1:
        channel_sets = [None]
    else:
        channel_sets = [np.flatnonzero(decoded["channel"] == ch) for ch in range(spec.channels)]
    log = np.zeros((command_log if spec.channels == 1 else 0, 4), dtype=np.int64)
    for index in channel_sets:
        if index is not None and len(index) == 0:
            continue
        ch_stats = np.zeros(kernel.N_STATS, dtype=np.int64)
        if index is None:
            args = (trace.arrival_cycle, decoded["bank"], decoded["row"], is_write)
            outputs = (response, accepted, service)
        else:
            args = tuple(
                np.ascontiguousarray(a[index])
                for a in (trace.arrival_cycle, decoded["bank"], decoded["row"], is_write)
            )
            # Same array types as the single-channel call (a Trace's arrays are
            # read-only), so numba compiles the kernel once.
            args[0].setflags(write=False)
            args[3].setflags(write=False)
            outputs = tuple(np.empty(len(index), dtype=np.int64) for _ in range(3))
        status = kernel.simulate_channel(*args, timing, cfg, *outputs, ch_stats, log)
        if status != 0:
            raise RuntimeError(f"DRAM kernel deadlocked on {trace!r} with {config!r}")
        if index is not None:
            for full, part in zip((response, accepted, service), outputs, strict=True):
                full[index] = part
        stats[kernel.S_END] = max(stats[kernel.S_END], ch_stats[kernel.S_END])
        stats[1:] += ch_stats[1:]
    end = int(stats[kernel.S_END])
    # Channels that finish early stay precharged-idle until the end of the run.
    if spec.channels > 1:
        accounted = stats[kernel.S_CYC_ACT : kernel.S_CYC_PRE_PD + 1].sum()
        stats[kernel.S_CYC_PRE] += spec.channels * spec.ranks * end - accounted
    energy = energy_breakdown_nj(
        spec,
        activates=int(stats[kernel.S_ACT]),
        precharges=int(stats[kernel.S_PRE]),
        reads=int(stats[kernel.S_RD]),
        writes=int(stats[kernel.S_WR]),
        refreshes=int(stats[kernel.S_REF] - stats[kernel.S_REF_PB]),
        per_bank_refreshes=int(stats[kernel.S_REF_PB]),
        active_cycles=int(stats[kernel.S_CYC_ACT]),
        precharged_cycles=int(stats[kernel.S_CYC_PRE]),
        active_powerdown_cycles=int(stats[kernel.S_CYC_ACT_PD]),
        precharged_powerdown_cycles=int(stats[kernel.S_CYC_PRE_PD]),
    )
    tck = spec.tck_ns
    sim_time_ns = max(end, 1) * tck
    reads = ~is_write
    read_response = response[reads]
    latency = read_response - trace.arrival_cycle[reads]
    controller_latency = read_response - accepted[reads]
    service_latency = service[reads]
    if len(latency):
        means = [float(a.mean()) * tck for a in (latency, controller_latency, service_latency)]
        p99 = float(np.percentile(latency, 99)) * tck
    else:
        means, p99 = [0.0, 0.0, 0.0], 0.0
    cols = int(stats[kernel.S_COLS])
    metrics = {
        "sim_time_ns": float(sim_time_ns),
        "latency_ns": means[0],
        "p99_latency_ns": p99,
        "controller_latency_ns": means[1],
        "service_latency_ns": means[2],
        "bandwidth_gbps": len(trace) * spec.access_bytes / sim_time_ns,
        "energy_nj": energy["total"],
        "power_mw": energy["total"] / sim_time_ns * 1000.0,
        "row_hit_rate": int(stats[kernel.S_HITS]) / cols if cols else 0.0,
        "refresh_count": float(stats[kernel.S_REF]),
    }
    counts = {
        "activates": int(stats[kernel.S_ACT]),
        "precharges": int(stats[kernel.S_PRE]),
        "reads": int(stats[kernel.S_RD]),
        "writes": int(stats[kernel.S_WR]),
        "refreshes": int(stats[kernel.S_REF]),
        "per_bank_refreshes": int(stats[kernel.S_REF_PB]),
        "row_hits": int(stats[kernel.S_HITS]),
        "end_cycle": end,
        "active_cycles": int(stats[kernel.S_CYC_ACT]),
        "precharged_cycles": int(stats[kernel.S_CYC_PRE]),
        "active_powerdown_cycles": int(stats[kernel.S_CYC_ACT_PD]),
        "precharged_powerdown_cycles": int(stats[kernel.S_CYC_PRE_PD]),
        "powerdown_entries": int(stats[kernel.S_PD_ENTRIES]),
        "write_drains": int(stats[kernel.S_WRITE_DRAINS]),
        "turnarounds": int(stats[kernel.S_TURNAROUNDS]),
        "reordered": int(stats[kernel.S_REORDERED]),
    }
    commands = [
        (int(c), COMMAND_NAMES[int(k)], int(b), int(q))
        for c, k, b, q in log[: int(stats[kernel.S_LOG_LEN])]
    ]
    return SimulationResult(
        metrics, counts, energy, latency, controller_latency, service_latency, commands
    )


__all__ = [
    "ARCHGYM_KNOBS",
    "DRAMSimulator",
    "EXTRA_KNOBS",
    "KNOB_FIELDS",
    "METRIC_SPECS",
    "SimulationResult",
    "design_space",
    "run",
]
