"""DRAMsim3Simulator: the DRAMsim3 simulator (``dramsim3main``) on a DRAM trace.

Written against DRAMsim3 from github.com/umd-memsys/DRAMsim3, commit 2981759 (master,
2021-04-05), built with CMake (``build/dramsim3main``). The executable is the
``binary`` option, else ``$ARCHGYM_DRAMSIM3``, else ``dramsim3main`` on PATH.

One evaluation writes, in a private work directory:

- ``config.ini``: DRAMsim3's ``[dram_structure]``, ``[timing]`` and ``[power]`` rendered
  from an archgym memspec (by default DRAM-v0's DDR3-1600, so both model the same part;
  DRAMsim3 reads exactly these keys in ``src/configuration.cc``), and ``[system]`` from
  the design and the address mapping;
- ``trace.txt``: the trace in DRAMsim3's format (``0x<address> READ|WRITE <cycle>``, one
  request a line, newline-terminated: without the final newline DRAMsim3 drops the last
  request); trace cycles are memory cycles, as in DRAM-v0;

and runs ``dramsim3main config.ini -c <cycles> -t trace.txt -o .``.

DRAMsim3 simulates a fixed number of cycles, not until the trace is served, so its
whole-run totals include the idle tail. The adapter therefore asks for per-epoch stats
(``dramsim3epoch.json``, about 500 epochs a run) and computes time, energy, power and
bandwidth up to the end of the last epoch in which a request completed (a resolution of
one epoch, about 0.2% of the run); if the trace was not served within the cycles asked
for, it runs again with four times as many. Latency and row hits come from the final
stats (``dramsim3.json``). Knob mapping (DRAM-v0 names):

===================== ==============================================================
PagePolicy            Open -> ``row_buf_policy = OPEN_PAGE``, Closed -> ``CLOSE_PAGE``
SchedulerBuffer       Bankwise -> ``queue_structure = PER_BANK``, Shared -> ``PER_RANK``
RequestBufferSize     ``cmd_queue_size`` (entries per command queue)
RefreshPolicy         AllBank -> ``RANK_LEVEL_SIMULTANEOUS``; NoRefresh -> the same with
                      ``tREFI`` = 2^30 cycles (DRAMsim3 cannot turn refresh off)
TransactionQueueSize  ``trans_queue_size``: DRAMsim3's own knob, the read queue and the
                      write buffer in front of the command queues (each that long)
===================== ==============================================================

DRAMsim3 always schedules FR-FCFS with a cap of four row hits, returns reads as they
complete and has no front-end arbiter, so DRAM-v0's Scheduler, RespQueue and Arbiter
have no counterpart here. Nor has MaxActiveTransactions: DRAMsim3 limits outstanding
requests only through its queues (a transaction leaves the transaction queue when its
command enters a command queue), so ``archgym validate`` holds TransactionQueueSize at
DRAMsim3's default of 32 and DRAM-v0's MaxActiveTransactions at DRAMSys's 128.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError
from archgym.simulator import Metrics
from archgym.simulators.external import dram_common
from archgym.simulators.external.base import NO_CONTEXT, CommandLineSimulator
from archgym.simulators.external.runner import ToolOutput, ToolOutputError
from archgym.simulators.external.validation import NativeCounterpart
from archgym.spaces import Design, DesignSpace, Ordinal

#: DRAMsim3's name of each memory type archgym memspecs use.
PROTOCOLS = {"DDR3": "DDR3", "DDR4": "DDR4", "LPDDR4": "LPDDR4"}
#: DRAMsim3's address-mapping field names (``src/configuration.cc``, SetAddressMapping).
_FIELD_CODES = {
    "channel": "ch",
    "rank": "ra",
    "bank_group": "bg",
    "bank": "ba",
    "row": "ro",
    "column": "co",
}
QUEUE_STRUCTURES = {"Bankwise": "PER_BANK", "Shared": "PER_RANK"}
#: tREFI standing for "no refresh": longer than any run archgym asks for.
NO_REFRESH_TREFI = 1 << 30
#: Epochs per run: the resolution of the drained-time cut (see the module docstring).
EPOCHS_PER_RUN = 512
MAX_ATTEMPTS = 4


class _NotServedError(Exception):
    """The trace was not served within the cycles simulated (run again, longer)."""


class DRAMsim3Simulator(CommandLineSimulator):
    """DRAMsim3 as an archgym simulator (see the module docstring).

    Args:
        binary: the ``dramsim3main`` executable (see the module docstring for the search).
        memspec: an archgym memspec name, JSON path or MemSpec (DDR3, DDR4 or LPDDR4), or
            one of DRAMsim3's DDR3/DDR4 ``.ini`` configs (its part and address mapping,
            read with :func:`archgym.simulators.dram.read_dramsim3_config`).
        address_mapping: an archgym mapping name or AddressMapping whose fields are
            contiguous bit ranges ("rbc" or "brc"; XOR mappings have no DRAMsim3 form);
            default: the ``.ini``'s mapping, else "rbc".
        Other keyword arguments go to :class:`CommandLineSimulator` (timeout_s, jobs, ...).
    """

    name = "dramsim3"
    tool = "DRAMsim3"
    binary_names = ("dramsim3main",)
    binary_env_var = "ARCHGYM_DRAMSIM3"
    written_against = "DRAMsim3 commit 2981759 (github.com/umd-memsys/DRAMsim3, 2021-04-05)"
    default_timeout_s = 300.0

    def __init__(
        self,
        binary: str | None = None,
        *,
        memspec: Any = "DDR3-1600",
        address_mapping: Any = None,
        **options: Any,
    ) -> None:
        from archgym.simulators.dram import get_mapping, get_memspec, read_dramsim3_config

        if isinstance(memspec, str | Path) and str(memspec).endswith(".ini"):
            # one of DRAMsim3's own configs: its part and address mapping
            system = read_dramsim3_config(memspec)
            self.memspec, default_mapping = system.memspec, system.address_mapping
        else:
            self.memspec, default_mapping = get_memspec(memspec), "rbc"
        if self.memspec.memory_type not in PROTOCOLS:
            raise ConfigError(
                f"DRAMsim3 adapter: memspec {self.memspec.name!r} is "
                f"{self.memspec.memory_type}; supported: {', '.join(PROTOCOLS)}"
            )
        self.mapping = get_mapping(address_mapping or default_mapping, self.memspec)
        self.mapping_code = address_mapping_code(self.mapping)
        space = DesignSpace(
            [
                dram_common.categorical("PagePolicy", ("Open", "Closed")),
                dram_common.categorical("SchedulerBuffer", ("Bankwise", "Shared")),
                dram_common.request_buffer_size(),
                dram_common.categorical("RefreshPolicy", ("NoRefresh", "AllBank")),
                Ordinal(
                    "TransactionQueueSize",
                    (8, 16, 32, 64),
                    unit="requests",
                    doc="DRAMsim3's read queue and write buffer (each)",
                ),
            ]
        )
        metrics = [dram_common.metric(name) for name in dram_common.METRICS]
        super().__init__(binary, design_space=space, metric_specs=metrics, **options)

    def options(self) -> dict[str, Any]:
        return {"memspec": self.memspec.to_dict(), "address_mapping": self.mapping_code}

    def native_counterpart(self) -> NativeCounterpart:
        """DRAM-v0 on the same memspec and address mapping."""
        return NativeCounterpart(
            dram_common.NATIVE_DRAM_ENV,
            env_options={"memspec": self.memspec, "address_mapping": self.mapping},
            fixed_knobs=dram_common.NATIVE_FIXED_KNOBS,
            metric_names=dram_common.NATIVE_METRICS,
            tool_knobs={"TransactionQueueSize": 32},
        )

    # Inputs ------------------------------------------------------------------------
    def render_config(self, design: Design, epoch_period: int) -> str:
        """The ``config.ini`` text for ``design``."""
        return render_ini(self.memspec, self.mapping_code, design, epoch_period)

    def write_inputs(
        self,
        directory: Path,
        design: Design,
        workload: Any,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> None:
        from archgym.simulators.dram import write_trace

        (directory / "config.ini").write_text(self.render_config(design, context["epoch_period"]))
        write_trace(workload, directory / "trace.txt", "dramsim3")

    def command_line(
        self, design: Design, workload: Any, context: Mapping[str, Any] = NO_CONTEXT
    ) -> list[str]:
        cycles = str(context["cycles"])
        return [str(self.binary), "config.ini", "-c", cycles, "-t", "trace.txt", "-o", "."]

    # Evaluation --------------------------------------------------------------------
    def evaluate(self, design: Design, workload: Any) -> Metrics:
        """Metrics of ``design`` on a DRAM trace (see the module docstring)."""
        trace = dram_common.require_trace(self.tool, workload)
        design = self.design_space.validate(design)
        cycles = initial_cycles(self.memspec, trace)
        for _ in range(MAX_ATTEMPTS):
            epoch = max(16, math.ceil(cycles / EPOCHS_PER_RUN))
            cycles = epoch * math.ceil(cycles / epoch)
            try:
                return self.run(design, trace, cycles=cycles, epoch_period=epoch)
            except _NotServedError:
                cycles *= 4
        raise ToolOutputError(
            f"DRAMsim3 did not serve the {len(trace)} requests of {trace.name!r} in "
            f"{cycles // 4} cycles ({MAX_ATTEMPTS} attempts)"
        )

    def parse(self, output: ToolOutput, design: Design, workload: Any) -> Metrics:
        if "Cannot create memory system" in output.stdout:
            raise ToolOutputError(
                "DRAMsim3 changed the memory size of the rendered config: "
                + output.stdout.strip().splitlines()[0]
            )
        final = _load(output, "dramsim3.json")
        epochs = _load(output, "dramsim3epoch.json")
        return metrics_from_stats(final, epochs, self.memspec, len(workload), output.command)


def address_mapping_code(mapping: Any) -> str:
    """DRAMsim3's ``address_mapping`` string (12 characters, most significant field first).

    Every field must be one contiguous run of bits, the fields stacked on top of the
    byte offset and the lowest log2(burst length) column bits; ConfigError otherwise.
    """
    if mapping.xor:
        raise ConfigError(f"address mapping {mapping.name!r} XORs bits; DRAMsim3 cannot")
    placed = []
    for field, code in _FIELD_CODES.items():
        bits = getattr(mapping, field)
        if bits and list(bits) != list(range(bits[0], bits[0] + len(bits))):
            raise ConfigError(
                f"address mapping {mapping.name!r}: the {field} bits {bits} are not one "
                "contiguous run, which DRAMsim3's mapping requires"
            )
        placed.append((bits[0] if bits else math.inf, code, len(bits)))
    position = len(mapping.byte)
    for start, code, width in sorted(placed):
        if width and start != position:
            raise ConfigError(
                f"address mapping {mapping.name!r}: {code} starts at bit {start}, expected "
                f"{position} (DRAMsim3 stacks the fields without gaps)"
            )
        position += width
    return "".join(code for _, code, _ in sorted(placed, reverse=True))


def render_ini(memspec: Any, mapping_code: str, design: Design, epoch_period: int) -> str:
    """DRAMsim3's ini for ``memspec`` and ``design`` (keys as in ``src/configuration.cc``)."""
    s = memspec
    bus_width = s.device_width * s.devices
    rank_bytes = s.banks * s.rows * s.columns * bus_width // 8
    refresh = design["RefreshPolicy"] != "NoRefresh"
    sections: dict[str, dict[str, Any]] = {
        "dram_structure": {
            "protocol": PROTOCOLS[s.memory_type],
            "bankgroups": s.bank_groups,
            "banks_per_group": s.banks_per_group,
            "rows": s.rows,
            "columns": s.columns,
            "device_width": s.device_width,
            "BL": s.burst_length,
        },
        "timing": {
            "tCK": f"{s.tck_ns:.12g}",
            "AL": s.AL,
            "CL": s.CL,
            "CWL": s.CWL,
            "tRCD": s.tRCD,
            "tRP": s.tRP,
            "tRAS": s.tRAS,
            "tRFC": s.tRFC,
            "tREFI": s.tREFI if refresh else NO_REFRESH_TREFI,
            "tRRD_S": s.tRRD_S,
            "tRRD_L": s.tRRD_L,
            "tWTR_S": s.tWTR_S,
            "tWTR_L": s.tWTR_L,
            "tFAW": s.tFAW,
            "tWR": s.tWR,
            "tRTP": s.tRTP,
            "tCCD_S": s.tCCD_S,
            "tCCD_L": s.tCCD_L,
            "tCKE": s.tCKE,
            "tXP": s.tXP,
            "tRTRS": s.tRTRS,
        },
        "power": {
            "VDD": s.vdd,
            "IDD0": s.idd0,
            "IDD2P": s.idd2p,
            "IDD2N": s.idd2n,
            "IDD3P": s.idd3p,
            "IDD3N": s.idd3n,
            "IDD4W": s.idd4w,
            "IDD4R": s.idd4r,
            "IDD5AB": s.idd5,
            "IDD6x": s.idd6,
        },
        "system": {
            # DRAMsim3 derives the ranks from the channel size in MB
            "channel_size": s.ranks * rank_bytes // (1 << 20),
            "channels": s.channels,
            "bus_width": bus_width,
            "address_mapping": mapping_code,
            "queue_structure": QUEUE_STRUCTURES[design["SchedulerBuffer"]],
            "refresh_policy": "RANK_LEVEL_SIMULTANEOUS",
            "row_buf_policy": "OPEN_PAGE" if design["PagePolicy"] == "Open" else "CLOSE_PAGE",
            "cmd_queue_size": design["RequestBufferSize"],
            "trans_queue_size": design["TransactionQueueSize"],
        },
        "other": {"epoch_period": epoch_period, "output_level": 1},
    }
    lines = [f"; rendered by archgym for {s.name}"]
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {value}" for key, value in values.items()]
        lines.append("")
    return "\n".join(lines)


