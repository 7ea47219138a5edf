"""DRAMSysSimulator: DRAMSys (``DRAMSys config.json``) on a DRAM trace.

Written against DRAMSys 5.5.0 (github.com/tukl-msd/DRAMSys, tag v5.5.0, 2026-03-27;
configuration format of ``configs/README.md`` and ``src/DRAMSys/configuration/json``).
The executable is the ``binary`` option, else ``$ARCHGYM_DRAMSYS``, else ``DRAMSys`` on
PATH. DRAMSys is the simulator ArchGym's DRAMGym drove, and its ``mcconfig`` knobs are
DRAM-v0's: the adapter offers all ten with ArchGym's value sets.

One evaluation writes ``trace.stl`` (``<cycle>:<tab>read|write<tab>0x<address>``, played
at the memory clock, so a trace cycle is a memory cycle as in DRAM-v0) and one
``config.json`` with every section inline:

- ``mcconfig``: the design's knobs (with SchedulerBuffer ReadWrite, the read and the
  write buffer each get RequestBufferSize entries), ``CmdMux`` Oldest,
  ``PowerDownPolicy`` NoPowerDown, ``RefreshManagement`` off;
- ``memspec``: rendered from an archgym DDR3 memspec (by default DRAM-v0's DDR3-1600,
  the Micron part of DRAMSys's ``MICRON_1Gb_DDR3-1600_8bit_G.json``, in that file's
  layout: currents in A, ``tCK`` in s), or the content of a DRAMSys memspec JSON file
  given as ``memspec_file`` (any memory type DRAMSys supports);
- ``addressmapping``: the archgym mapping's bit lists (XOR pairs as ``[bit, other]``);
- ``simconfig``: power analysis on, database recording and the progress bar off.

DRAMSys prints, per channel, ``Total Time`` (controller), ``AVG BW`` and, per DRAM,
``Total Energy`` and ``Average Power``; those are the metrics. It prints no latency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError
from archgym.parsing import read_json
from archgym.simulator import Metrics
from archgym.simulators.external import dram_common
from archgym.simulators.external.base import NO_CONTEXT, CommandLineSimulator
from archgym.simulators.external.parsers import number
from archgym.simulators.external.runner import ToolOutput, ToolOutputError
from archgym.simulators.external.validation import NativeCounterpart
from archgym.spaces import Design, DesignSpace

#: SystemC time units as DRAMSys prints them (sc_time::to_string), in ns.
_TIME_UNITS = {"fs": 1e-6, "ps": 1e-3, "ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
_NUMBER = r"([-+]?[0-9.]+(?:[eE][-+]?\d+)?)"
_TOTAL_TIME = re.compile(rf"controller\d+\s+Total Time:\s+{_NUMBER}\s*(fs|ps|ns|us|ms|s)\b")
_BANDWIDTH = re.compile(rf"controller\d+\s+AVG BW:\s+{_NUMBER}\s*Gb/s\s*\|\s*{_NUMBER}\s*GB/s")
_ENERGY = re.compile(rf"dram\d+\s+Total Energy:\s+{_NUMBER}\s*J")
_MAPPING_KEYS = {
    "byte": "BYTE_BIT",
    "column": "COLUMN_BIT",
    "bank_group": "BANKGROUP_BIT",
    "bank": "BANK_BIT",
    "rank": "RANK_BIT",
    "row": "ROW_BIT",
    "channel": "CHANNEL_BIT",
}


class DRAMSysSimulator(CommandLineSimulator):
    """DRAMSys as an archgym simulator (see the module docstring).

    Args:
        binary: the ``DRAMSys`` executable (see the module docstring for the search).
        memspec: an archgym DDR3 memspec (name, JSON path or MemSpec) to render.
        memspec_file: a DRAMSys memspec JSON file used as is instead; then
            ``address_mapping`` must be an archgym mapping of the same organisation or a
            DRAMSys address-mapping JSON path.
        address_mapping: an archgym mapping name, DRAMSys JSON path or AddressMapping.
        Other keyword arguments go to :class:`CommandLineSimulator`.
    """

    name = "dramsys"
    tool = "DRAMSys"
    binary_names = ("DRAMSys",)
    binary_env_var = "ARCHGYM_DRAMSYS"
    written_against = "DRAMSys 5.5.0 (github.com/tukl-msd/DRAMSys, tag v5.5.0)"
    default_timeout_s = 600.0

    def __init__(
        self,
        binary: str | None = None,
        *,
        memspec: Any = "DDR3-1600",
        memspec_file: str | Path | None = None,
        address_mapping: Any = "rbc",
        **options: Any,
    ) -> None:
        from archgym.simulators.dram import design_space, get_mapping, get_memspec

        if memspec_file is not None:
            self.memspec_json = _read_section(memspec_file, "memspec")
            self.mapping_json = _read_section(address_mapping, "addressmapping")
            try:
                arch = self.memspec_json["memarchitecturespec"]
                width = arch["width"] * arch.get("nbrOfDevices", 1)
                self.access_bytes = width // 8 * arch["burstLength"]
                self.clock_mhz = 1e-6 / float(self.memspec_json["memtimingspec"]["tCK"])
            except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
                raise ConfigError(
                    f"memspec_file {memspec_file}: expected DRAMSys 5 memarchitecturespec "
                    f"(width, nbrOfDevices, burstLength) and memtimingspec tCK ({error})"
                ) from None
            self._native_options: dict[str, Any] | None = None
        else:
            spec = get_memspec(memspec)
            if spec.memory_type != "DDR3":
                raise ConfigError(
                    f"the DRAMSys adapter renders DDR3 memspecs only ({spec.name!r} is "
                    f"{spec.memory_type}); pass a DRAMSys memspec JSON as memspec_file"
                )
            mapping = get_mapping(address_mapping, spec)
            self.memspec_json = render_ddr3_memspec(spec)
            self.mapping_json = mapping_json(mapping)
            self.access_bytes, self.clock_mhz = spec.access_bytes, spec.clock_mhz
            self._native_options = (
                {"memspec": memspec, "address_mapping": mapping.name}
                if isinstance(memspec, str)
                else None
            )
        # DRAM-v0's own knob table: DRAMSys is where these knobs and values come from.
        space: DesignSpace = design_space(extra_knobs=False, value_sets="archgym")
        names = ("sim_time_ns", "bandwidth_gbps", "energy_nj", "power_mw")
        metrics = [dram_common.metric(name) for name in names]
        super().__init__(binary, design_space=space, metric_specs=metrics, **options)

    def options(self) -> dict[str, Any]:
        return {"memspec": self.memspec_json, "address_mapping": self.mapping_json}

    def native_counterpart(self) -> NativeCounterpart:
        """DRAM-v0 on the same memspec and mapping (a built-in memspec given by name only)."""
        if self._native_options is None:
            raise ConfigError(
                "the DRAMSys adapter is validated against DRAM-v0 with a built-in archgym "
                "memspec given by name (memspec='DDR3-1600'), not a memspec file"
            )
        return NativeCounterpart(dram_common.NATIVE_DRAM_ENV, env_options=self._native_options)

    # Inputs ------------------------------------------------------------------------
    def render_config(self, design: Design) -> dict[str, Any]:
        """The whole ``config.json`` for ``design``."""
        return {
            "simulation": {
                "simulationid": "archgym",
                "simconfig": {
                    "AddressOffset": 0,
                    "DatabaseRecording": False,
                    "Debug": False,
                    "EnableWindowing": False,
                    "PowerAnalysis": True,
                    "SimulationName": "archgym",
                    "SimulationProgressBar": False,
                    "StoreMode": "NoStorage",
                    "UseMalloc": False,
                    "WindowSize": 1000,
                },
                "memspec": self.memspec_json,
                "addressmapping": self.mapping_json,
                "mcconfig": mcconfig(design),
                "tracesetup": [
                    {
                        "type": "player",
                        "clkMhz": int(round(self.clock_mhz)),
                        "dataLength": self.access_bytes,
                        "name": "trace.stl",
                    }
                ],
            }
        }

    def write_inputs(
        self,
        directory: Path,
        design: Design,
        workload: Any,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> None:
        from archgym.simulators.dram import write_trace

        trace = dram_common.require_trace(self.tool, workload)
        (directory / "config.json").write_text(json.dumps(self.render_config(design), indent=2))
        write_trace(trace, directory / "trace.stl", "stl")

    def command_line(
        self, design: Design, workload: Any, context: Mapping[str, Any] = NO_CONTEXT
    ) -> list[str]:
        return [str(self.binary), "config.json"]

    def parse(self, output: ToolOutput, design: Design, workload: Any) -> Metrics:
        return metrics_from_stdout(output.stdout, len(workload) * self.access_bytes)


def _read_section(source: Any, key: str) -> dict[str, Any]:
    """A DRAMSys JSON section from a file (``{key: {...}}`` or the bare object) or a dict."""
    if isinstance(source, dict):
        return source.get(key, source)
    path = Path(source)
    document = read_json(path, f"DRAMSys {key}", ConfigError)
    if not isinstance(document, dict):
        raise ConfigError(f"DRAMSys {key} file {path}: expected a JSON object")
    return document.get(key, document)


def mcconfig(design: Design) -> dict[str, Any]:
    """DRAMSys's ``mcconfig`` section for a design of DRAM-v0's ten knobs."""
    config = {knob: design[knob] for knob in dram_common.NATIVE_FIXED_KNOBS}
    if design["SchedulerBuffer"] == "ReadWrite":
        config["RequestBufferSizeRead"] = design["RequestBufferSize"]
        config["RequestBufferSizeWrite"] = design["RequestBufferSize"]
    config.update({"CmdMux": "Oldest", "PowerDownPolicy": "NoPowerDown"})
    config["RefreshManagement"] = False
    return config


def mapping_json(mapping: Any) -> dict[str, list[Any]]:
    """DRAMSys's ``addressmapping`` section: bit lists, an XOR pair as ``[bit, other]``."""
    xor = dict(mapping.xor)
    out: dict[str, list[Any]] = {}
    for field, key in _MAPPING_KEYS.items():
        bits = getattr(mapping, field)
        if bits:
            out[key] = [[bit, xor[bit]] if bit in xor else bit for bit in bits]
    return out


