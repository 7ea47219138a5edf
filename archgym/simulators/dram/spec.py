"""Memory specifications (``MemSpec``): organisation, timings in clock cycles, IDD currents.

Two JSON formats are read:

* archgym's own format (the files shipped in ``archgym/simulators/dram/memspecs/``)::

    {"name": "...", "memory_type": "DDR3" | "DDR4",
     "architecture": {ARCHITECTURE_FIELDS}, "timing": {TIMING_FIELDS},
     "power": {POWER_FIELDS}}

  Every field is required; an unknown field is an error.
* DRAMSys memspec JSON (``{"memspec": {"memarchitecturespec": ..., "memtimingspec":
  ..., "mempowerspec": ...}}``) for DDR3 and DDR4 parts.

Every loader raises :class:`~archgym.errors.ConfigError` naming the file and the
missing, unknown or out-of-range field.
"""

# JEDEC timing names (tRCD, CL, ...) are kept as the datasheets spell them.
# ruff: noqa: N802, N815

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError
from archgym.parsing import check_number, errors_at, is_real
from archgym.parsing import read_json as _read_json

logger = logging.getLogger(__name__)

SUPPORTED_TYPES = ("DDR3", "DDR4", "LPDDR4")

ARCHITECTURE_FIELDS = (
    "channels",
    "ranks",
    "bank_groups",
    "banks_per_group",
    "rows",
    "columns",
    "device_width",
    "devices",
    "burst_length",
    "data_rate",
)
TIMING_FIELDS = (
    "clock_mhz",
    "CL",
    "CWL",
    "AL",
    "tRCD",
    "tRP",
    "tRAS",
    "tRC",
    "tCCD_S",
    "tCCD_L",
    "tRRD_S",
    "tRRD_L",
    "tFAW",
    "tWR",
    "tWTR_S",
    "tWTR_L",
    "tRTP",
    "tRFC",
    "tREFI",
    "tXP",
    "tCKE",
    "tRTRS",
    "tRP_AB",
    "tRFC_PB",
    "tREFI_PB",
)
#: Largest value of any MemSpec field: no DRAM parameter comes near it, and products of
#: two such values still fit the simulator's int64 arithmetic.
_FIELD_MAX = 2**31 - 1

POWER_FIELDS = (
    "vdd",
    "idd0",
    "idd2n",
    "idd3n",
    "idd4r",
    "idd4w",
    "idd5",
    "idd2p",
    "idd3p",
    "idd6",
)


