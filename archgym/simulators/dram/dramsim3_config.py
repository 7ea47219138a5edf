"""DRAMsim3 system configurations (``.ini``) as archgym inputs.

:func:`read_dramsim3_config` reads one of DRAMsim3's DDR3/DDR4 ``configs/*.ini`` files
and returns what archgym needs to simulate the same system: a :class:`MemSpec`, the
:class:`AddressMapping` of its ``address_mapping`` string and the
:class:`ControllerConfig` closest to DRAMsim3's controller. The format, as DRAMsim3
reads it (``src/configuration.cc``):

* ``[dram_structure]`` protocol, bankgroups, banks_per_group, rows, columns,
  device_width, BL
* ``[timing]`` tCK (ns), AL, CL, CWL, tRCD, tRP, tRAS, tRFC, tREFI, tRRD_S/L, tWTR_S/L,
  tFAW, tWR, tRTP, tCCD_S/L, tCKE, tXP, tRTRS in clock cycles (the ``_L`` timings only
  when there are bank groups; DRAMsim3 uses the ``_S`` ones otherwise). tRC is
  tRAS + tRP, as in DRAMsim3. A missing tREFI takes DRAMsim3's default (7800 cycles,
  with a logged warning); every other key is required.
* ``[power]`` VDD (V), IDD0, IDD2P, IDD2N, IDD3P, IDD3N, IDD4W, IDD4R, IDD5AB, IDD6x (mA)
* ``[system]`` channel_size (MB per channel; ranks = channel_size / rank capacity),
  channels, bus_width (bits; devices per rank = bus_width / device_width),
  address_mapping (six two-letter fields ch, ra, bg, ba, ro, co from the most
  significant bit down, above the burst's byte offset), queue_structure (PER_BANK or
  PER_RANK), row_buf_policy (OPEN_PAGE or CLOSE_PAGE), cmd_queue_size,
  trans_queue_size, refresh_policy; unified_queue must be false.

Keys are case-insensitive and ``;`` or ``#`` start a comment, as in DRAMsim3's reader.
Every problem raises :class:`~archgym.errors.ConfigError` naming the file, the section
and the key.
"""

from __future__ import annotations

import configparser
import logging
from dataclasses import dataclass
from pathlib import Path

from archgym.errors import ConfigError
from archgym.parsing import errors_at, parse_float, read_text
from archgym.simulators.dram.config import MAX_ACTIVE_TRANSACTIONS, ControllerConfig
from archgym.simulators.dram.mapping import AddressMapping
from archgym.simulators.dram.spec import MemSpec

logger = logging.getLogger(__name__)

SUPPORTED_PROTOCOLS = ("DDR3", "DDR4")
#: DRAMsim3's value when [timing] tREFI is absent (Config::InitTimingParams); several of
#: its DDR3 configs spell the key "REFI" and so run with it.
DRAMSIM3_DEFAULT_TREFI = 7800
_MAPPING_FIELDS = ("ch", "ra", "bg", "ba", "ro", "co")
_PAGE_POLICIES = {"OPEN_PAGE": "Open", "CLOSE_PAGE": "Closed"}
_QUEUE_STRUCTURES = ("PER_BANK", "PER_RANK")
_REFRESH_POLICIES = ("RANK_LEVEL_STAGGERED", "RANK_LEVEL_SIMULTANEOUS")


@dataclass(frozen=True)
class DRAMsim3Config:
    """One DRAMsim3 system: the part, its address mapping and its controller settings."""

    memspec: MemSpec
    address_mapping: AddressMapping
    controller: ControllerConfig