def initial_cycles(memspec: Any, trace: Any) -> int:
    """A first guess at the cycles that serve ``trace``: its span plus two bursts a request."""
    span = int(trace.arrival_cycle[-1]) + 1
    return span + 2 * memspec.burst_cycles * len(trace) + 4 * memspec.tRFC + 1000


def metrics_from_stats(
    final: Mapping[str, Any],
    epochs: list[Mapping[str, Any]],
    memspec: Any,
    requests: int,
    command: Any = (),
) -> Metrics:
    """The adapter's metrics from DRAMsim3's final and per-epoch stats.

    Raises _NotServedError when fewer than ``requests`` were served or the last epoch still
    served some (the run may have been cut short).
    """
    channels = [final[key] for key in sorted(final, key=int)]
    served = sum(c["num_reads_done"] + c["num_writes_done"] for c in channels)
    by_epoch: dict[int, list[Mapping[str, Any]]] = {}
    for record in epochs:
        by_epoch.setdefault(int(record["epoch_num"]), []).append(record)
    active = [
        n
        for n, records in by_epoch.items()
        if any(r["num_reads_done"] + r["num_writes_done"] for r in records)
    ]
    if served < requests or not active or max(active) == max(by_epoch):
        raise _NotServedError
    last = max(active)
    window = [r for n, records in by_epoch.items() if n <= last for r in records]
    cycles = sum(records[0]["num_cycles"] for n, records in by_epoch.items() if n <= last)
    tck = memspec.tck_ns
    sim_time_ns = cycles * tck
    # DRAMsim3's energies are V * mA * cycles; times tCK in ns they are pJ.
    energy_pj = sum(r["total_energy"] for r in window) * tck
    reads = sum(c["num_reads_done"] for c in channels)
    latency_cycles = (
        sum(c["average_read_latency"] * c["num_reads_done"] for c in channels) / reads
        if reads
        else 0.0
    )
    column_commands = sum(c["num_read_cmds"] + c["num_write_cmds"] for c in channels)
    row_hits = sum(c["num_read_row_hits"] + c["num_write_row_hits"] for c in channels)
    return {
        "sim_time_ns": sim_time_ns,
        "bandwidth_gbps": requests * memspec.access_bytes / sim_time_ns,
        "energy_nj": energy_pj / 1000.0,
        "power_mw": energy_pj / sim_time_ns,
        "read_latency_ns": latency_cycles * tck,
        "row_hit_rate": row_hits / column_commands if column_commands else 0.0,
        "refresh_count": float(sum(r["num_ref_cmds"] + r["num_refb_cmds"] for r in window)),
    }


def _load(output: ToolOutput, name: str) -> Any:
    text = output.text(name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ToolOutputError(f"{name}: not valid JSON ({error.msg})", text[-300:]) from None