@dataclass(frozen=True)
class MemSpec:
    """One DRAM part and its organisation as the controller sees it.

    Timings are in memory clock cycles (``tck_ns`` = 1000 / ``clock_mhz``); currents
    in mA per device; ``vdd`` in V. ``devices`` devices of ``device_width`` bits form
    one rank; all ranks of a channel share its command and data bus. ``tRP_AB`` is the
    all-bank precharge time (``tRP`` for DDR3/DDR4); ``tRFC_PB`` and ``tREFI_PB`` are the
    per-bank refresh timings, 0 when the standard has no per-bank refresh. Parts with
    several supply rails (LPDDR4) are folded into one: ``vdd`` = 1 V and each current is
    the sum over rails of voltage x current (mW).
    """

    name: str
    memory_type: str
    channels: int
    ranks: int
    bank_groups: int
    banks_per_group: int
    rows: int
    columns: int
    device_width: int
    devices: int
    burst_length: int
    data_rate: int
    clock_mhz: float
    CL: int
    CWL: int
    AL: int
    tRCD: int
    tRP: int
    tRAS: int
    tRC: int
    tCCD_S: int
    tCCD_L: int
    tRRD_S: int
    tRRD_L: int
    tFAW: int
    tWR: int
    tWTR_S: int
    tWTR_L: int
    tRTP: int
    tRFC: int
    tREFI: int
    tXP: int
    tCKE: int
    tRTRS: int
    tRP_AB: int
    tRFC_PB: int
    tREFI_PB: int
    vdd: float
    idd0: float
    idd2n: float
    idd3n: float
    idd4r: float
    idd4w: float
    idd5: float
    idd2p: float
    idd3p: float
    idd6: float

    def __post_init__(self) -> None:
        if self.memory_type not in SUPPORTED_TYPES:
            raise ConfigError(
                f"memspec {self.name!r}: memory_type {self.memory_type!r} is not supported; "
                f"expected one of {', '.join(SUPPORTED_TYPES)}"
            )
        for f in fields(self):
            if f.name in ("name", "memory_type"):
                continue
            value = getattr(self, f.name)
            minimum = 0 if f.name in ("AL", "tRTRS", "idd6", "tRFC_PB", "tREFI_PB") else 1
            if not is_real(value) or not minimum <= value <= _FIELD_MAX:
                raise ConfigError(
                    f"memspec {self.name!r}: field {f.name!r} must be a number in "
                    f"{minimum}..{_FIELD_MAX}, got {value!r}"
                )
        for f in ARCHITECTURE_FIELDS + TIMING_FIELDS[1:]:
            value = getattr(self, f)
            if int(value) != value:
                raise ConfigError(
                    f"memspec {self.name!r}: field {f!r} must be an integer, got {value!r}"
                )
        for name in ("bank_groups", "banks_per_group", "rows", "columns", "ranks", "channels"):
            value = int(getattr(self, name))
            if value & (value - 1):
                raise ConfigError(
                    f"memspec {self.name!r}: field {name!r} must be a power of two, got {value}"
                )
        checks = [
            (self.tRC >= self.tRAS, "tRC must be >= tRAS"),
            (self.tCCD_L >= self.tCCD_S, "tCCD_L must be >= tCCD_S"),
            (self.tRRD_L >= self.tRRD_S, "tRRD_L must be >= tRRD_S"),
            (self.tWTR_L >= self.tWTR_S, "tWTR_L must be >= tWTR_S"),
            (self.tREFI > self.tRFC, "tREFI must be > tRFC"),
            ((self.tREFI_PB == 0) == (self.tRFC_PB == 0), "tRFC_PB and tREFI_PB go together"),
            (self.tREFI_PB == 0 or self.tREFI_PB > self.tRFC_PB, "tREFI_PB must be > tRFC_PB"),
            (
                self.burst_length % self.data_rate == 0,
                "burst_length must be a multiple of data_rate",
            ),
            (self.tCCD_S >= self.burst_cycles, "tCCD_S must cover one burst on the data bus"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(f"memspec {self.name!r}: {message}")

    # Derived quantities -------------------------------------------------------------
    @property
    def per_bank_refresh(self) -> bool:
        """Whether the standard has per-bank refresh (LPDDR4)."""
        return self.tREFI_PB > 0

    @property
    def tck_ns(self) -> float:
        """Clock period in ns."""
        return 1000.0 / self.clock_mhz

    @property
    def RL(self) -> int:
        """Read latency in cycles (CAS latency plus additive latency)."""
        return self.CL + self.AL

    @property
    def WL(self) -> int:
        """Write latency in cycles (CAS write latency plus additive latency)."""
        return self.CWL + self.AL

    @property
    def burst_cycles(self) -> int:
        """Clock cycles one burst occupies the data bus."""
        return self.burst_length // self.data_rate

    @property
    def banks(self) -> int:
        """Banks per rank."""
        return self.bank_groups * self.banks_per_group

    @property
    def bus_bytes(self) -> int:
        """Data bus width of a channel in bytes."""
        return self.device_width * self.devices // 8

    @property
    def access_bytes(self) -> int:
        """Bytes moved by one burst (one request)."""
        return self.bus_bytes * self.burst_length

    @property
    def capacity_bytes(self) -> int:
        """Total capacity of all channels and ranks."""
        return self.channels * self.ranks * self.banks * self.rows * self.columns * self.bus_bytes

    @property
    def peak_bandwidth_gbps(self) -> float:
        """Peak data-bus bandwidth of all channels in GB/s (1e9 bytes/s)."""
        return self.channels * self.bus_bytes * self.data_rate * self.clock_mhz * 1e6 / 1e9

    def to_dict(self) -> dict[str, Any]:
        """This spec in archgym's own JSON layout (``load_memspec`` reads it back)."""
        d = asdict(self)
        return {
            "name": d["name"],
            "memory_type": d["memory_type"],
            "architecture": {k: d[k] for k in ARCHITECTURE_FIELDS},
            "timing": {k: d[k] for k in TIMING_FIELDS},
            "power": {k: d[k] for k in POWER_FIELDS},
        }


# Loading --------------------------------------------------------------------------------


def _section(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    if key not in data:
        raise ConfigError(f"{where}: missing section {key!r}")
    section = data[key]
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: section {key!r} must be an object")
    for field_name, value in section.items():
        check_number(value, f"{where}: {key}.{field_name}")
    return section


def _take(section: dict[str, Any], names: tuple[str, ...], where: str) -> dict[str, Any]:
    unknown = sorted(set(section) - set(names))
    if unknown:
        raise ConfigError(
            f"{where}: unknown field {unknown[0]!r}; expected fields: {', '.join(names)}"
        )
    missing = [n for n in names if n not in section]
    if missing:
        raise ConfigError(f"{where}: missing field {missing[0]!r}")
    return dict(section)


def memspec_from_dict(data: dict[str, Any], where: str = "memspec") -> MemSpec:
    """Build a MemSpec from either JSON layout (already parsed); ``where`` names the source."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a JSON object")
    if "memspec" in data:
        return _from_dramsys(data["memspec"], where)
    top = {"name", "memory_type", "architecture", "timing", "power", "source"}
    unknown = sorted(set(data) - top)
    if unknown:
        raise ConfigError(
            f"{where}: unknown field {unknown[0]!r}; expected {', '.join(sorted(top))}"
        )
    for key in ("name", "memory_type"):
        if key not in data:
            raise ConfigError(f"{where}: missing field {key!r}")
        if not isinstance(data[key], str):
            raise ConfigError(f"{where}: field {key!r} must be text, got {data[key]!r}")
    values: dict[str, Any] = {"name": data["name"], "memory_type": data["memory_type"]}
    values.update(_take(_section(data, "architecture", where), ARCHITECTURE_FIELDS, where))
    values.update(_take(_section(data, "timing", where), TIMING_FIELDS, where))
    values.update(_take(_section(data, "power", where), POWER_FIELDS, where))
    return MemSpec(**values)


# DRAMSys field names we read, and the ones we accept and ignore, per memory type.
_ARCH_REQUIRED = frozenset(
    {"burstLength", "dataRate", "nbrOfBanks", "nbrOfColumns", "nbrOfRanks", "nbrOfRows", "width"}
)
_ARCH_OPTIONAL = frozenset(
    {"nbrOfDevicesOnDIMM", "nbrOfDevices", "nbrOfChannels", "maxBurstLength"}
)
_DRAMSYS_ARCH = {
    "DDR3": (_ARCH_REQUIRED, _ARCH_OPTIONAL),
    "DDR4": (_ARCH_REQUIRED | {"nbrOfBankGroups"}, _ARCH_OPTIONAL),
    "LPDDR4": (_ARCH_REQUIRED, _ARCH_OPTIONAL),
}
_DRAMSYS_TIMING = {
    "DDR3": (
        {"CL", "WL", "RCD", "RP", "RAS", "RC", "CCD", "RRD", "FAW", "WR", "WTR", "RTP", "RFC"}
        | {"REFI", "XP", "CKE", "clkMhz"},
        {"AL", "CKESR", "DQSCK", "RL", "XPDLL", "XS", "XSDLL", "ACTPDEN", "PRPDEN", "REFPDEN"}
        | {"RTRS"},
    ),
    "DDR4": (
        {"CL", "WL", "RCD", "RP", "RAS", "RC", "CCD_S", "CCD_L", "RRD_S", "RRD_L", "FAW", "WR"}
        | {"WTR_S", "WTR_L", "RTP", "RFC", "REFI", "XP", "CKE", "clkMhz"},
        {"AL", "CKESR", "DQSCK", "REFM", "RFC2", "RFC4", "RL", "RPRE", "WPRE", "XPDLL", "XS"}
        | {"XSDLL", "ACTPDEN", "PRPDEN", "REFPDEN", "RTRS"},
    ),
    "LPDDR4": (
        {"RCD", "RPAB", "RPPB", "RAS", "RCPB", "RRD", "FAW", "CCD", "RL", "WL", "WR", "WTR"}
        | {"RTP", "REFI", "REFIPB", "RFCAB", "RFCPB", "XP", "CKE", "clkMhz"},
        {"CMDCKE", "DQS2DQ", "DQSCK", "DQSS", "ESCKE", "PPD", "RPST", "SR", "WPRE", "XSR"}
        | {"RCAB", "RTRS"},
    ),
}
_DRAMSYS_POWER_REQUIRED = {"vdd", "idd0", "idd2n", "idd3n", "idd4r", "idd4w", "idd5", "idd6"}
_DRAMSYS_POWER_OPTIONAL = {
    "idd2p0",
    "idd2p1",
    "idd3p0",
    "idd3p1",
    "idd02",
    "idd62",
    "vdd2",
    "idd2p",
    "idd3p",
}


def _check_fields(
    section: dict[str, Any], required: AbstractSet[str], optional: AbstractSet[str], where: str
) -> None:
    unknown = sorted(set(section) - required - optional)
    if unknown:
        raise ConfigError(f"{where}: unknown field {unknown[0]!r}")
    missing = sorted(required - set(section))
    if missing:
        raise ConfigError(f"{where}: missing field {missing[0]!r}")


# LPDDR4: rails VDD1 (currents iddX) and VDD2 (iddX2); the VDDQ (I/O) currents are
# accepted and left out, as is DRAMPower's core-energy convention.
_LPDDR4_CURRENTS = {
    "idd0": ("idd0", "idd02"),
    "idd2n": ("idd2n", "idd2n2"),
    "idd3n": ("idd3n", "idd3n2"),
    "idd4r": ("idd4r", "idd4r2"),
    "idd4w": ("idd4w", "idd4w2"),
    "idd5": ("idd5", "idd52"),
    "idd2p": ("idd2p", "idd2p2"),
    "idd3p": ("idd3p", "idd3p2"),
    "idd6": ("idd6", "idd62"),
}
_LPDDR4_POWER_REQUIRED = {name for pair in _LPDDR4_CURRENTS.values() for name in pair} | {
    "vdd",
    "vdd2",
}
_LPDDR4_POWER_OPTIONAL = {
    "vddq",
    "idd0ql",
    "idd2nQ",
    "idd2ns",
    "idd2ns2",
    "idd2nsq",
    "idd2pQ",
    "idd2ps",
    "idd2ps2",
    "idd2psq",
    "idd3nQ",
    "idd3ns",
    "idd3ns2",
    "idd3nsq",
    "idd3pQ",
    "idd3ps",
    "idd3ps2",
    "idd3psq",
    "idd4rq",
    "idd4wq",
    "idd5ab",
    "idd5ab2",
    "idd5abq",
    "idd5b",
    "idd5b2",
    "idd5bq",
    "idd5q",
    "idd6q",
}


def _from_dramsys_lpddr4(spec: dict[str, Any], arch, timing, power, where: str) -> MemSpec:
    _check_fields(power, _LPDDR4_POWER_REQUIRED, _LPDDR4_POWER_OPTIONAL, f"{where}: mempowerspec")
    vdd1, vdd2 = float(power["vdd"]), float(power["vdd2"])
    currents = {
        ours: vdd1 * float(power[rail1]) + vdd2 * float(power[rail2])
        for ours, (rail1, rail2) in _LPDDR4_CURRENTS.items()
    }
    return MemSpec(
        name=str(spec.get("memoryId", "LPDDR4")),
        memory_type="LPDDR4",
        channels=int(arch.get("nbrOfChannels", 1)),
        ranks=int(arch["nbrOfRanks"]),
        bank_groups=1,
        banks_per_group=int(arch["nbrOfBanks"]),
        rows=int(arch["nbrOfRows"]),
        columns=int(arch["nbrOfColumns"]),
        device_width=int(arch["width"]),
        devices=int(arch.get("nbrOfDevicesOnDIMM", arch.get("nbrOfDevices", 1))),
        burst_length=int(arch["burstLength"]),
        data_rate=int(arch["dataRate"]),
        clock_mhz=float(timing["clkMhz"]),
        CL=timing["RL"],
        CWL=timing["WL"],
        AL=0,
        tRCD=timing["RCD"],
        tRP=timing["RPPB"],
        tRAS=timing["RAS"],
        tRC=timing["RCPB"],
        tCCD_S=timing["CCD"],
        tCCD_L=timing["CCD"],
        tRRD_S=timing["RRD"],
        tRRD_L=timing["RRD"],
        tFAW=timing["FAW"],
        tWR=timing["WR"],
        tWTR_S=timing["WTR"],
        tWTR_L=timing["WTR"],
        tRTP=timing["RTP"],
        tRFC=timing["RFCAB"],
        tREFI=timing["REFI"],
        tXP=timing["XP"],
        tCKE=timing["CKE"],
        tRTRS=timing.get("RTRS", 1),
        tRP_AB=timing["RPAB"],
        tRFC_PB=timing["RFCPB"],
        tREFI_PB=timing["REFIPB"],
        vdd=1.0,
        **currents,
    )


def _from_dramsys(spec: Any, where: str) -> MemSpec:
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: 'memspec' must be an object")
    mtype = spec.get("memoryType")
    if mtype is None:
        raise ConfigError(f"{where}: missing field 'memoryType'")
    for key in ("memoryType", "memoryId"):
        if key in spec and not isinstance(spec[key], str):
            raise ConfigError(f"{where}: field {key!r} must be text, got {spec[key]!r}")
    if mtype not in _DRAMSYS_ARCH:
        raise ConfigError(
            f"{where}: memoryType {mtype!r} is not supported; expected one of "
            f"{', '.join(SUPPORTED_TYPES)}"
        )
    _check_fields(
        spec,
        {"memoryType", "memarchitecturespec", "memtimingspec", "mempowerspec"},
        {"memoryId"},
        where,
    )
    arch = _section(spec, "memarchitecturespec", where)
    timing = _section(spec, "memtimingspec", where)
    power = _section(spec, "mempowerspec", where)
    _check_fields(arch, *_DRAMSYS_ARCH[mtype], f"{where}: memarchitecturespec")
    _check_fields(timing, *_DRAMSYS_TIMING[mtype], f"{where}: memtimingspec")
    if mtype == "LPDDR4":
        return _from_dramsys_lpddr4(spec, arch, timing, power, where)
    _check_fields(power, _DRAMSYS_POWER_REQUIRED, _DRAMSYS_POWER_OPTIONAL, f"{where}: mempowerspec")

    def pick(section: dict[str, Any], *names: str) -> Any:
        for n in names:
            if n in section:
                return section[n]
        raise ConfigError(f"{where}: missing field {names[0]!r}")

    groups = int(arch.get("nbrOfBankGroups", 1))
    banks = int(arch["nbrOfBanks"])
    if banks % groups:
        raise ConfigError(f"{where}: nbrOfBanks {banks} is not a multiple of nbrOfBankGroups")
    if mtype == "DDR3":
        ccd_s = ccd_l = timing["CCD"]
        rrd_s = rrd_l = timing["RRD"]
        wtr_s = wtr_l = timing["WTR"]
    else:
        ccd_s, ccd_l = timing["CCD_S"], timing["CCD_L"]
        rrd_s, rrd_l = timing["RRD_S"], timing["RRD_L"]
        wtr_s, wtr_l = timing["WTR_S"], timing["WTR_L"]
    al = timing.get("AL", 0)
    return MemSpec(
        name=str(spec.get("memoryId", mtype)),
        memory_type=mtype,
        channels=int(arch.get("nbrOfChannels", 1)),
        ranks=int(arch["nbrOfRanks"]),
        bank_groups=groups,
        banks_per_group=banks // groups,
        rows=int(arch["nbrOfRows"]),
        columns=int(arch["nbrOfColumns"]),
        device_width=int(arch["width"]),
        devices=int(pick(arch, "nbrOfDevicesOnDIMM", "nbrOfDevices"))
        if ("nbrOfDevicesOnDIMM" in arch or "nbrOfDevices" in arch)
        else 1,
        burst_length=int(arch["burstLength"]),
        data_rate=int(arch["dataRate"]),
        clock_mhz=float(timing["clkMhz"]),
        CL=timing["CL"],
        CWL=timing["WL"] - al,
        AL=al,
        tRCD=timing["RCD"],
        tRP=timing["RP"],
        tRAS=timing["RAS"],
        tRC=timing["RC"],
        tCCD_S=ccd_s,
        tCCD_L=ccd_l,
        tRRD_S=rrd_s,
        tRRD_L=rrd_l,
        tFAW=timing["FAW"],
        tWR=timing["WR"],
        tWTR_S=wtr_s,
        tWTR_L=wtr_l,
        tRTP=timing["RTP"],
        tRFC=timing["RFC"],
        tREFI=timing["REFI"],
        tXP=timing["XP"],
        tCKE=timing["CKE"],
        tRTRS=timing.get("RTRS", 1),
        tRP_AB=timing["RP"],
        tRFC_PB=0,
        tREFI_PB=0,
        vdd=float(power["vdd"]),
        idd0=float(power["idd0"]),
        idd2n=float(power["idd2n"]),
        idd3n=float(power["idd3n"]),
        idd4r=float(power["idd4r"]),
        idd4w=float(power["idd4w"]),
        idd5=float(power["idd5"]),
        # Fast-exit power-down currents (our power-down exits in tXP).
        idd2p=float(pick(power, "idd2p1", "idd2p", "idd2p0")),
        idd3p=float(pick(power, "idd3p1", "idd3p", "idd3p0")),
        idd6=float(power["idd6"]),
    )


def load_memspec(path: str | Path) -> MemSpec:
    """Read a memspec JSON file in archgym's or DRAMSys's format.

    Raises ConfigError naming the file and the bad field, or the file if it cannot be read.
    """
    path = Path(path)
    where = f"memspec file {str(path)!r}"
    with errors_at(where):  # MemSpec's own checks name the field, not the file
        return memspec_from_dict(read_json(path, "memspec"), where=where)


def read_json(path: Path, what: str) -> Any:
    """The parsed JSON of ``path``; ConfigError naming ``what``, the file and the line when
    it cannot be read or parsed (see :func:`archgym.parsing.read_json`)."""
    return _read_json(path, what, ConfigError)


@functools.cache
def builtin_memspecs() -> tuple[str, ...]:
    """Names of the memspecs shipped with archgym (e.g. "DDR3-1600")."""
    folder = resources.files("archgym.simulators.dram") / "memspecs"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


@functools.cache
def _builtin_memspec(name: str) -> MemSpec:
    # Parsed once per process: a design's MemSpec knob names one of these on every step.
    folder = resources.files("archgym.simulators.dram") / "memspecs"
    text = (folder / f"{name}.json").read_text()
    return memspec_from_dict(json.loads(text), where=f"built-in memspec {name!r}")


def get_memspec(spec: str | Path | MemSpec) -> MemSpec:
    """A MemSpec from a shipped name ("DDR3-1600", "DDR4-2400"), a JSON path, or a MemSpec."""
    if isinstance(spec, MemSpec):
        return spec
    name = str(spec)
    if name in builtin_memspecs():
        return _builtin_memspec(name)
    path = Path(name)
    if path.suffix == ".json" or path.exists():
        return load_memspec(path)
    raise ConfigError(
        f"unknown memspec {name!r}; expected a built-in name ({', '.join(builtin_memspecs())}) "
        "or a path to a JSON file"
    )