def render_ddr3_memspec(s: Any) -> dict[str, Any]:
    """An archgym DDR3 MemSpec in DRAMSys 5.5's DDR3 memspec layout (currents in A).

    Fields archgym does not model take the values of DRAMSys's Micron DDR3-1600 file
    (MICRON_1Gb_DDR3-1600_8bit_G.json): CKESR 4, DQSCK 0, XPDLL 20, XS 96, XSDLL 512,
    ACTPDEN/PRPDEN/REFPDEN 1, and the slow-exit power-down current idd2p0 equal to idd2p.
    """
    milliamps = {
        "idd0": s.idd0,
        "idd2n": s.idd2n,
        "idd2p0": s.idd2p,
        "idd2p1": s.idd2p,
        "idd3n": s.idd3n,
        "idd3p0": s.idd3p,
        "idd3p1": s.idd3p,
        "idd4r": s.idd4r,
        "idd4w": s.idd4w,
        "idd5": s.idd5,
        "idd6": s.idd6,
    }
    return {
        "memarchitecturespec": {
            "burstLength": s.burst_length,
            "dataRate": s.data_rate,
            "nbrOfBanks": s.banks,
            "nbrOfColumns": s.columns,
            "nbrOfRanks": s.ranks,
            "nbrOfRows": s.rows,
            "width": s.device_width,
            "nbrOfDevices": s.devices,
            "nbrOfChannels": s.channels,
            "maxBurstLength": s.burst_length,
        },
        "memoryId": s.name,
        "memoryType": "DDR3",
        "mempowerspec": {**{k: v / 1000.0 for k, v in milliamps.items()}, "vdd": s.vdd},
        "memtimingspec": {
            "AL": s.AL,
            "CCD": s.tCCD_S,
            "CKE": s.tCKE,
            "CKESR": 4,
            "CL": s.CL,
            "DQSCK": 0,
            "FAW": s.tFAW,
            "RAS": s.tRAS,
            "RC": s.tRC,
            "RCD": s.tRCD,
            "REFI": s.tREFI,
            "RFC": s.tRFC,
            "RL": s.RL,
            "RP": s.tRP,
            "RRD": s.tRRD_S,
            "RTP": s.tRTP,
            "WL": s.WL,
            "WR": s.tWR,
            "WTR": s.tWTR_S,
            "XP": s.tXP,
            "XPDLL": 20,
            "XS": 96,
            "XSDLL": 512,
            "ACTPDEN": 1,
            "PRPDEN": 1,
            "REFPDEN": 1,
            "RTRS": s.tRTRS,
            "tCK": s.tck_ns * 1e-9,
        },
    }


