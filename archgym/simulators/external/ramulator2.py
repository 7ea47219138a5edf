"""Ramulator2Simulator: Ramulator 2.0 (``ramulator2 -f config.yaml``) on a DRAM trace.

Written against Ramulator 2.0 from github.com/CMU-SAFARI/ramulator2, tag v2.0a (the
last release with the YAML-configured standalone binary; Ramulator 2.1 is configured in
Python instead). The executable is the ``binary`` option, else ``$ARCHGYM_RAMULATOR2``,
else ``ramulator2`` on PATH.

One evaluation writes ``config.yaml`` (the structure of the repository's
``example_config.yaml``: a ``LoadStoreTrace`` frontend with ``NoTranslation``, a
``GenericDRAM`` memory system with one DDR4 channel, the ``Generic`` controller with the
``FRFCFS`` scheduler, ``AllBank`` refresh and DRAMPower-style energy enabled) and
``trace.txt`` (``LD|ST 0x<address>`` a line), then runs ``ramulator2 -f config.yaml``.
Ramulator prints its statistics as YAML on stdout; the adapter reads the ``name: value``
lines (``memory_system_cycles``, ``read_latency_<channel>``, ``read_row_hits_<channel>``,
``total_energy``...). Checked against a Ramulator 2.0 build of tag v2.0a
(benchmarks/results/external.md).

What differs from DRAM-v0, by Ramulator 2's design:

- its trace frontend has no time stamps: it sends one request per cycle whenever the
  controller accepts it (so the trace's arrival cycles are ignored), and it stops when
  the last request has been *sent*: ``sim_time_ns`` ends there, not at the last response;
- the read and write buffers hold 32 requests (fixed in Ramulator's ``ReqBuffer``), so
  there is no MaxActiveTransactions or RequestBufferSize knob;
- its energy is per device; the adapter multiplies by the devices of a rank
  (channel width / device width);
- the mean read latency is ``read_latency_<ch>`` (summed over the reads that reached the
  DRAM, from controller acceptance to data) over those reads (``read_row_hits``,
  ``_misses``, ``_conflicts``); Ramulator's own ``avg_read_latency_<ch>`` divides by
  ``num_read_reqs_<ch>``, which also counts every send the full buffer refused, and
  comes out up to ten times too small under a saturating trace.

Knobs (DRAM-v0 names where one exists): PagePolicy Open -> ``OpenRowPolicy``, Closed ->
``ClosedRowPolicy`` with ``cap: 1`` (precharge after every column access); RefreshPolicy
AllBank -> ``AllBank``, NoRefresh -> the same with ``nREFI`` = 2^30 cycles;
WriteHighWatermark / WriteLowWatermark -> the controller's ``wr_high_watermark`` /
``wr_low_watermark`` (fractions of the write buffer that start and stop a write drain).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from archgym.errors import ConfigError
from archgym.simulator import Metrics, MetricSpec
from archgym.simulators.external import dram_common
from archgym.simulators.external.base import NO_CONTEXT, CommandLineSimulator
from archgym.simulators.external.parsers import number
from archgym.simulators.external.runner import ToolOutput, ToolOutputError
from archgym.simulators.external.validation import NativeCounterpart
from archgym.spaces import Constraint, Design, DesignSpace, Ordinal

#: Ramulator's linear address mappers and the archgym mapping each equals with one
#: channel and one rank (``src/addr_mapper/impl/linear_mappers.cpp``): RoBaRaCoCh puts,
#: from the lowest bits up, column, bank group, bank, row (archgym's rbc); ChRaBaRoCo
#: column, row, bank group, bank (brc).
ADDRESS_MAPPERS = {"rbc": "RoBaRaCoCh", "brc": "ChRaBaRoCo"}
#: nREFI standing for "no refresh": longer than any run archgym asks for.
NO_REFRESH_NREFI = 1 << 30
#: The DRAM-v0 memspec with the same part as Ramulator's default presets: Micron 4Gb x8
#: DDR4-2400 with CL = tRCD = tRP = 16 (Ramulator's DDR4_4Gb_x8 and DDR4_2400R).
NATIVE_MEMSPEC = "DDR4-2400"

_STAT_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*):\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*$", re.M)


class Ramulator2Simulator(CommandLineSimulator):
    """Ramulator 2.0 as an archgym simulator (see the module docstring).

    Args:
        binary: the ``ramulator2`` executable (see the module docstring for the search).
        org_preset, timing_preset: Ramulator's DDR4 organisation and speed presets
            (``DDR4_4Gb_x8``, ``DDR4_2400R``; see ``src/dram/impl/DDR4.cpp``).
        ranks, channel_width: the rank count and the channel width in bits.
        address_mapping: "rbc" (RoBaRaCoCh) or "brc" (ChRaBaRoCo).
        Other keyword arguments go to :class:`CommandLineSimulator`.
    """

    name = "ramulator2"
    tool = "Ramulator 2"
    binary_names = ("ramulator2",)
    binary_env_var = "ARCHGYM_RAMULATOR2"
    written_against = "Ramulator 2.0, tag v2.0a of github.com/CMU-SAFARI/ramulator2"
    default_timeout_s = 300.0

    def __init__(
        self,
        binary: str | None = None,
        *,
        org_preset: str = "DDR4_4Gb_x8",
        timing_preset: str = "DDR4_2400R",
        ranks: int = 1,
        channel_width: int = 64,
        address_mapping: str = "rbc",
        **options: Any,
    ) -> None:
        org = re.fullmatch(r"DDR4_(\d+)Gb_x(4|8|16)", org_preset)
        rate = re.fullmatch(r"DDR4_(\d{4})[A-Z]+", timing_preset)
        if org is None or rate is None:
            raise ConfigError(
                f"Ramulator 2 adapter: presets must be DDR4 ones such as 'DDR4_4Gb_x8' and "
                f"'DDR4_2400R', got {org_preset!r} and {timing_preset!r}"
            )
        if address_mapping not in ADDRESS_MAPPERS:
            raise ConfigError(
                f"address_mapping {address_mapping!r} is not one of {', '.join(ADDRESS_MAPPERS)}"
            )
        self.org_preset, self.timing_preset = org_preset, timing_preset
        self.ranks, self.channel_width = int(ranks), int(channel_width)
        self.address_mapping = address_mapping
        self.devices = self.channel_width // int(org.group(2))
        self.access_bytes = self.channel_width // 8 * 8  # one BL8 burst
        # Ramulator's own integer clock period: tCK_ps = 1e6 / (rate / 2) (DDR4.cpp)
        self.tck_ns = int(1e6 / (int(rate.group(1)) / 2)) / 1000.0
        self.density_gb = int(org.group(1))
        space = DesignSpace(
            [
                dram_common.categorical("PagePolicy", ("Open", "Closed")),
                dram_common.categorical("RefreshPolicy", ("NoRefresh", "AllBank")),
                Ordinal("WriteHighWatermark", (0.5, 0.6, 0.7, 0.8, 0.9), doc="start a drain"),
                Ordinal("WriteLowWatermark", (0.1, 0.2, 0.3, 0.4), doc="stop a drain"),
            ],
            [
                Constraint(
                    "WriteLowWatermark < WriteHighWatermark",
                    lambda d: d["WriteLowWatermark"] < d["WriteHighWatermark"],
                )
            ],
        )
        names = ("sim_time_ns", "bandwidth_gbps", "energy_nj", "power_mw", "read_latency_ns")
        metrics: list[MetricSpec] = [dram_common.metric(n) for n in names]
        metrics.append(dram_common.metric("row_hit_rate"))
        super().__init__(binary, design_space=space, metric_specs=metrics, **options)

    def options(self) -> dict[str, Any]:
        return {
            "org_preset": self.org_preset,
            "timing_preset": self.timing_preset,
            "ranks": self.ranks,
            "channel_width": self.channel_width,
            "address_mapping": self.address_mapping,
        }

    def native_counterpart(self) -> NativeCounterpart:
        """DRAM-v0 on DDR4-2400 (the default presets' part); watermarks held at Ramulator's."""
        if (self.org_preset, self.timing_preset, self.ranks) != ("DDR4_4Gb_x8", "DDR4_2400R", 1):
            raise ConfigError(
                "the Ramulator 2 adapter is validated against DRAM-v0 with its default "
                "presets (DDR4_4Gb_x8, DDR4_2400R, one rank) only"
            )
        return NativeCounterpart(
            dram_common.NATIVE_DRAM_ENV,
            env_options={"memspec": NATIVE_MEMSPEC, "address_mapping": self.address_mapping},
            fixed_knobs=dram_common.NATIVE_FIXED_KNOBS,
            metric_names=dram_common.NATIVE_METRICS,
            tool_knobs={"WriteHighWatermark": 0.8, "WriteLowWatermark": 0.2},
        )

    # Inputs ------------------------------------------------------------------------
    def render_config(self, design: Design) -> dict[str, Any]:
        """The ``config.yaml`` content for ``design`` (as a mapping)."""
        timing: dict[str, Any] = {"preset": self.timing_preset}
        if design["RefreshPolicy"] == "NoRefresh":
            timing["nREFI"] = NO_REFRESH_NREFI
        if design["PagePolicy"] == "Open":
            row_policy: dict[str, Any] = {"impl": "OpenRowPolicy"}
        else:
            row_policy = {"impl": "ClosedRowPolicy", "cap": 1}
        capacity = self.density_gb * (1 << 30) // 8 * self.devices * self.ranks
        return {
            "Frontend": {
                "impl": "LoadStoreTrace",
                "path": "trace.txt",
                "clock_ratio": 1,
                "Translation": {"impl": "NoTranslation", "max_addr": capacity},
            },
            "MemorySystem": {
                "impl": "GenericDRAM",
                "clock_ratio": 1,
                "DRAM": {
                    "impl": "DDR4",
                    "org": {"preset": self.org_preset, "channel": 1, "rank": self.ranks},
                    "timing": timing,
                    "drampower_enable": True,
                    "voltage": {"preset": "Default"},
                    "current": {"preset": "Default"},
                },
                "Controller": {
                    "impl": "Generic",
                    "Scheduler": {"impl": "FRFCFS"},
                    "RefreshManager": {"impl": "AllBank"},
                    "RowPolicy": row_policy,
                    "wr_high_watermark": float(design["WriteHighWatermark"]),
                    "wr_low_watermark": float(design["WriteLowWatermark"]),
                },
                "AddrMapper": {"impl": ADDRESS_MAPPERS[self.address_mapping]},
            },
        }

    def write_inputs(
        self,
        directory: Path,
        design: Design,
        workload: Any,
        context: Mapping[str, Any] = NO_CONTEXT,
    ) -> None:
        trace = dram_common.require_trace(self.tool, workload)
        config = yaml.safe_dump(self.render_config(design), sort_keys=False)
        (directory / "config.yaml").write_text(config)
        rows = zip(trace.address.tolist(), trace.is_write.tolist(), strict=True)
        text = "".join(f"{'ST' if write else 'LD'} 0x{address:X}\n" for address, write in rows)
        (directory / "trace.txt").write_text(text)

    def command_line(
        self, design: Design, workload: Any, context: Mapping[str, Any] = NO_CONTEXT
    ) -> list[str]:
        return [str(self.binary), "-f", "config.yaml"]

    def parse(self, output: ToolOutput, design: Design, workload: Any) -> Metrics:
        stats = statistics(output.stdout)
        cycles = _one(stats, "memory_system_cycles")
        if cycles <= 0:
            raise ToolOutputError(f"memory_system_cycles is {cycles:g}")
        sim_time_ns = cycles * self.tck_ns
        # Reads that reached the DRAM: read_latency_<ch> sums their latencies. Not
        # num_read_reqs_<ch> (nor Ramulator's avg_read_latency_<ch>, its quotient), which
        # also counts the sends the full buffer refused.
        reads = sum(
            _sum(stats, rf"read_row_{kind}_\d+") for kind in ("hits", "misses", "conflicts")
        )
        latency_cycles = _sum(stats, r"read_latency_\d+") / reads if reads else 0.0
        hits = _sum(stats, r"row_hits_\d+")
        accesses = hits + _sum(stats, r"row_misses_\d+") + _sum(stats, r"row_conflicts_\d+")
        energy_nj = _one(stats, "total_energy") * self.devices
        return {
            "sim_time_ns": sim_time_ns,
            "bandwidth_gbps": len(workload) * self.access_bytes / sim_time_ns,
            "energy_nj": energy_nj,
            "power_mw": 1000.0 * energy_nj / sim_time_ns,
            "read_latency_ns": latency_cycles * self.tck_ns,
            "row_hit_rate": hits / accesses if accesses else 0.0,
        }


def statistics(text: str) -> dict[str, list[float]]:
    """Every ``name: number`` line of Ramulator's YAML stats, values in order of appearance.

    Reading lines rather than the YAML document keeps working with several channels,
    whose ``Controller`` sections repeat one key (stat names carry the channel number).
    """
    stats: dict[str, list[float]] = {}
    for name, value in _STAT_LINE.findall(text):
        stats.setdefault(name, []).append(number(value, f"stdout: {name}"))
    return stats


def _one(stats: Mapping[str, list[float]], name: str) -> float:
    if name not in stats:
        raise ToolOutputError(f"stdout: Ramulator printed no {name!r}")
    return sum(stats[name])


def _sum(stats: Mapping[str, list[float]], pattern: str) -> float:
    keys = [key for key in stats if re.fullmatch(pattern, key)]
    if not keys:
        raise ToolOutputError(f"stdout: Ramulator printed no stat matching {pattern!r}")
    return sum(sum(stats[key]) for key in keys)