class _Ini:
    """Typed look-ups in one parsed .ini file, with errors that name file and key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parser = configparser.ConfigParser(
            inline_comment_prefixes=(";", "#"), comment_prefixes=(";", "#"), strict=False
        )
        text = read_text(path, "DRAMsim3 config", ConfigError)
        try:
            self.parser.read_string(text, source=str(path))
        except configparser.Error as error:
            raise ConfigError(
                f"DRAMsim3 config {str(path)!r} is not valid .ini: {error}"
            ) from error

    def text(self, section: str, key: str, default: str | None = None) -> str:
        if self.parser.has_option(section, key):
            return self.parser.get(section, key).strip()
        if default is None:
            raise ConfigError(f"DRAMsim3 config {str(self.path)!r}: [{section}] {key} is missing")
        return default

    def number(self, section: str, key: str, default: float | None = None) -> float:
        value = self.text(section, key, None if default is None else str(default))
        where = f"DRAMsim3 config {str(self.path)!r}"
        return parse_float(value, where, f"[{section}] {key} =", error=ConfigError)

    def integer(self, section: str, key: str, default: int | None = None) -> int:
        value = self.number(section, key, default)
        if value != int(value):
            raise ConfigError(
                f"DRAMsim3 config {str(self.path)!r}: [{section}] {key} = {value!r} "
                "is not an integer"
            )
        return int(value)

    def choice(self, section: str, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(section, key, default)
        if value not in choices:
            raise ConfigError(
                f"DRAMsim3 config {str(self.path)!r}: [{section}] {key} = {value!r} is not "
                f"supported; expected one of {', '.join(choices)}"
            )
        return value


def _log2(value: int, what: str, path: Path) -> int:
    if value < 1 or value & (value - 1):
        raise ConfigError(f"DRAMsim3 config {str(path)!r}: {what} {value} is not a power of two")
    return value.bit_length() - 1


def _memspec(ini: _Ini) -> MemSpec:
    s, t, p = "dram_structure", "timing", "power"
    protocol = ini.choice(s, "protocol", SUPPORTED_PROTOCOLS, "DDR3")
    groups = ini.integer(s, "bankgroups")
    per_group = ini.integer(s, "banks_per_group")
    rows = ini.integer(s, "rows")
    columns = ini.integer(s, "columns")
    width = ini.integer(s, "device_width")
    burst_length = ini.integer(s, "BL")
    bus_width = ini.integer("system", "bus_width")
    devices = bus_width // width
    # DRAMsim3 Config::CalculateSize: ranks fill channel_size (MB) with rank-sized pieces.
    rank_mb = columns * width // 8 * rows * groups * per_group * devices // (1 << 20)
    channel_mb = ini.integer("system", "channel_size")
    if rank_mb < 1 or channel_mb < rank_mb:
        raise ConfigError(
            f"DRAMsim3 config {str(ini.path)!r}: [system] channel_size {channel_mb} MB is "
            f"smaller than one rank ({rank_mb} MB)"
        )
    ranks = channel_mb // rank_mb
    tck = ini.number(t, "tCK")

    def short_or_long(name: str) -> tuple[int, int]:
        short = ini.integer(t, f"{name}_S")
        return short, short if groups == 1 else ini.integer(t, f"{name}_L")

    ccd_s, ccd_l = short_or_long("tCCD")
    rrd_s, rrd_l = short_or_long("tRRD")
    wtr_s, wtr_l = short_or_long("tWTR")
    t_rp = ini.integer(t, "tRP")
    t_ras = ini.integer(t, "tRAS")
    return MemSpec(
        name=ini.path.stem,
        memory_type=protocol,
        channels=ini.integer("system", "channels", 1),
        ranks=ranks,
        bank_groups=groups,
        banks_per_group=per_group,
        rows=rows,
        columns=columns,
        device_width=width,
        devices=devices,
        burst_length=burst_length,
        data_rate=2,
        clock_mhz=1000.0 / tck,
        CL=ini.integer(t, "CL"),
        CWL=ini.integer(t, "CWL"),
        AL=ini.integer(t, "AL", 0),
        tRCD=ini.integer(t, "tRCD"),
        tRP=t_rp,
        tRAS=t_ras,
        tRC=t_ras + t_rp,
        tCCD_S=ccd_s,
        tCCD_L=ccd_l,
        tRRD_S=rrd_s,
        tRRD_L=rrd_l,
        tFAW=ini.integer(t, "tFAW"),
        tWR=ini.integer(t, "tWR"),
        tWTR_S=wtr_s,
        tWTR_L=wtr_l,
        tRTP=ini.integer(t, "tRTP"),
        tRFC=ini.integer(t, "tRFC"),
        tREFI=_refresh_interval(ini),
        tXP=ini.integer(t, "tXP"),
        tCKE=ini.integer(t, "tCKE"),
        tRTRS=ini.integer(t, "tRTRS"),
        tRP_AB=t_rp,
        tRFC_PB=0,
        tREFI_PB=0,
        vdd=ini.number(p, "VDD"),
        idd0=ini.number(p, "IDD0"),
        idd2n=ini.number(p, "IDD2N"),
        idd3n=ini.number(p, "IDD3N"),
        idd4r=ini.number(p, "IDD4R"),
        idd4w=ini.number(p, "IDD4W"),
        idd5=ini.number(p, "IDD5AB"),
        idd2p=ini.number(p, "IDD2P"),
        idd3p=ini.number(p, "IDD3P"),
        idd6=ini.number(p, "IDD6x"),
    )


def _refresh_interval(ini: _Ini) -> int:
    if ini.parser.has_option("timing", "tREFI"):
        return ini.integer("timing", "tREFI")
    logger.warning(
        "DRAMsim3 config %s: [timing] tREFI is absent; using DRAMsim3's default %d cycles",
        ini.path,
        DRAMSIM3_DEFAULT_TREFI,
    )
    return DRAMSIM3_DEFAULT_TREFI


def _mapping(ini: _Ini, spec: MemSpec) -> AddressMapping:
    text = ini.text("system", "address_mapping")
    fields = [text[k : k + 2] for k in range(0, len(text), 2)]
    if len(text) != 12 or sorted(fields) != sorted(_MAPPING_FIELDS):
        raise ConfigError(
            f"DRAMsim3 config {str(ini.path)!r}: [system] address_mapping {text!r} must "
            f"list each of {', '.join(_MAPPING_FIELDS)} once (two letters each)"
        )
    path = ini.path
    byte_bits = _log2(spec.bus_bytes, "bus width in bytes", path)
    burst_bits = _log2(spec.burst_length, "BL", path)
    widths = {
        "ch": _log2(spec.channels, "channels", path),
        "ra": _log2(spec.ranks, "ranks", path),
        "bg": _log2(spec.bank_groups, "bankgroups", path),
        "ba": _log2(spec.banks_per_group, "banks_per_group", path),
        "ro": _log2(spec.rows, "rows", path),
        "co": _log2(spec.columns, "columns", path) - burst_bits,
    }
    # Fields are listed from the most significant bit down; the lowest bits are the
    # byte offset of a burst (bus bytes x BL), whose upper part is the column's low bits.
    position = byte_bits + burst_bits
    bits: dict[str, tuple[int, ...]] = {}
    for name in reversed(fields):
        bits[name] = tuple(range(position, position + widths[name]))
        position += widths[name]
    return AddressMapping(
        name=f"{path.stem}:{text}",
        byte=tuple(range(byte_bits)),
        column=tuple(range(byte_bits, byte_bits + burst_bits)) + bits["co"],
        bank_group=bits["bg"],
        bank=bits["ba"],
        rank=bits["ra"],
        row=bits["ro"],
        channel=bits["ch"],
    )


def _controller(ini: _Ini, spec: MemSpec) -> ControllerConfig:
    s = "system"
    if ini.text(s, "unified_queue", "false").lower() in ("true", "1", "yes", "on"):
        raise ConfigError(
            f"DRAMsim3 config {str(ini.path)!r}: [system] unified_queue = true is not "
            "modelled (archgym keeps reads and writes in separate queues)"
        )
    ini.choice(s, "refresh_policy", _REFRESH_POLICIES, "RANK_LEVEL_STAGGERED")
    structure = ini.choice(s, "queue_structure", _QUEUE_STRUCTURES, "PER_BANK")
    page = ini.choice(s, "row_buf_policy", tuple(_PAGE_POLICIES), "OPEN_PAGE")
    command_queue = ini.integer(s, "cmd_queue_size", 16)
    trans_queue = ini.integer(s, "trans_queue_size", 32)
    if structure == "PER_BANK":
        buffer, size = "Bankwise", command_queue
    else:
        # One queue per rank; the closest archgym buffer is one shared by all ranks.
        buffer, size = "Shared", command_queue * spec.ranks
    return ControllerConfig(
        page_policy=_PAGE_POLICIES[page],
        scheduler="FrFcfs",
        scheduler_buffer=buffer,
        request_buffer_size=size,
        refresh_policy="AllBank",
        refresh_max_postponed=0,
        refresh_max_pulledin=0,
        # DRAMsim3's trace reader has no limit of its own on outstanding requests.
        max_active_transactions=MAX_ACTIVE_TRANSACTIONS,
        transaction_queue_size=trans_queue,
        write_buffer_size=trans_queue,
        write_high_watermark=trans_queue,
        write_low_watermark=0,
        cmd_mux="RoundRobin",
    )


def read_dramsim3_config(path: str | Path) -> DRAMsim3Config:
    """Read a DRAMsim3 DDR3/DDR4 ``.ini`` file (see the module docstring).

    The controller settings mirror DRAMsim3's: Open or Closed page per row_buf_policy,
    FR-FCFS, a Bankwise buffer of cmd_queue_size per bank (PER_RANK: one Shared buffer
    of cmd_queue_size x ranks), trans_queue_size for the transaction queue and for the
    write buffer, writes drained when the buffer is full down to empty, all-bank refresh
    every tREFI per rank, never postponed. Raises ConfigError naming the file and key.
    """
    ini = _Ini(Path(path))
    with errors_at(f"DRAMsim3 config {str(path)!r}"):  # MemSpec's checks name the field only
        spec = _memspec(ini)
        mapping = _mapping(ini, spec)
        mapping.check(spec)
        return DRAMsim3Config(spec, mapping, _controller(ini, spec))