def metrics_from_stdout(text: str, bytes_moved: int) -> Metrics:
    """Time, bandwidth, energy and power from DRAMSys's end-of-simulation report.

    Several channels: the longest Total Time, and energy summed over the DRAMs.
    Bandwidth is ``bytes_moved`` over that time (DRAMSys's own AVG BW lines are read only
    to check that the report is there). Raises ToolOutputError when a line is missing.
    """
    times = [number(v, "Total Time") * _TIME_UNITS[u] for v, u in _TOTAL_TIME.findall(text)]
    energies = [number(v, "Total Energy") for v in _ENERGY.findall(text)]
    if not times or not _BANDWIDTH.search(text):
        raise ToolOutputError("stdout: no controller 'Total Time' / 'AVG BW' report")
    if not energies:
        raise ToolOutputError("stdout: no 'Total Energy' line (was PowerAnalysis off?)")
    sim_time_ns = max(times)
    if sim_time_ns <= 0:
        raise ToolOutputError(f"stdout: Total Time is {sim_time_ns:g} ns")
    energy_nj = sum(energies) * 1e9
    return {
        "sim_time_ns": sim_time_ns,
        "bandwidth_gbps": bytes_moved / sim_time_ns,
        "energy_nj": energy_nj,
        "power_mw": 1000.0 * energy_nj / sim_time_ns,
    }
